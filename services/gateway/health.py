"""What ``/health`` and ``/metrics`` read from the running system, every probe short and at once.

A load balancer probes ``/health`` every few seconds, so no probe may wait long: each one (a
component's status request, a JetStream info request) gives up after ``PROBE_SECONDS``, and all
of them run concurrently, so an answer comes within about that time even with parts down.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from nats.aio.client import Client as Nats
from nats.js.errors import NotFoundError

from contracts.subjects import COMPONENTS, DEPARTMENTS, stream_name
from contracts.timers import TIMERS_STREAM
from events.envelope import Department
from events.sla import SlaBreached
from services.cli.status import ask, dead_letters
from services.gateway.state import Gateway

PROBE_SECONDS = 1.0
# Every stream a durable consumer reads: the departments' and the timers'.
CONSUMED_STREAMS: tuple[str, ...] = (*(stream_name(d) for d in DEPARTMENTS), TIMERS_STREAM)


@dataclass(frozen=True)
class ConsumerLag:
    """One durable consumer's messages not yet applied: still to deliver, or delivered unacked."""

    stream: str
    durable: str
    pending: int
    ack_pending: int

    @property
    def lag(self) -> int:
        return self.pending + self.ack_pending


@dataclass
class Snapshot:
    """The system as the gateway sees it at one moment; ``None`` means "could not be read"."""

    nats: bool
    accounts: bool
    components: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    consumers: list[ConsumerLag] | None = None
    dead_letters: dict[str, int] | None = None
    sla_breaches: int | None = None

    def failing(self) -> list[str]:
        """The parts that are not well, by name: ``nats``, ``accounts``, a component, ``jetstream``."""
        failing = [name for name, ok in (("nats", self.nats), ("accounts", self.accounts)) if not ok]
        failing += [name for name, state in self.components.items() if state is None]
        if self.nats and self.consumers is None:
            failing.append("jetstream")
        return failing

    def health(self) -> dict[str, Any]:
        """``/health``'s body: reachability and lag only, nothing an anonymous caller should not see
        (no process ids, no error texts, no subjects' contents)."""
        components = {}
        for name, state in self.components.items():
            components[name] = {"ok": False} if state is None else _component(state)
        lags = None if self.consumers is None else {
            c.durable: c.lag for c in sorted(self.consumers, key=lambda c: c.durable)}
        failing = self.failing()
        return {"ok": not failing, "failing": failing,
                "checks": {"nats": self.nats, "accounts": self.accounts,
                           "components": components, "consumer_lag": lags}}


def _component(state: dict[str, Any]) -> dict[str, Any]:
    relay = state.get("relay") or {}
    shown: dict[str, Any] = {"ok": True, "role": state.get("role")}
    if relay:
        shown["relay_backlog"] = relay.get("backlog")
        shown["relay_failing"] = bool(relay.get("error"))
    if state.get("rebuilding"):
        shown["rebuilding"] = True
    return shown


async def snapshot(gateway: Gateway, full: bool = True) -> Snapshot:
    """Probe everything at once; ``full`` adds what only ``/metrics`` shows (dead letters, SLA
    breaches)."""
    nc: Nats | None = gateway.nats.nc if gateway.nats is not None else None
    found = Snapshot(nats=nc is not None and nc.is_connected, accounts=gateway.directory_ready())
    if nc is None or not found.nats:
        found.components = dict.fromkeys(COMPONENTS)
        return found
    probes: list[Any] = [ask(nc, name, timeout=PROBE_SECONDS) for name in COMPONENTS]
    probes.append(consumer_lags(nc))
    if full:
        probes += [dead_letters(nc, timeout=PROBE_SECONDS), sla_breaches(nc)]
    answers = await asyncio.gather(*probes)
    found.components = dict(zip(COMPONENTS, answers[:len(COMPONENTS)], strict=True))
    found.consumers = answers[len(COMPONENTS)]
    if full:
        found.dead_letters, found.sla_breaches = answers[len(COMPONENTS) + 1:]
    return found


async def consumer_lags(nc: Nats) -> list[ConsumerLag] | None:
    """Every durable consumer of the consumed streams with its lag; None when JetStream does not
    answer. A stream not created yet has no consumers."""
    js = nc.jetstream(timeout=PROBE_SECONDS)

    async def of(stream: str) -> list[ConsumerLag]:
        try:
            infos = await js.consumers_info(stream)
        except NotFoundError:
            return []
        # Ordered consumers (the feeds following calendars and accounts) have no durable name.
        return [ConsumerLag(stream, info.config.durable_name, info.num_pending or 0,
                            info.num_ack_pending or 0)
                for info in infos if info.config.durable_name]

    try:
        found = await asyncio.gather(*(of(stream) for stream in CONSUMED_STREAMS))
    except Exception:  # noqa: BLE001 - timeout, no responders, JetStream off: unknown, not zero
        return None
    return [lag for lags in found for lag in lags]


async def sla_breaches(nc: Nats) -> int | None:
    """SlaBreached events stored in the SLA stream (they are never deleted); None when unknown."""
    subject = SlaBreached.subject()
    try:
        info = await nc.jetstream(timeout=PROBE_SECONDS).stream_info(
            stream_name(Department.SLA), subjects_filter=subject)
    except NotFoundError:
        return 0  # the sla service never ran on this server
    except Exception:  # noqa: BLE001 - JetStream not answering: unknown, not zero
        return None
    return int((info.state.subjects or {}).get(subject, 0))
