"""Prometheus metrics of the gateway (the official client library), on its own registry."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

# Commands take a NATS round trip and a store commit: milliseconds to a few seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class GatewayMetrics:
    """Commands by outcome and their latency; more is collected when scraped."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "salesflow_gateway_commands", "Commands through the gateway, by outcome",
            ["department", "command", "outcome"], registry=self.registry)
        self.latency = Histogram(
            "salesflow_gateway_command_seconds", "Time from request to reply of a command",
            ["department"], buckets=BUCKETS, registry=self.registry)

    def command_done(self, department: str, command: str, outcome: str, seconds: float) -> None:
        self.commands.labels(department, command, outcome).inc()
        self.latency.labels(department).observe(seconds)

    def text(self) -> bytes:
        return generate_latest(self.registry)
