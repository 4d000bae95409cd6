"""Shared runtime of the services: settings, store wiring, relay, consumers, command dispatch."""
