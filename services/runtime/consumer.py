"""Durable, ordered consumption of one stream with exactly-once effect.

Messages are handled one after another in stream order. The handler stores its result together
with tracking ``(<stream>@<epoch>, stream sequence)`` in one transaction, so a redelivered
message is recognised and only acknowledged.

Acknowledgement is ``AckPolicy.ALL``: acking a message acks every earlier one. So only the last
message that was applied, dead-lettered, or found already applied is ever acked. Whatever fails
outside the handler (reading the position, a dead-letter publish, ``in_progress``, a gap in the
deliveries) drops the prefetched batch and the subscription; the next start recreates the durable
right after the tracked position, so nothing unapplied is ever acknowledged.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import FetchTimeoutError

from contracts.subjects import dead_letter_subject, durable_name, stream_name
from events.envelope import DomainEvent
from services.runtime.faults import is_outage
from services.runtime.lifecycle import wait_until_set
from services.runtime.messages import (
    UndecodableMessage,
    UnknownType,
    ack_numbers,
    decode,
)
from services.runtime.settings import Settings
from services.runtime.streams import ensure_consumer, epoch_of

log = logging.getLogger(__name__)

# One delivered event: the decoded event, its tracking (stream, sequence) and the JSON it came as.
Delivery = tuple[DomainEvent, Tracking, bytes]
# Handles a batch of deliveries in order; returns how many it applied before the first failure,
# and the exception that stopped it (None when all were applied).
BatchHandler = Callable[[Sequence[Delivery]], Awaitable[tuple[int, Exception | None]]]
Position = Callable[[str], Awaitable[int]]
# Records that a message was passed over (dead-lettered), so a restart does not try it again.
Skip = Callable[[Tracking], Awaitable[None]]


class Verdict(Enum):
    WAIT = "wait"  # not the message's fault: try again, for as long as it takes
    RETRY = "retry"  # maybe the message's fault: a few attempts, then dead letters
    DEAD = "dead"  # no retry can help: dead letters now


class TrackingConflict(RuntimeError):
    """Tracking moved past a message this consumer did not apply: another writer shares it."""


class ConsumerGap(RuntimeError):
    """Deliveries skipped a consumer sequence (lost in transit): start again from tracking."""


class StreamConsumer:
    """Pulls one source stream for one consumer (a department or the projections)."""

    def __init__(self, js: JetStreamContext, *, consumer: str, source: str,
                 filter_subjects: Sequence[str], handle: BatchHandler, position: Position,
                 settings: Settings, stream: str | None = None,
                 decoder: Callable[[Msg], Any] | None = None, skip: Skip | None = None) -> None:
        self.js, self.consumer, self.source = js, consumer, source
        self.stream = stream or stream_name(source)
        self.durable = durable_name(consumer, source)
        self.tracking_name = self.stream  # "<stream>@<epoch>" once started
        self.decode = decoder or decode
        self.filter_subjects, self.handle, self.position = filter_subjects, handle, position
        self.settings, self.skip = settings, skip
        self.processed = 0
        self.dead_lettered = 0
        self.waiting: str | None = None  # why the consumer is not moving on, for `status`
        self._stopping = False
        self._stop = asyncio.Event()
        self._sub: Any = None
        self._next: asyncio.Future[list[Msg]] | None = None
        self._last_dseq = 0

    async def start(self) -> None:
        info = await self.js.stream_info(self.stream)
        epoch = epoch_of(info)
        self.tracking_name = f"{self.stream}@{epoch}" if epoch else self.stream
        tracked = await self.position(self.tracking_name)
        if tracked > info.state.last_seq:
            log.warning("%s: applied up to %d but %s ends at %d (messages lost by NATS?); "
                        "going on after %d", self.durable, tracked, self.stream,
                        info.state.last_seq, tracked)
        self._last_dseq = await ensure_consumer(self.js, self.stream, self.durable,
                                                self.filter_subjects, tracked, self.settings)
        self._sub = await self.js.pull_subscribe_bind(self.durable, stream=self.stream)

    async def run(self) -> None:
        """Start, then poll until ``stop``; an apply in progress always finishes first."""
        while not self._stopping:
            try:
                if self._sub is None:
                    await self.start()
                await self.poll_once(timeout=0.5)
            except Exception as error:  # noqa: BLE001 - NATS restarting, store away, a gap
                self.waiting = f"{type(error).__name__}: {error}"
                log.warning("%s: %s; starting again from the tracked position", self.durable,
                            self.waiting, exc_info=not isinstance(error, ConsumerGap))
                await self.close()
                await wait_until_set(self._stop, 1.0)
        await self.close()

    def stop(self) -> None:
        """Ask ``run`` to return after the current apply (at most about half a second)."""
        self._stopping = True
        self._stop.set()

    async def close(self) -> None:
        """Drop the prefetched batch (it comes back after the next start) and the subscription."""
        fetching, self._next = self._next, None
        if fetching is not None:
            fetching.cancel()
            await asyncio.gather(fetching, return_exceptions=True)
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
        later ones, whose stored tracking would then hide it. Only the last message that was
        dealt with is acknowledged, also when this raises half-way.
        """
        tracked = await self.position(self.tracking_name)
        done: Msg | None = None
        queue: list[tuple[int, Msg]] = []
        for msg in msgs:
            seq, dseq = ack_numbers(msg)
            if dseq != self._last_dseq + 1:
                raise ConsumerGap(f"delivery {dseq} follows {self._last_dseq}")
            self._last_dseq = dseq
            if seq <= tracked:
                done = msg  # applied before (a redelivery): only to be acknowledged
            else:
                queue.append((seq, msg))
        attempt = 1
        try:
            while queue and not self._stopping:
                applied, error = await self._apply_prefix(queue)
                if applied:
                    self.processed += applied
                    done, queue, attempt = queue[applied - 1][1], queue[applied:], 1
                if error is None:
                    if queue:  # a handler must say why it stopped short
                        error = RuntimeError(f"handler applied {applied} and gave no reason")
                    else:
                        break
                seq, head = queue[0]
                verdict, error = await self._judge(error, seq)
                if verdict is Verdict.WAIT or (verdict is Verdict.RETRY
                                               and attempt < self.settings.max_deliver):
                    self._note(verdict, seq, attempt, error)
                    await head.in_progress()
                    await wait_until_set(self._stop, 1.0 if verdict is Verdict.WAIT
                                      else min(0.2 * 2 ** (attempt - 1), 5.0))
                    if verdict is Verdict.RETRY:
                        attempt += 1
                    continue
                await self._dead_letter(head, seq, error, attempt)
                done, queue, attempt = head, queue[1:], 1
            if not queue:
                self.waiting = None
        finally:
            if done is not None:
                await done.ack()  # AckPolicy.ALL: acknowledges every earlier message too

    async def _apply_prefix(self, queue: list[tuple[int, Msg]]) -> tuple[int, Exception | None]:
        items: list[Delivery] = []
        failure: Exception | None = None
        for seq, msg in queue:
            try:
                items.append((self.decode(msg), Tracking(self.tracking_name, seq), msg.data))
            except (UnknownType, UndecodableMessage) as error:
                failure = error
                break
            except Exception as error:  # noqa: BLE001 - a custom decoder's validation error
                failure = UndecodableMessage(str(error))
                break
        applied, handled = await self.handle(items) if items else (0, None)
        return applied, handled if handled is not None else failure

    async def _judge(self, error: Exception, seq: int) -> tuple[Verdict, Exception]:
        if isinstance(error, UnknownType):
            return Verdict.WAIT, error
        if isinstance(error, UndecodableMessage):
            return Verdict.DEAD, error
        if is_outage(error):
            return Verdict.WAIT, error
        if isinstance(error, IntegrityError) and await self.position(self.tracking_name) >= seq:
            return Verdict.DEAD, TrackingConflict(
                f"{self.tracking_name} was tracked past {seq} by another writer (a second copy of "
                f"{self.consumer}?) before this message was applied")
        return Verdict.RETRY, error

    def _note(self, verdict: Verdict, seq: int, attempt: int, error: Exception) -> None:
        reason = f"seq {seq}: {type(error).__name__}: {error}"
        if verdict is Verdict.WAIT:
            if self.waiting != reason:
                log.warning("%s: waiting (%s)", self.durable, reason)
            self.waiting = reason
        else:
            log.warning("%s: attempt %d failed at %s", self.durable, attempt, reason)

    async def _dead_letter(self, msg: Msg, seq: int, error: Exception, attempts: int) -> None:
        """Publish the message to the dead letters (once: its id is deduplicated), then pass it."""
        headers = dict(msg.headers or {})
        event_id = headers.get("Nats-Msg-Id") or f"{self.tracking_name}:{seq}"
        body = json.dumps({
            "consumer": self.consumer, "stream": self.stream, "tracking": self.tracking_name,
            "seq": seq, "subject": msg.subject, "error": f"{type(error).__name__}: {error}",
            "attempts": attempts, "headers": headers, "data": msg.data.decode(errors="replace"),
        }).encode()
        await self.js.publish(dead_letter_subject(self.consumer, self.stream), body, timeout=5.0,
                              headers={"Nats-Msg-Id": f"dlq:{self.consumer}:{event_id}"})
        if self.skip is not None:
            try:
                await self.skip(Tracking(self.tracking_name, seq))
            except IntegrityError:
                pass  # tracking is already past it (a tracking conflict)
        self.dead_lettered += 1
        log.error("%s: seq %d dead-lettered after %d attempts: %s", self.durable, seq, attempts,
                  error)
