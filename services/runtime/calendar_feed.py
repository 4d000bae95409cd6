"""The company calendar for every department service: the environment's calendar with the
entries the SLA service stored (holidays, make-up days, working-hours changes), read from its
stream and followed while the service runs.

At start every entry of ``salesflow.sla.calendar.>`` on ``SALESFLOW_SLA`` is read (the entries are
few, and a replay needs no tracking); then, every few seconds, those stored since. Every
entry takes effect from the day after it was declared (``services.sla.calendar``), so a service
that sees one a moment late has counted nothing with the wrong calendar.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from uuid import UUID

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.calendar import WorkingCalendar
from contracts.subjects import CALENDAR_SUBJECTS, stream_name
from events.envelope import Department, DomainEvent
from events.sla import CALENDAR_ENTRIES
from services.runtime.lifecycle import wait_until_set
from services.runtime.messages import decode

log = logging.getLogger(__name__)


class CalendarFeed:
    """Folds the calendar's entries over ``base``; ``current`` is what the use cases count in."""

    def __init__(self, base: WorkingCalendar) -> None:
        self.base = base
        self.entries = 0
        self._calendar = base
        self._seen: set[UUID] = set()
        self._js: JetStreamContext | None = None
        self._task: asyncio.Task[None] | None = None
        # Set by stop: the loop ends on it even when a cancellation was swallowed (Python
        # 3.11's wait_for inside nats-py's requests may drop one).
        self._stopping = asyncio.Event()
        self._read = 0  # messages of the calendar's subjects read (folded or not)
        self._last_seq = 0  # stream sequence of the last one

    def current(self) -> WorkingCalendar:
        return self._calendar

    def fold(self, event: DomainEvent) -> bool:
        """Apply one calendar entry (once per event id); other events change nothing."""
        if not isinstance(event, CALENDAR_ENTRIES):
            return False
        if event.event_id in self._seen:
            return False
        self._seen.add(event.event_id)
        self._calendar = self._calendar.apply(event)
        self.entries += 1
        return True

    async def start(self, js: JetStreamContext, patience: float = 10.0,
                    interval: float = 5.0) -> bool:
        """Read every stored entry (waiting up to ``patience`` seconds), then look for new ones
        every ``interval`` seconds; False (and a warning) when the first reading took longer or
        failed: the feed goes on trying."""
        self._js = js
        try:
            await asyncio.wait_for(self.refresh(), patience)
            caught_up = True
        except (TimeoutError, nats.errors.Error) as error:
            log.warning("the company calendar's entries were not all read within %.0f s (%s); "
                        "counting with %d of them until the rest arrive", patience,
                        type(error).__name__, self.entries)
            caught_up = False
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._follow(interval), name="calendar-feed")
        log.info("company calendar: %d entries over the environment's calendar", self.entries)
        return caught_up

    async def refresh(self) -> int:
        """Fold the entries stored since the last one read; how many messages were read. An
        ephemeral pull consumer per reading: nothing lives on between readings, so a NATS
        restart or a shutdown leaves nothing behind to recreate or cancel."""
        assert self._js is not None, "start() first"
        stream = stream_name(Department.SLA)
        try:
            info = await self._js.stream_info(stream, subjects_filter=CALENDAR_SUBJECTS)
        except NotFoundError:
            return 0  # ensure_streams makes it; until then there is nothing to read
        if sum((info.state.subjects or {}).values()) <= self._read:
            return 0
        sub = await self._js.pull_subscribe(
            CALENDAR_SUBJECTS, stream=stream, config=ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self._last_seq + 1,
                ack_policy=AckPolicy.NONE, inactive_threshold=60.0, mem_storage=True))
        read = 0
        try:
            while True:
                try:
                    messages = await sub.fetch(100, timeout=1.0)
                except nats.errors.TimeoutError:
                    break
                for msg in messages:
                    self._read_one(msg)
                    read += 1
                if messages[-1].metadata.num_pending == 0:
                    break
        finally:
            with contextlib.suppress(nats.errors.Error, TimeoutError):
                await asyncio.wait_for(sub.unsubscribe(), 2.0)
        return read

    async def _follow(self, interval: float) -> None:
        while not await wait_until_set(self._stopping, interval):
            try:
                await asyncio.wait_for(self.refresh(), interval * 2)
            except (TimeoutError, nats.errors.Error) as error:  # NATS away: next time
                log.debug("calendar feed: no reading this time (%s)", type(error).__name__)

    async def stop(self, patience: float = 2.0) -> None:
        """Stop following (never held up by a NATS that is gone)."""
        if self._task is not None:
            task, self._task = self._task, None
            self._stopping.set()
            task.cancel()
            await asyncio.wait({task}, timeout=patience)

    def _read_one(self, msg: Msg) -> None:
        self._read += 1
        self._last_seq = max(self._last_seq, msg.metadata.sequence.stream)
        try:
            self.fold(decode(msg))
        except Exception as error:  # noqa: BLE001 - one unreadable entry must not stop the feed
            log.error("calendar entry on %s could not be read and is left out: %s",
                      msg.subject, error)
