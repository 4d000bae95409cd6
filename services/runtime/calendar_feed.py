"""The company calendar for every department service: the environment's calendar with the
entries the SLA service stored (holidays, make-up days, working-hours changes), read from its
stream and followed while the service runs.

An ordered, ephemeral JetStream consumer replays ``salesflow.sla.calendar.>`` from the start of
``SALESFLOW_SLA`` at every start: the entries are few, and a replay needs no tracking. Every
entry takes effect from the day after it was declared (``services.sla.calendar``), so a service
that sees one a moment late has counted nothing with the wrong calendar.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any
from uuid import UUID

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.calendar import WorkingCalendar
from contracts.subjects import CALENDAR_SUBJECTS, stream_name
from events.envelope import Department, DomainEvent
from events.sla import HolidayDeclared, WorkdayDeclared, WorkingHoursChanged
from services.runtime.messages import decode

log = logging.getLogger(__name__)


class CalendarFeed:
    """Folds the calendar's entries over ``base``; ``current`` is what the use cases count in."""

    def __init__(self, base: WorkingCalendar) -> None:
        self.base = base
        self.entries = 0
        self._calendar = base
        self._seen: set[UUID] = set()
        self._sub: Any = None
        self.caught_up = asyncio.Event()

    def current(self) -> WorkingCalendar:
        return self._calendar

    def fold(self, event: DomainEvent) -> bool:
        """Apply one calendar entry (once per event id); other events change nothing."""
        if not isinstance(event, HolidayDeclared | WorkdayDeclared | WorkingHoursChanged):
            return False
        if event.event_id in self._seen:
            return False
        self._seen.add(event.event_id)
        self._calendar = self._calendar.apply(event)
        self.entries += 1
        return True

    async def start(self, js: JetStreamContext, patience: float = 10.0) -> bool:
        """Subscribe, and wait up to ``patience`` seconds until every stored entry is folded;
        False (and a warning) when that took longer: the feed goes on following."""
        stream = stream_name(Department.SLA)
        try:
            info = await js.stream_info(stream, subjects_filter=CALENDAR_SUBJECTS)
            stored = sum((info.state.subjects or {}).values())
        except NotFoundError:
            stored = 0  # ensure_streams makes it; until then there is nothing to read
        if stored == 0:
            self.caught_up.set()
        self._sub = await js.subscribe(CALENDAR_SUBJECTS, stream=stream, ordered_consumer=True,
                                       deliver_policy=DeliverPolicy.ALL, cb=self._on_message)
        try:
            await asyncio.wait_for(self.caught_up.wait(), patience)
        except TimeoutError:
            log.warning("the company calendar's %d entries were not all read within %.0f s; "
                        "counting with %d of them until the rest arrive", stored, patience,
                        self.entries)
            return False
        log.info("company calendar: %d entries over the environment's calendar", self.entries)
        return True

    async def stop(self) -> None:
        if self._sub is not None:
            sub, self._sub = self._sub, None
            await sub.unsubscribe()

    async def _on_message(self, msg: Msg) -> None:
        try:
            self.fold(decode(msg))
        except Exception as error:  # noqa: BLE001 - one unreadable entry must not stop the feed
            log.error("calendar entry on %s could not be read and is left out: %s",
                      msg.subject, error)
        if msg.metadata.num_pending == 0:
            self.caught_up.set()
