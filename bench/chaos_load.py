"""The command load of a chaos run: the demo's scenarios, started at a steady pace.

Each flow is one scenario of ``salesflow demo`` for one new record: a sample
(``services.cli.demo.SCENARIOS``), a customer order (``services.cli.demo_orders``) or a
complaint (``services.cli.demo_complaints``), walked through every department by the CLI
client exactly as the demo does, with its retries when a reaction has not arrived yet or a
service does not answer. Every reply
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
from services.cli import demo_complaints, demo_orders
from services.cli.client import Client
from services.cli.demo import CUSTOMERS, SCENARIOS, Demo, DemoFailed, actor
from services.cli.demo_complaints import ComplaintDemo
from services.cli.demo_customers import onboard
from services.cli.demo_orders import OrderDemo
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


def record_of(fields: dict[str, Any]) -> str | None:
    """The record a command is about: a complaint or an order may also name a customer (and a
    complaint an order), so their own numbers come first."""
    return (fields.get("complaint_no") or fields.get("order_no") or fields.get("request_no")
            or fields.get("customer_no"))


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
            record = str(record_of(payload) or payload.get("month") or "")
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

    customer_no: str = ""  # this burst's onboarded customer, for the orders (R-S2: its drawing)
    customer_name: str = ""

    async def send(self, department: str, name: str, who: str, /, **fields: Any) -> CommandReply:
        """As the demo's, except after a lost reply: the demo then takes any rule refusal as
        "the lost attempt was stored", but right after a restart the refusal may only mean
        that a reaction has not arrived yet. Here the record's audit trail decides: an event
        by this actor since the first attempt means it was stored."""
        deadline = time.monotonic() + self.patience
        payload = {"actor": actor(who), **fields}
        record = record_of(fields)
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
                raise DemoFailed(f"{name} {record or ''}: {reply.error.sentence()}")
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


    # -- the demo's orders and complaints, one record each --------------------------------
    def order(self, no: str) -> OrderDemo:
        return OrderDemo(self, no, self.customer_name, self.customer_no)

    async def order_on_time(self, no: str, customer: str) -> None:
        await demo_orders.on_time(self.order(no))

    async def order_reworked(self, no: str, customer: str) -> None:
        await demo_orders.rework(self.order(no))

    async def order_delayed(self, no: str, customer: str) -> None:
        await demo_orders.delayed(self.order(no))

    async def order_missed(self, no: str, customer: str) -> None:
        """A promise two seconds away passes without notice: the flow waits for the penalty."""
        await demo_orders.missed(self.order(no))

    async def complaint_reopened(self, no: str, customer: str) -> None:
        """Escalated to quality, analysed, replied; dissatisfied; escalated again; verified."""
        await demo_complaints.reopened(ComplaintDemo(self, no, customer))

    async def complaint_from_production(self, no: str, customer: str) -> None:
        """Reached production first, redirected into sales (R-C4), registered there."""
        await demo_complaints.from_production(ComplaintDemo(self, no, customer))


# The demo's sample scenarios (services.cli.demo.SCENARIOS), one of our own, then orders and
# complaints (services.cli.demo_orders / demo_complaints).
SAMPLE_FLOWS = (*SCENARIOS, ("completed before a near promise: no penalty", ChaosDemo.on_time))
ORDER_FLOWS = (
    ("order on time: promise, instructions, inspection passed, shipped", ChaosDemo.order_on_time),
    ("order inspection failed, reworked, passed, shipped", ChaosDemo.order_reworked),
    ("order delay notice in time", ChaosDemo.order_delayed),
    ("order's near promise missed without notice: penalty", ChaosDemo.order_missed),
)
COMPLAINT_FLOWS = (
    ("complaint escalated to quality, reopened, verified", ChaosDemo.complaint_reopened),
    ("complaint redirected from production into sales", ChaosDemo.complaint_from_production),
)
FLOWS = (*SAMPLE_FLOWS, *ORDER_FLOWS, *COMPLAINT_FLOWS)


@dataclass
class Flow:
    """One sample, order or complaint walked through one demo scenario, or one customer
    onboarded (R-S1, R-S2)."""

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
        demo.customer_no, demo.customer_name = customer, self.rng.choice(CUSTOMERS)
        self.flows.append(Flow(customer, None, asyncio.create_task(
            onboard(demo, customer, demo.customer_name), name=customer)))
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
