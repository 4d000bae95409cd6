"""Step 1: the outbox relay (SQLite notification log -> JetStream) against raw ``publish_async``.

Both sides publish the same stored payloads with the same headers (``Nats-Msg-Id`` and the
salesflow type/department headers, plus the expected-stream header) in windows of 500,
awaiting every window's acks; the raw side gets its messages ready beforehand and publishes
into a throwaway stream with the department stream's configuration, so the difference is what
the relay adds: reading the notification log, building headers and subjects, and recording its
position after each page.
"""
from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from contracts.subjects import HEADER_DEPARTMENT, HEADER_TYPE
from events.envelope import Actor, Role
from events.registry import REGISTRY
from events.sales import MaterialSet
from services.domain import Context
from services.runtime.relay import Relay
from services.runtime.settings import Settings
from services.runtime.streams import department_stream
from services.sales.application import SalesApplication
from services.sales.sample import SampleRecord, sample_id

WINDOW = 500
PER_SAVE = 100
RAW_STREAM = "BENCH_RAW"
RAW_PREFIX = "bench.raw"

Say = Callable[[str], None]


@dataclass
class Rate:
    """Events moved and the seconds it took."""

    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("nan")


def fill_store(app: SalesApplication, events: int, say: Say) -> float:
    """Store ``events`` SampleRequested events, ``PER_SAVE`` aggregates per save; return seconds."""
    ctx = Context(actor=Actor(user="amy", role=Role.SALES_ASSISTANT), now=datetime.now(UTC),
                  correlation_id=uuid.uuid4())
    materials = MaterialSet(drawings=True, technical_requirements=True, original_sample=True,
                            quality_requirements=True, key_notes=False)
    started = time.perf_counter()
    for start in range(0, events, PER_SAVE):
        records = []
        for i in range(start, min(start + PER_SAVE, events)):
            no = f"B-{i:07d}"
            record = SampleRecord(id=sample_id(no))
            record.request(ctx, request_no=no, customer=f"Customer {i % 37}",
                           product="EMI gasket", part_no=f"P-{i:07d}", salesperson="bob",
                           materials=materials)
            records.append(record)
        app.store(*records)
        if (start // PER_SAVE) % 50 == 49:
            say(f"  ... {start + PER_SAVE} events stored")
    return time.perf_counter() - started


def raw_messages(app: SalesApplication, events: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """The relay's messages, read from the store ahead of time, retargeted at the raw stream."""
    department = app.name
    out: list[tuple[str, bytes, dict[str, str]]] = []
    position = 0
    while len(out) < events:
        page = app.process_recorder.select_notifications(position + 1, 1000)
        if not page:
            break
        for n in page:
            subject = REGISTRY.cls(n.topic.rpartition(".v")[0]).subject()
            out.append((RAW_PREFIX + subject.removeprefix("salesflow"), n.state, {
                "Nats-Msg-Id": f"{department}:{n.id}", HEADER_TYPE: n.topic,
                HEADER_DEPARTMENT: department}))
        position = page[-1].id
    return out


async def publish_windows(js: JetStreamContext, messages: list[tuple[str, bytes, dict[str, str]]],
                          stream: str) -> None:
    for start in range(0, len(messages), WINDOW):
        futures = [await js.publish_async(subject, payload, headers=dict(headers), stream=stream)
                   for subject, payload, headers in messages[start:start + WINDOW]]
        await asyncio.wait_for(asyncio.gather(*futures), 30.0)


async def raw_publish(js: JetStreamContext, app: SalesApplication, settings: Settings,
                      events: int, say: Say) -> Rate:
    """Raw nats-py ``publish_async`` of the same payloads into a stream configured like ours."""
    config: StreamConfig = replace(department_stream(app.name, settings), name=RAW_STREAM,
                                   subjects=[f"{RAW_PREFIX}.>"])
    await js.add_stream(config)
    messages = await asyncio.to_thread(raw_messages, app, events)
    warm = [(s, p, dict(h, **{"Nats-Msg-Id": f"warm:{i}"})) for i, (s, p, h)
            in enumerate(messages[:1000])]
    await publish_windows(js, warm, RAW_STREAM)  # warm up the server and the connection
    say(f"raw publish_async: {len(messages)} messages in windows of {WINDOW} ...")
    started = time.perf_counter()
    await publish_windows(js, messages, RAW_STREAM)
    seconds = time.perf_counter() - started
    await js.delete_stream(RAW_STREAM)
    return Rate(len(messages), seconds)


async def relay_publish(js: JetStreamContext, app: SalesApplication, events: int,
                        say: Say) -> Rate:
    """Our Relay, page after page, into the department stream (already declared)."""
    relay = Relay(app, js, batch=WINDOW)
    say(f"relay: {events} events into {relay.stream} ...")
    deadline = time.monotonic() + 300
    started = time.perf_counter()
    await relay.align()
    while relay.published < events:
        await relay.publish_next()
        if time.monotonic() > deadline:
            raise TimeoutError(f"relay published only {relay.published} of {events}")
    seconds = time.perf_counter() - started
    return Rate(relay.published, seconds)
