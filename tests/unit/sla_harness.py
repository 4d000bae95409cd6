"""The SLA application with a clock the test moves, fed like its consumers feed it, and the
events the unit tests of the SLA service deliver to it."""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import Tracking

from contracts.calendar import WorkingCalendar
from contracts.timers import TimerDue
from events import production as prod
from events import sales
from events.envelope import Actor, DieDifficulty, DomainEvent, Role, Timer
from events.sla import SlaClockMarked
from services.sla.application import SlaApplication

ZONE = "Asia/Shanghai"
# Monday 2026-03-02 09:00 Shanghai: working time of the default calendar (08-12, 13-17, Mon-Sat).
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) - timedelta(hours=8)
CAL = WorkingCalendar(zone=ZONE, use_chinese_holidays=False)
SUPPORT = Actor(user="tina", role=Role.TECHNICAL_SUPPORT)
PETE = Actor(user="pete", role=Role.PRODUCTION_SUPERVISOR)


class Sla:
    """The SLA application with a clock the test moves; delivers events like a consumer."""

    def __init__(self, now: datetime = T0, calendar: WorkingCalendar = CAL,
                 hours: dict[str, float] | None = None) -> None:
        self.now = now
        self.app = SlaApplication({}, clock=lambda: self.now, calendar=calendar, sla_hours=hours)
        self.seq: Counter[str] = Counter()

    def events(self) -> list[DomainEvent]:
        decode: Any = self.app.mapper.to_domain_event
        return [decode(n) for n in self.app.process_recorder.select_notifications(1, 100_000)]

    def of(self, cls: type[Any]) -> list[Any]:
        return [e for e in self.events() if isinstance(e, cls)]

    def deliver(self, cause: DomainEvent | TimerDue) -> list[DomainEvent]:
        stream = "timers" if isinstance(cause, TimerDue) else cause.department.value
        self.seq[stream] += 1
        before = len(self.events())
        if isinstance(cause, TimerDue):
            reaction = (self.app.on_report_due if cause.name == "daily_report"
                        else self.app.on_alert_due)
            reaction(cause, Tracking(stream, self.seq[stream]))
        else:
            self.app.on_marking_event(cause, Tracking(stream, self.seq[stream]))
        assert self.app.tracked_position(stream) == self.seq[stream]
        return self.events()[before:]

    def fire(self, timer: Timer, source: DomainEvent) -> list[DomainEvent]:
        """The schedule fires at the timer's moment (the test's clock is set there first)."""
        self.now = max(self.now, timer.due_at)
        return self.deliver(TimerDue(name=timer.name, key=timer.key, due_at=timer.due_at,
                                     record_no=source.record_no, source_event_id=source.event_id,
                                     correlation_id=source.correlation_id))


def event(cls: type[Any], at: datetime, actor: Actor = SUPPORT, **facts: Any) -> Any:
    return cls(originator_id=uuid.uuid4(), originator_version=1, timestamp=at,
               event_id=uuid.uuid4(), actor=actor, correlation_id=uuid.uuid4(), **facts)


def received(no: str = "C-1", at: datetime = T0) -> sales.ComplaintReceived:
    return event(sales.ComplaintReceived, at, complaint_no=no, channel="phone", customer="ACME",
                 summary="burrs")


def registered(no: str = "C-1", at: datetime = T0) -> sales.ComplaintRegistered:
    return event(sales.ComplaintRegistered, at, complaint_no=no, customer="ACME",
                 salesperson="sam", product_model="X1", problem="burrs", category="burr")


def documents(no: str = "S-1", at: datetime = T0) -> prod.SampleDocumentsReceived:
    return event(prod.SampleDocumentsReceived, at, PETE, request_no=no,
                 die_difficulty=DieDifficulty.SIMPLE, scheduled_for=at)


def marked(events: list[DomainEvent]) -> SlaClockMarked:
    [mark] = [e for e in events if isinstance(e, SlaClockMarked)]
    return mark

