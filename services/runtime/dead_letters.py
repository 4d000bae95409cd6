"""Dead letters: counted, listed and redriven from the dead-letter stream itself.

A consumer publishes what it could not apply to ``salesflow.dlq.<consumer>.<stream>`` (stream
``SALESFLOW_DEAD_LETTERS``). Nothing about them lives in memory: counts come from the stream's
per-subject counts, and a letter that was applied again ("redriven") is deleted from it.

A redrive applies the letter through the consumer's own handler with the tracking
``redrive:<event id>`` (position 1), in one transaction with its effect: a redrive repeated after
a crash finds that tracking and only deletes the letter.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.subjects import DEAD_LETTER_STREAM, DEAD_LETTER_SUBJECTS, PREFIX
from services.runtime.consumer import StreamConsumer


@dataclass
class Letter:
    """One dead letter as stored: where it came from, why it failed, the message itself."""

    seq: int
    consumer: str
    stream: str
    source_seq: int
    subject: str
    error: str
    attempts: int
    headers: dict[str, str] = field(default_factory=dict)
    data: bytes = b""

    @classmethod
    def parse(cls, seq: int, raw: bytes) -> Letter:
        body = json.loads(raw)
        return cls(seq=seq, consumer=body["consumer"], stream=body["stream"],
                   source_seq=body["seq"], subject=body["subject"], error=body["error"],
                   attempts=body["attempts"], headers=body.get("headers") or {},
                   data=body["data"].encode())

    @property
    def event_id(self) -> str:
        return self.headers.get("Nats-Msg-Id") or f"{self.stream}:{self.source_seq}"

    def summary(self) -> dict[str, Any]:
        return {"seq": self.seq, "consumer": self.consumer, "stream": self.stream,
                "source_seq": self.source_seq, "subject": self.subject, "error": self.error,
                "attempts": self.attempts, "type": self.headers.get("Salesflow-Type"),
                "event_id": self.event_id}


async def counts(js: JetStreamContext) -> dict[str, int]:
    """Dead letters per consumer, from the stream's per-subject counts."""
    try:
        info = await js.stream_info(DEAD_LETTER_STREAM, subjects_filter=DEAD_LETTER_SUBJECTS)
    except NotFoundError:
        return {}
    totals: dict[str, int] = {}
    for subject, count in (info.state.subjects or {}).items():
        consumer = subject.removeprefix(f"{PREFIX}.dlq.").split(".", 1)[0]
        totals[consumer] = totals.get(consumer, 0) + count
    return totals


async def letters(js: JetStreamContext, limit: int = 1000) -> list[Letter]:
    """The dead letters in the order they came, oldest first."""
    try:
        info = await js.stream_info(DEAD_LETTER_STREAM)
    except NotFoundError:
        return []
    found: list[Letter] = []
    seq = info.state.first_seq
    while seq and seq <= info.state.last_seq and len(found) < limit:
        try:
            msg = await js.get_msg(DEAD_LETTER_STREAM, seq=seq, subject=DEAD_LETTER_SUBJECTS,
                                   next=True)
        except NotFoundError:
            break
        found.append(Letter.parse(msg.seq or seq, msg.data or b""))
        seq = (msg.seq or seq) + 1
    return found


async def letter(js: JetStreamContext, seq: int) -> Letter | None:
    try:
        msg = await js.get_msg(DEAD_LETTER_STREAM, seq=seq)
    except NotFoundError:
        return None
    return Letter.parse(seq, msg.data or b"")


class RedriveRefused(RuntimeError):
    """The letter cannot be redriven by this component (wrong consumer, still failing)."""


async def redrive(js: JetStreamContext, seq: int, component: str,
                  consumers: list[StreamConsumer],
                  position: Callable[[str], Awaitable[int]] | None = None) -> str:
    """Apply dead letter ``seq`` again through ``component``'s consumer of its stream, then
    delete it. Returns what happened, in a sentence. ``position`` reads a tracked position
    (default: the consumer's own reader)."""
    found = await letter(js, seq)
    if found is None:
        raise RedriveRefused(f"there is no dead letter {seq}")
    if found.consumer != component:
        raise RedriveRefused(f"dead letter {seq} belongs to {found.consumer}, not {component}")
    consumer = next((c for c in consumers if c.stream == found.stream), None)
    if consumer is None:
        raise RedriveRefused(f"{component} does not consume {found.stream} now (standby?)")
    tracking = Tracking(f"redrive:{found.event_id}", 1)
    tracked = position or consumer.position
    if await tracked(tracking.application_name) >= 1:
        await js.delete_msg(DEAD_LETTER_STREAM, seq)
        return f"dead letter {seq} was applied before; removed"
    event = consumer.decode(found)  # type: ignore[arg-type]  # has headers, data, subject
    applied, error = await consumer.handle([(event, tracking, found.data)])
    if not applied:
        if isinstance(error, IntegrityError) and await tracked(tracking.application_name) >= 1:
            await js.delete_msg(DEAD_LETTER_STREAM, seq)
            return f"dead letter {seq} was applied before; removed"
        raise RedriveRefused(f"dead letter {seq} still fails: {type(error).__name__}: {error}")
    await js.delete_msg(DEAD_LETTER_STREAM, seq)
    return f"dead letter {seq} applied and removed"


async def redrive_reply(js: JetStreamContext, body: bytes, component: str,
                        consumers: list[StreamConsumer],
                        position: Callable[[str], Awaitable[int]] | None = None) -> bytes:
    """``{"seq": N}`` → ``{"ok": true, "message": ...}`` or ``{"error": {...}}``."""
    try:
        seq = int(json.loads(body or b"{}")["seq"])
        message = await redrive(js, seq, component, consumers, position)
    except (KeyError, ValueError, TypeError):
        return json.dumps({"error": {"kind": "validation", "field": "seq",
                                     "message_en": "give the dead letter's number as seq",
                                     "message_zh": "请用 seq 指定死信编号"}}).encode()
    except RedriveRefused as error:
        return json.dumps({"error": {"kind": "rule", "message_en": str(error),
                                     "message_zh": f"无法重新投递：{error}"}}).encode()
    return json.dumps({"ok": True, "message": message}).encode()
