"""Prometheus metrics of the gateway (the official client library), on its own registry.

Counted here as they happen: commands by outcome and their latency. Read from the running system
when scraped (``services.gateway.health.snapshot``): components answering, consumer lag, relay
backlog, dead letters, SLA breaches. A part that cannot be read is left out of its family and
shown by ``salesflow_probe_ok{part=...} 0``, so "unknown" never looks like zero.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from services.gateway.health import Snapshot

# Commands take a NATS round trip and a store commit: milliseconds to a few seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class SystemCollector(Collector):
    """Families built from the latest snapshot, which the ``/metrics`` handler takes just before
    rendering (collectors are synchronous; the probes are not)."""

    def __init__(self) -> None:
        self.latest: Snapshot | None = None

    def collect(self) -> Iterator[Metric]:
        found = self.latest
        if found is None:
            return
        probe = GaugeMetricFamily("salesflow_probe_ok", "1 when this part could be read at the "
                                  "last scrape, 0 when it did not answer", labels=["part"])
        probe.add_metric(["nats"], float(found.nats))
        probe.add_metric(["accounts"], float(found.accounts))
        up = GaugeMetricFamily("salesflow_component_up", "1 when the component answered its "
                               "status request", labels=["component"])
        backlog = GaugeMetricFamily("salesflow_relay_backlog", "Events stored by the component "
                                    "and not yet published to its stream (active copy)",
                                    labels=["component"])
        for name, state in found.components.items():
            up.add_metric([name], float(state is not None))
            waiting = ((state or {}).get("relay") or {}).get("backlog")
            if isinstance(waiting, int):
                backlog.add_metric([name], waiting)
        # The probe family gets a sample from each part: render it once they all added theirs.
        families = [up, backlog, *_consumers(found, probe), *_stored(found, probe)]
        yield probe
        yield from families


def _consumers(found: Snapshot, probe: GaugeMetricFamily) -> Iterator[Metric]:
    probe.add_metric(["jetstream"], float(found.consumers is not None))
    if found.consumers is None:
        return
    lag = GaugeMetricFamily("salesflow_consumer_lag", "Messages a durable consumer has not "
                            "applied yet: pending delivery plus delivered and unacknowledged",
                            labels=["stream", "durable"])
    for consumer in found.consumers:
        lag.add_metric([consumer.stream, consumer.durable], consumer.lag)
    yield lag


def _stored(found: Snapshot, probe: GaugeMetricFamily) -> Iterator[Metric]:
    probe.add_metric(["dead_letters"], float(found.dead_letters is not None))
    probe.add_metric(["sla_breaches"], float(found.sla_breaches is not None))
    if found.dead_letters is not None:
        dead = GaugeMetricFamily("salesflow_dead_letters", "Messages in the dead-letter stream "
                                 "(a redriven one is removed), by dead-letter subject",
                                 labels=["subject"])
        for subject, count in found.dead_letters.items():
            dead.add_metric([subject], count)
        yield dead
    if found.sla_breaches is not None:
        breaches = CounterMetricFamily("salesflow_sla_breaches", "SlaBreached events in the SLA "
                                       "stream")
        breaches.add_metric([], found.sla_breaches)
        yield breaches


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
        self.system = SystemCollector()
        self.registry.register(self.system)

    def command_done(self, department: str, command: str, outcome: str, seconds: float) -> None:
        self.commands.labels(department, command, outcome).inc()
        self.latency.labels(department).observe(seconds)

    def text(self, found: Snapshot | None = None) -> bytes:
        """The exposition text; with ``found``, the system's figures of that moment too."""
        self.system.latest = found
        return generate_latest(self.registry)
