"""The outbox relay: the store's notification log, in order, to the department's stream.

A page of notifications goes to JetStream as one atomic batch (NATS 2.12+) whose first message
expects the stream's last sequence to be the one the relay last saw: a page is stored whole, in
order, after everything published before it, or not at all. Every message carries
``Nats-Msg-Id: <event id>`` (unique across store lifetimes, unlike a notification id) and
``Salesflow-Notification: <notification id>``.

Where to go on from is read from the stream itself, not only from the relay's tracking: on
start and after any failure the relay looks at the stream's last message and, when it is one of
this store's events, continues right after it. So a page stored before a crash is not sent
twice (even after the dedupe window), and events an OS crash took from the stream are sent again.
"""
from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass

import orjson
from eventsourcing.persistence import IntegrityError, Notification, Tracking
from nats.aio.client import Client as Nats
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.subjects import (
    HEADER_DEPARTMENT,
    HEADER_NOTIFICATION,
    HEADER_TYPE,
    stream_name,
    stream_subjects,
)
from services.runtime.lifecycle import wait_until_set
from services.runtime.store import DepartmentApplication
from services.runtime.timers import LocalTimers, TimerScheduler

log = logging.getLogger(__name__)

WRONG_LAST_SEQUENCE = 10071  # another writer (or our own lost ack) moved the stream on
DUPLICATE_IN_BATCH = 10201  # a message id of the batch is already in the stream


class Misaligned(RuntimeError):
    """The stream is not where the relay thought: align again before the next page."""


@dataclass
class Alignment:
    """Where the relay stands: last notification in the stream, the stream's last sequence."""

    position: int
    stream_last: int


class Relay:
    """Publishes new stored events of one application; wake it with ``poke`` after a save."""

    def __init__(self, app: DepartmentApplication, js: JetStreamContext, *, batch: int = 500,
                 idle: float = 0.5, ack_timeout: float = 10.0, timer_grace: float = 5.0,
                 timers: bool = True, clock_offset: float = 0.0,
                 local_timers: bool = False) -> None:
        self.app, self.js, self.batch, self.idle, self.ack_timeout = app, js, batch, idle, ack_timeout
        self.nc: Nats = js._nc  # atomic batches are plain publishes with headers
        kind = LocalTimers if local_timers else TimerScheduler
        self.scheduler: TimerScheduler | LocalTimers | None = (
            kind(js, app.name, timer_grace, clock_offset) if timers else None)
        self.department = app.name
        self.stream = stream_name(app.name)
        self.tracking_name = f"relay:{self.stream}"
        self.published = 0
        self.position = 0
        self.error: str | None = None
        self._stream_last = 0
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._stopping = False

    def poke(self) -> None:
        self._wake.set()

    async def rebuild_local_timers(self, timers: LocalTimers) -> None:
        """Local timers live in this process only: find them again in the store."""
        timers.stop()
        position, pending = 0, 0
        while page := await asyncio.to_thread(
                self.app.process_recorder.select_notifications, position + 1, 1000):
            pending = timers.rebuild(page)
            position = page[-1].id
        log.warning("%s: local timers took over from JetStream message schedules "
                    "(SALESFLOW_TIMERS=local); %d pending timers rebuilt from the store",
                    self.department, pending)

    def stop(self) -> None:
        """Ask ``run`` to return before its next page. (Cancelling alone is not enough: on
        Python 3.11 ``wait_for`` may swallow a cancellation that meets a wake-up.)"""
        self._stopping = True
        self._stop.set()
        self._wake.set()
        if isinstance(self.scheduler, LocalTimers):
            self.scheduler.stop()  # the copy that takes over rebuilds them

    def backlog(self) -> int:
        """Stored events not yet in the stream (blocking: call from a thread)."""
        return max((self.app.recorder.max_notification_id() or 0) - self.position, 0)

    async def run(self) -> None:
        """Align, then publish page after page; after any failure, wait and align again.

        A failure right after aligning, again and again, is no passing fault (e.g. the stream
        still remembers the ids of events that are no longer in it): it is logged as an error,
        shown by ``salesflow status``, and retried less and less often."""
        aligned, failures = False, 0
        self._stopping = False
        self._stop.clear()
        if isinstance(self.scheduler, LocalTimers):
            await self.rebuild_local_timers(self.scheduler)
        while not self._stopping:
            try:
                if not aligned:
                    await self.align()
                    aligned = True
                await self.publish_next()
                self.error, failures = None, 0
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - NATS down, store busy, stream moved on
                failures += 1
                self.error = f"{type(error).__name__}: {error}"
                level = logging.ERROR if failures >= 3 else logging.WARNING
                log.log(level, "relay of %s could not publish (%s); aligning again",
                        self.department, self.error, exc_info=not isinstance(error, Misaligned))
                aligned = False
                await wait_until_set(self._stop, min(2.0 ** (failures - 1), 30.0))

    async def align(self) -> Alignment:
        """Continue after the stream's last message when it is one of ours, else after tracking."""
        tracked = await asyncio.to_thread(self.app.tracked_position, self.tracking_name)
        info = await self.js.stream_info(self.stream)
        last = info.state.last_seq
        position = tracked
        if info.state.messages == 0:
            if tracked:
                log.warning("stream %s is empty but %d events were published to it before: "
                            "publishing them again (was the stream recreated?)", self.stream, tracked)
            position = 0
        else:
            ours = await self._ours()
            if ours is None:
                log.warning("the last message of %s is not an event of this %s store (a store "
                            "recreated or restored?): going on from its own position %d",
                            self.stream, self.department, tracked)
            elif ours < tracked:
                log.warning("stream %s lacks events %d..%d (lost in an OS crash?): publishing "
                            "them again", self.stream, ours + 1, tracked)
                position = ours
            else:
                position = ours
        self.position, self._stream_last = position, last
        return Alignment(position, last)

    async def _ours(self) -> int | None:
        """The notification id of the stream's last message, if it is this store's event."""
        try:
            msg = await self.js.get_msg(self.stream, subject=stream_subjects(self.department),
                                        direct=True)
        except NotFoundError:
            return None
        headers = msg.headers or {}
        try:
            notification_id = int(headers.get(HEADER_NOTIFICATION, ""))
        except ValueError:
            return None
        page = await asyncio.to_thread(
            self.app.process_recorder.select_notifications, notification_id, 1)
        if not page or page[0].id != notification_id:
            return None
        return notification_id if _event_id(page[0]) == headers.get("Nats-Msg-Id") else None

    async def publish_next(self) -> int:
        """Publish one page after the current position; wait for new events when there are none."""
        self._wake.clear()
        page = await asyncio.to_thread(
            self.app.process_recorder.select_notifications, self.position + 1, self.batch)
        if not page:
            await wait_until_set(self._wake, self.idle)
            return 0
        await self.publish_page(page)
        self.position = page[-1].id
        await asyncio.to_thread(self._record, self.position)
        self.published += len(page)
        return len(page)

    async def publish_page(self, page: list[Notification]) -> None:
        """Timers first (so a page is never stored without them), then the page as one batch."""
        if self.scheduler is not None:
            await self.scheduler.schedule(page, self.ack_timeout)
        batch_id = uuid.uuid4().hex
        reply: dict[str, object] = {}
        for index, n in enumerate(page, 1):
            headers = {
                "Nats-Batch-Id": batch_id,
                "Nats-Batch-Sequence": str(index),
                "Nats-Msg-Id": _event_id(n),
                HEADER_TYPE: n.topic,
                HEADER_DEPARTMENT: self.department,
                HEADER_NOTIFICATION: str(n.id),
            }
            if index == 1:
                headers["Nats-Expected-Last-Sequence"] = str(self._stream_last)
            if index == len(page):
                headers["Nats-Batch-Commit"] = "1"
            subject = _subject(n.topic)
            if index == 1 or index == len(page):  # the start and the commit are acknowledged
                msg = await self.nc.request(subject, n.state, timeout=self.ack_timeout,
                                            headers=headers)
                reply = orjson.loads(msg.data) if msg.data else {}
                _raise_for(reply, self.stream)
            else:
                await self.nc.publish(subject, n.state, headers=headers)
        self._stream_last = int(reply["seq"])  # type: ignore[call-overload]
        if reply.get("count") != len(page):
            raise Misaligned(f"{self.stream} stored {reply.get('count')} of {len(page)} events")

    def _record(self, last: int) -> None:
        try:
            self.app.process_recorder.insert_tracking(Tracking(self.tracking_name, last))
        except IntegrityError:
            pass  # re-publishing what an OS crash took from the stream: tracking is already past


def _raise_for(reply: dict[str, object], stream: str) -> None:
    error = reply.get("error")
    if not isinstance(error, dict):
        return
    code = error.get("err_code")
    if code in (WRONG_LAST_SEQUENCE, DUPLICATE_IN_BATCH):
        raise Misaligned(f"{stream}: {error.get('description')}")
    raise RuntimeError(f"{stream} refused the page: {error.get('description')} ({code})")


def _event_id(n: Notification) -> str:
    return str(orjson.loads(n.state)["event_id"])


_SUBJECTS: dict[str, str] = {}


def _subject(topic: str) -> str:
    subject = _SUBJECTS.get(topic)
    if subject is None:
        from events.registry import REGISTRY

        subject = _SUBJECTS[topic] = REGISTRY.cls(topic.rpartition(".v")[0]).subject()
    return subject
