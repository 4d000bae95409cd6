"""What a running system holds, read through its external interfaces only.

The department stores through eventsourcing (``DepartmentApplication`` + ``select_notifications``),
the JetStream streams through a throw-away consumer (the event id is read from each message's
JSON body, whatever the message id scheme), the components through their status subjects.
"""
from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client as Nats
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.subjects import (
    COMPONENTS,
    DEAD_LETTER_STREAM,
    DEPARTMENTS,
    status_subject,
    stream_name,
)
from contracts.timers import TIMERS_STREAM
from services.runtime.settings import Settings
from services.runtime.store import DepartmentApplication

STREAMS = {d.value: stream_name(d) for d in DEPARTMENTS}
# The streams whose traffic is events and their effects (not, e.g., a lease's key-value bucket,
# which changes all the time while nothing else moves).
WATCHED = (*STREAMS.values(), TIMERS_STREAM, DEAD_LETTER_STREAM)


@dataclass(frozen=True)
class StoredEvent:
    """One event of a department's store, as the checks need it."""

    department: str
    position: int  # notification id
    type: str
    event_id: str
    causation_id: str | None
    record: str | None  # the complaint, order, sample request or customer no. it belongs to
    role: str | None
    body: dict[str, Any]  # the event's JSON


def _stored(department: str, position: int, topic: str, state: bytes) -> StoredEvent:
    body = json.loads(state)
    # An order's events also name its customer, a complaint's may name an order: own number first.
    record = (body.get("complaint_no") or body.get("order_no") or body.get("request_no")
              or body.get("customer_no") or body.get("record"))
    return StoredEvent(department, position, topic.rpartition(".v")[0] or topic, str(body["event_id"]),
                       body.get("causation_id"), record, (body.get("actor") or {}).get("role"), body)


def read_store(settings: Settings, department: str) -> list[StoredEvent]:
    """Every event in the department's store, in notification order (blocking: run in a thread)."""
    app = DepartmentApplication(settings.store_env(department))
    try:
        events: list[StoredEvent] = []
        start = 1
        while True:
            page = app.recorder.select_notifications(start, 1000)
            if not page:
                return events
            events += [_stored(department, n.id, n.topic, n.state) for n in page]
            start = page[-1].id + 1
    finally:
        app.close()


async def read_stores(settings: Settings) -> dict[str, list[StoredEvent]]:
    reads = [asyncio.to_thread(read_store, settings, d) for d in STREAMS]
    return dict(zip(STREAMS, await asyncio.gather(*reads), strict=True))


async def read_stream(js: JetStreamContext, stream: str,
                      attempts: int = 3) -> list[tuple[int, dict[str, Any] | None]]:
    """``(sequence, JSON body or None)`` of every message in the stream, in order.

    A cluster may answer "unavailable" for a moment after a leader change: a failed read is
    started again from the beginning, with a new consumer."""
    for attempt in range(1, attempts + 1):
        try:
            return await _read_stream(js, stream)
        except NotFoundError:
            return []
        except Exception:
            if attempt == attempts:
                raise
            await asyncio.sleep(1.0)
    raise AssertionError("unreachable")


async def _read_stream(js: JetStreamContext, stream: str) -> list[tuple[int, dict[str, Any] | None]]:
    info = await js.stream_info(stream)
    if not info.state.messages:
        return []
    last = info.state.last_seq
    name = f"chaos-read-{uuid.uuid4().hex[:12]}"
    await js.add_consumer(stream, ConsumerConfig(
        name=name, ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL,
        inactive_threshold=30.0, mem_storage=True, num_replicas=1))
    out: list[tuple[int, dict[str, Any] | None]] = []
    try:
        sub = await js.pull_subscribe_bind(consumer=name, stream=stream)
        seq = 0
        while seq < last:
            msgs = await sub.fetch(1000, timeout=5.0)
            for msg in msgs:
                seq = msg.metadata.sequence.stream
                try:
                    body = json.loads(msg.data)
                except ValueError:
                    body = None
                out.append((seq, body if isinstance(body, dict) else None))
        await sub.unsubscribe()
    finally:
        try:
            await js.delete_consumer(stream, name)
        except Exception:  # noqa: BLE001 - it expires by itself (inactive_threshold)
            pass
    return out


async def read_streams(js: JetStreamContext) -> dict[str, list[tuple[int, dict[str, Any] | None]]]:
    return {d: await read_stream(js, s) for d, s in STREAMS.items()}


async def dead_letters(js: JetStreamContext) -> list[dict[str, Any]]:
    """The dead-letter stream's messages (their JSON bodies)."""
    return [body or {} for _, body in await read_stream(js, DEAD_LETTER_STREAM)]


async def statuses(nc: Nats, timeout: float = 1.0) -> dict[str, dict[str, Any] | None]:
    """Each component's status reply, or None when it does not answer."""

    async def ask(name: str) -> dict[str, Any] | None:
        try:
            reply = await nc.request(status_subject(name), b"", timeout=timeout)
            answer = json.loads(reply.data)
            return answer if isinstance(answer, dict) else None
        except Exception:  # noqa: BLE001 - not answering, for whatever reason
            return None

    answers = await asyncio.gather(*(ask(name) for name in COMPONENTS))
    return dict(zip(COMPONENTS, answers, strict=True))


async def pending(js: JetStreamContext) -> dict[str, int]:
    """Messages not yet acknowledged by each consumer of the watched streams (ours excluded)."""
    out: dict[str, int] = {}
    for name in WATCHED:
        try:
            infos = await js.consumers_info(name)
        except NotFoundError:
            continue
        for info in infos:
            if info.name.startswith("chaos-read-"):
                continue
            out[f"{name}/{info.name}"] = (info.num_pending or 0) + (info.num_ack_pending or 0)
    return out


async def stream_states(js: JetStreamContext) -> dict[str, Any]:
    """``StreamState`` of each watched stream that exists."""
    states = {}
    for name in WATCHED:
        try:
            states[name] = (await js.stream_info(name)).state
        except NotFoundError:
            pass
    return states


async def replicas_current(js: JetStreamContext) -> list[str]:
    """Streams of a cluster without a leader or with a replica behind (empty when all current)."""
    behind = []
    for stream in STREAMS.values():
        try:
            cluster = (await js.stream_info(stream)).cluster
        except NotFoundError:
            continue
        if cluster is None:
            continue
        if not cluster.leader:
            behind.append(f"{stream}: no leader")
        for peer in cluster.replicas or []:
            if not peer.current or peer.offline:
                behind.append(f"{stream}: replica {peer.name} {'offline' if peer.offline else 'behind'}")
    return behind


async def stream_leader(js: JetStreamContext, stream: str) -> str | None:
    cluster = (await js.stream_info(stream)).cluster
    return cluster.leader if cluster else None
