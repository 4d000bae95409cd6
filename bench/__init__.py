"""Benchmarks of the salesflow pipeline; run ``python -m bench.pipeline`` (see its docstring)."""
