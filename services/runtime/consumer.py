"""Durable, ordered consumption of one department's stream with exactly-once effect.

Messages are handled one after another in stream order. The handler stores its result together
with tracking ``(stream name, stream sequence)`` in one transaction, so a redelivered message is
recognised and only acknowledged. A message that keeps failing goes to the dead-letter stream.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, Tracking
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import FetchTimeoutError

from contracts.subjects import HEADER_TYPE, dead_letter_subject, durable_name, stream_name
from events.envelope import DomainEvent
from events.registry import REGISTRY
from services.runtime.settings import Settings
from services.runtime.streams import ensure_consumer

log = logging.getLogger(__name__)

# One delivered event: the decoded event, its tracking (stream, sequence) and the JSON it came as.
Delivery = tuple[DomainEvent, Tracking, bytes]
# Handles a batch of deliveries in order; returns how many it applied before the first failure,
# and the exception that stopped it (None when all were applied).
BatchHandler = Callable[[Sequence[Delivery]], Awaitable[tuple[int, Exception | None]]]
Position = Callable[[str], Awaitable[int]]


def stream_sequence(msg: Msg) -> int:
    """The message's stream sequence, read straight from its ack subject.

    ``$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>...`` (9 tokens), or with domain and
    account hash after ``ACK`` (11 or 12 tokens). nats-py's ``msg.metadata`` parses the same
    subject into dataclasses and a datetime, which costs more than the rest of our bookkeeping.
    """
    tokens = (msg.reply or "").split(".")
    if len(tokens) == 9:
        return int(tokens[5])
    if len(tokens) >= 11:
        return int(tokens[7])
    return int(msg.metadata.sequence.stream)


def decode(msg: Msg) -> DomainEvent:
    key = (msg.headers or {}).get(HEADER_TYPE)
    if not key:
        raise ValueError(f"message on {msg.subject} has no {HEADER_TYPE} header")
    return REGISTRY.decode_json(key, msg.data)


class StreamConsumer:
    """Pulls one source stream for one consumer (a department or the projections)."""

    def __init__(self, js: JetStreamContext, *, consumer: str, source: str,
                 filter_subjects: Sequence[str], handle: BatchHandler, position: Position,
                 settings: Settings, stream: str | None = None,
                 decoder: Callable[[Msg], Any] | None = None) -> None:
        self.js, self.consumer, self.source = js, consumer, source
        self.stream = stream or stream_name(source)
        self.durable = durable_name(consumer, source)
        self.decode = decoder or decode
        self.filter_subjects, self.handle, self.position = filter_subjects, handle, position
        self.settings = settings
        self.processed = 0
        self.dead_lettered = 0
        self._stopping = False
        self._sub: Any = None
        self._next: asyncio.Future[list[Msg]] | None = None

    async def start(self) -> None:
        tracked = await self.position(self.stream)
        await ensure_consumer(self.js, self.stream, self.durable, self.filter_subjects, tracked,
                              self.settings)
        self._sub = await self.js.pull_subscribe_bind(self.durable, stream=self.stream)

    async def run(self) -> None:
        """Start, then poll until ``stop``; an apply in progress always finishes first."""
        while not self._stopping:
            try:
                if self._sub is None:
                    await self.start()
                await self.poll_once(timeout=0.5)
            except Exception:  # noqa: BLE001 - NATS restarting, a store busy: try again
                log.warning("%s: poll failed; retrying", self.durable, exc_info=True)
                await asyncio.sleep(1.0)
        await self.close()

    def stop(self) -> None:
        """Ask ``run`` to return after the current poll (at most about half a second)."""
        self._stopping = True

    async def close(self) -> None:
        if self._next is not None:
            self._next.cancel()  # unacked prefetched messages come back to the next start
            self._next = None
        sub, self._sub = self._sub, None
        if sub is not None:
            try:
                await sub.unsubscribe()
            except Exception:  # noqa: BLE001 - connection already closed
                pass

    async def poll_once(self, timeout: float) -> int:
        """Apply one fetched batch; the next batch is already being fetched meanwhile."""
        fetching = self._next or asyncio.ensure_future(self._fetch(timeout))
        self._next = None
        msgs = await fetching
        if msgs:
            self._next = asyncio.ensure_future(self._fetch(timeout))
            await self.process(msgs)
        return len(msgs)

    async def _fetch(self, timeout: float) -> list[Msg]:
        try:
            return await self._sub.fetch(self.settings.fetch_batch, timeout=timeout)  # type: ignore[no-any-return]
        except (FetchTimeoutError, TimeoutError):
            return []

    async def process(self, msgs: list[Msg]) -> None:
        """Apply the new messages in stream order; retry a failure in place, then dead-letter it.

        Retrying here instead of nak-ing keeps the order: a nak'd message would come back after
        later ones, whose stored tracking would then hide it.
        """
        tracked = await self.position(self.stream)
        queue = [(stream_sequence(m), m) for m in msgs]
        queue = [(seq, m) for seq, m in queue if seq > tracked]
        attempt = 1
        while queue:
            applied, error = await self._apply_prefix(queue)
            self.processed += applied
            queue = queue[applied:]
            if error is None:
                break
            if isinstance(error, StoreUnavailable):
                # The database, not the message, is at fault: wait for it, dead-letter nothing.
                log.warning("%s: store unavailable (%s); retrying", self.durable, error)
                await queue[0][1].in_progress()
                await asyncio.sleep(1.0)
                continue
            if attempt < self.settings.max_deliver and not isinstance(error, UndecodableMessage):
                log.warning("%s: seq %d failed (attempt %d): %s", self.durable,
                            queue[0][0], attempt, error)
                await queue[0][1].in_progress()
                await asyncio.sleep(min(0.2 * 2 ** (attempt - 1), 5.0))
                attempt += 1
                continue
            await self._dead_letter(queue[0][1], error, attempt)
            queue, attempt = queue[1:], 1
        await msgs[-1].ack()  # AckPolicy.ALL: acknowledges every earlier message too

    async def _apply_prefix(self, queue: list[tuple[int, Msg]]) -> tuple[int, Exception | None]:
        items: list[Delivery] = []
        failure: Exception | None = None
        for seq, msg in queue:
            try:
                items.append((self.decode(msg), Tracking(self.stream, seq), msg.data))
            except Exception as error:
                failure = UndecodableMessage(str(error))
                break
        applied, error = await self.handle(items) if items else (0, None)
        return applied, error if error is not None else failure

    async def _dead_letter(self, msg: Msg, error: Exception, attempts: int) -> None:
        seq = stream_sequence(msg)
        body = json.dumps({
            "consumer": self.consumer, "stream": self.stream, "seq": seq, "subject": msg.subject,
            "error": f"{type(error).__name__}: {error}", "attempts": attempts,
            "headers": dict(msg.headers or {}), "data": msg.data.decode(errors="replace"),
        }).encode()
        await self.js.publish(dead_letter_subject(self.consumer, self.stream), body, timeout=5.0)
        self.dead_lettered += 1
        log.error("%s: seq %d dead-lettered after %d attempts: %s", self.durable, seq, attempts, error)


StoreUnavailable = (OperationalError, InterfaceError)


class UndecodableMessage(ValueError):
    """A message no retry can help: unknown type, missing header, invalid body."""
