"""The command load of a chaos run: the demo's sample scenarios, started at a steady pace.

Each flow is one scenario of ``salesflow demo`` (``services.cli.demo.SCENARIOS``) for one new
sample, walked through every department by the CLI client exactly as the demo does, with
its retries when a reaction has not arrived yet or a service does not answer. Every reply
that accepted a command is recorded with its event ids, so the checks can ask the stores
for each of them.
"""
from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.replies import CommandReply
from contracts.subjects import QUERY_HISTORY
from services.cli.client import Client
from services.cli.demo import CUSTOMERS, SCENARIOS, Demo, DemoFailed, actor
from services.cli.demo_customers import onboard
from services.runtime.connect import NatsUnavailable

TIMER_GRACE = timedelta(seconds=1)  # the system runs with SALESFLOW_TIMER_GRACE_SECONDS=1
NEAR_PROMISE = timedelta(seconds=3)
TIMER_SLACK = timedelta(seconds=3)  # a timer has fired and been handled this long after it is due


@dataclass(frozen=True)
class Accepted:
    """One accepted command and the events its reply named."""

    department: str
    command: str
    record: str
    event_ids: tuple[str, ...]


class RecordingClient(Client):
    """The CLI client, recording every accepted reply; queries wait out a restarting projection."""

    accepted: list[Accepted]
    refusals: Counter[str]
    query_patience: float = 60.0

    @classmethod
    def wrap(cls, client: Client) -> RecordingClient:
        recording = cls(client.nc)
        recording.accepted, recording.refusals = [], Counter()
        return recording

    async def command(self, department: str, name: str, payload: dict[str, Any],
                      *args: Any, **kwargs: Any) -> CommandReply:
        reply = await super().command(department, name, payload, *args, **kwargs)
        if reply.ok:
            record = str(payload.get("request_no") or payload.get("customer_no")
                         or payload.get("month") or "")
            self.accepted.append(Accepted(department, name, record,
                                          tuple(str(e.event_id) for e in reply.events)))
        elif reply.error is not None:
            self.refusals[reply.error.kind] += 1
        return reply

    async def query(self, subject: str, payload: dict[str, Any] | None = None,
                    timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + self.query_patience
        while True:
            try:
                return await super().query(subject, payload, timeout)
            except NatsUnavailable:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)


class ChaosDemo(Demo):
    """The demo's steps, with one more scenario and a lost reply told apart from a slow reaction."""

    async def send(self, department: str, name: str, who: str, /, **fields: Any) -> CommandReply:
        """As the demo's, except after a lost reply: the demo then takes any rule refusal as
        "the lost attempt was stored", but right after a restart the refusal may only mean
        that a reaction has not arrived yet. Here the record's audit trail decides: an event
        by this actor since the first attempt means it was stored."""
        deadline = time.monotonic() + self.patience
        payload = {"actor": actor(who), **fields}
        record = fields.get("request_no") or fields.get("customer_no")
        first = datetime.now(UTC)
        lost_reply, looked = False, 0.0
        while True:
            reply = await self.client.command(department, name, payload)
            if reply.ok:
                return reply
            assert reply.error is not None
            kind = reply.error.kind
            if kind == "unavailable":
                lost_reply = True
            elif kind == "rule" and lost_reply and time.monotonic() - looked > 0.5:
                looked = time.monotonic()
                if record is None or await self.stored_since(str(record), payload["actor"], first):
                    return reply
            if kind not in ("unavailable", "not_found", "rule") or time.monotonic() > deadline:
                raise DemoFailed(f"{name} {fields.get('request_no', '')}: {reply.error.sentence()}")
            await asyncio.sleep(0.1)

    async def stored_since(self, record: str, who: dict[str, str], since: datetime) -> bool:
        rows = await self.client.query(QUERY_HISTORY, {"record_no": record})
        return isinstance(rows, list) and any(
            r.get("actor_user") == who["user"] and r.get("actor_role") == who["role"]
            and datetime.fromisoformat(str(r.get("occurred_at"))) >= since for r in rows)

    async def on_time(self, no: str, customer: str) -> None:
        """R-S7: completed before a promise a few seconds away; no penalty may follow. Waits
        until the promise's timer has fired, so the checks can tell."""
        await self.quote(no, customer)
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.make(no, promise_in=NEAR_PROMISE, until="promise_delivery")
        promised = datetime.now(UTC) + NEAR_PROMISE
        await self.send("production", "complete_sample", "production", request_no=no)
        await self.send("engineering", "return_sample", "engineer", request_no=no)
        wait = promised + TIMER_GRACE + TIMER_SLACK - datetime.now(UTC)
        await asyncio.sleep(max(wait.total_seconds(), 0.0))


# The demo's scenarios (services.cli.demo.SCENARIOS), and one of our own.
FLOWS = (*SCENARIOS, ("completed before a near promise: no penalty", ChaosDemo.on_time))


@dataclass
class Flow:
    """One sample walked through one demo scenario, or one customer onboarded (R-S1, R-S2)."""

    record: str
    scenario: str | None  # the scenario's method name; None for a customer's onboarding
    task: asyncio.Task[None]
    judged: bool = False
    failure: str | None = None


@dataclass
class Load:
    """Starts a new flow every ``interval`` seconds until told to stop; flows run concurrently."""

    client: RecordingClient
    rng: random.Random
    interval: float = 0.3
    patience: float = 60.0  # how long a step retries (the demo's own rule) before the flow fails
    flows: list[Flow] = field(default_factory=list)
    _next_scenario: int = 0
    _pacer: asyncio.Task[None] | None = None

    def start(self, prefix: str) -> None:
        self._pacer = asyncio.create_task(self._pace(prefix), name=f"load-{prefix}")

    async def _pace(self, prefix: str) -> None:
        demo = ChaosDemo(self.client, out=lambda *_: None, patience=self.patience)
        customer = f"{prefix}-C"
        self.flows.append(Flow(customer, None, asyncio.create_task(
            onboard(demo, customer, self.rng.choice(CUSTOMERS)), name=customer)))
        count = 0
        while True:
            count += 1
            index = self._next_scenario % len(FLOWS)
            self._next_scenario += 1
            record = f"{prefix}-{count:03d}"
            scenario = FLOWS[index][1]
            coroutine = scenario(demo, record, CUSTOMERS[index % len(CUSTOMERS)])
            self.flows.append(Flow(record, scenario.__name__,
                                   asyncio.create_task(coroutine, name=record)))
            await asyncio.sleep(self.interval)

    async def stop(self, timeout: float) -> list[Flow]:
        """Start no more flows, wait for the running ones (at most ``timeout`` s), and return
        the flows of this burst that failed."""
        if self._pacer is not None:
            self._pacer.cancel()
            await asyncio.gather(self._pacer, return_exceptions=True)
            self._pacer = None
        burst = [f for f in self.flows if not f.judged]
        running = [f.task for f in burst if not f.task.done()]
        if running:
            await asyncio.wait(running, timeout=timeout)
        for flow in burst:
            flow.judged = True
            if not flow.task.done():
                flow.task.cancel()
                flow.failure = f"still running after {timeout:.0f} s"
            elif flow.task.cancelled():
                flow.failure = "cancelled"
            elif (error := flow.task.exception()) is not None:
                flow.failure = f"{type(error).__name__}: {error}"
        return [f for f in burst if f.failure is not None]

    async def cancel(self) -> None:
        """Stop everything now (the run is being interrupted)."""
        tasks = [f.task for f in self.flows]
        if self._pacer is not None:
            tasks.append(self._pacer)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
