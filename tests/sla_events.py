"""Events that start, stop, pause and resume the service-level clocks, made straight from their
classes at given moments (local times of the company's zone), for the SLA clock and read-model
tests, and the clock fold they are evaluated by."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from contracts.calendar import WorkingCalendar
from events import production as prod
from events import sales
from events import sla as ev
from events.envelope import Actor, DieDifficulty, DomainEvent, OrderLine, Role
from projections.sla.clocks import BY_ID, marks_of
from projections.sla.engine import ClockRecord, RunStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Monday to Saturday, 08:00-12:00 and 13:00-17:00 in Shanghai (DOMAIN.md), no packaged holidays:
# the tests declare their own holidays and make-up days.
CALENDAR = WorkingCalendar(use_chinese_holidays=False)
E = TypeVar("E", bound=DomainEvent)
_versions: dict[uuid.UUID, int] = {}


def local(day: int, hour: float, month: int = 11) -> datetime:
    """``hour`` o'clock (9.5: 09:30) on ``day`` November 2026 in Shanghai (2 November is a
    Monday, 8 November a Sunday)."""
    return datetime.combine(date(2026, month, day), time(), tzinfo=SHANGHAI) + timedelta(hours=hour)


def make(cls: type[E], at: datetime, role: Role = Role.SYSTEM, user: str = "someone", /, *,
         recorded: datetime | None = None, **facts: Any) -> E:
    """An event of ``cls`` that happened at ``at`` (recorded then, or at ``recorded``)."""
    record = next((str(v) for k, v in facts.items() if k.endswith("_no") and v), cls.aggregate)
    aggregate = uuid.uuid5(uuid.NAMESPACE_URL, f"salesflow:{cls.aggregate}:{record}")
    _versions[aggregate] = _versions.get(aggregate, 0) + 1
    return cls(originator_id=aggregate, originator_version=_versions[aggregate],
               timestamp=at.astimezone(UTC), event_id=uuid.uuid4(), actor=Actor(user=user, role=role),
               correlation_id=uuid.uuid5(uuid.NAMESPACE_URL, record),
               recorded_at=recorded.astimezone(UTC) if recorded else None, **facts)


def documents(no: str, at: datetime, die: DieDifficulty = DieDifficulty.SIMPLE, round_no: int = 1,
              **kw: Any) -> prod.SampleDocumentsReceived:
    return make(prod.SampleDocumentsReceived, at, Role.PRODUCTION_SUPERVISOR, "pete",
                request_no=no, die_difficulty=die, scheduled_for=at, round=round_no, **kw)


def paused(no: str, at: datetime) -> prod.SampleWorkPaused:
    return make(prod.SampleWorkPaused, at, Role.PRODUCTION_SUPERVISOR, request_no=no,
                reason="customer_material")


def resumed(no: str, at: datetime) -> prod.SampleWorkResumed:
    return make(prod.SampleWorkResumed, at, Role.PRODUCTION_SUPERVISOR, request_no=no)


def completed(no: str, at: datetime, round_no: int = 1, **kw: Any) -> prod.SampleCompleted:
    return make(prod.SampleCompleted, at, Role.PRODUCTION_SUPERVISOR, request_no=no,
                round=round_no, **kw)


def promised(no: str, at: datetime, promise: datetime, *, order: bool = False,
             **kw: Any) -> prod.DeliveryPromised:
    record: dict[str, Any] = {"order_no": no, "promises": "order"} if order else {"request_no": no}
    return make(prod.DeliveryPromised, at, Role.PMC_PLANNER, "paula", promised_at=promise,
                **record, **kw)


def delay(no: str, at: datetime, previous: datetime, new: datetime, *,
          order: bool = False) -> prod.DelayNotified:
    record: dict[str, Any] = {"order_no": no, "promises": "order"} if order else {"request_no": no}
    before = CALENDAR.working_hours_between(at, previous)
    return make(prod.DelayNotified, at, Role.PMC_PLANNER, "paula", kind="delay", reason="die",
                previous_promised_at=previous, new_promised_at=new, working_hours_before=before,
                timely=before >= 4, **record)


def internal_order(no: str, at: datetime, **kw: Any) -> prod.InternalOrderReceived:
    return make(prod.InternalOrderReceived, at, Role.SYSTEM, order_no=no,
                internal_order_no=f"I-{no}", customer="ACME",
                lines=(OrderLine(product="gasket", part_no="P-1", quantity=10),),
                requested_date=date(2026, 12, 1), source_event_id=uuid.uuid4(), **kw)


def told(no: str, at: datetime, promise: datetime) -> sales.DeliveryDateNotified:
    return make(sales.DeliveryDateNotified, at, Role.SALES_ASSISTANT, "amy", order_no=no,
                promised_at=promise, channel="phone")


def shipped(no: str, at: datetime, total: int = 10, ordered: int = 10) -> sales.OrderShipped:
    return make(sales.OrderShipped, at, Role.SALES_ASSISTANT, "amy", order_no=no, note_no="N-1",
                quantity=total, shipped_total=total, ordered_total=ordered)


def receipt(no: str, at: datetime, received_on: date) -> sales.SampleReceiptConfirmed:
    return make(sales.SampleReceiptConfirmed, at, Role.SALESPERSON, "bob", request_no=no,
                received_on=received_on)


def trial(no: str, at: datetime) -> sales.TrialRecorded:
    return make(sales.TrialRecorded, at, Role.SALESPERSON, "bob", request_no=no, result="ok")


def complaint(no: str, at: datetime, **kw: Any) -> sales.ComplaintReceived:
    return make(sales.ComplaintReceived, at, Role.SALES_ASSISTANT, "amy", complaint_no=no,
                channel="phone", customer="ACME", summary="burr on the edge", **kw)


def registered(no: str, at: datetime) -> sales.ComplaintRegistered:
    return make(sales.ComplaintRegistered, at, Role.TECHNICAL_SUPPORT, "tess", complaint_no=no,
                customer="ACME", salesperson="bob", product_model="G-1", problem="burr",
                category="burr")


def holiday(first: date, last: date | None = None, at: datetime | None = None,
            ) -> ev.HolidayDeclared:
    return make(ev.HolidayDeclared, at or local(2, 9), Role.ADMIN, "ada", first_day=first, last_day=last or first, name="holiday")


def runs(events: Iterable[DomainEvent], clock: str, record: str, now: datetime,
         calendar: WorkingCalendar = CALENDAR) -> list[RunStatus]:
    """Every run of ``clock`` for ``record`` from ``events``, evaluated at ``now``."""
    marks = ClockRecord()
    for event in events:
        for spec, found, mark in marks_of(event):
            if spec.id == clock and found == record:
                marks.add(mark)
    return marks.evaluate(calendar, now, BY_ID[clock].at_risk)


def run(events: Iterable[DomainEvent], clock: str, record: str, now: datetime,
        calendar: WorkingCalendar = CALENDAR) -> RunStatus:
    """The only run of ``clock`` for ``record``."""
    found = runs(events, clock, record, now, calendar)
    assert len(found) == 1, found
    return found[0]
