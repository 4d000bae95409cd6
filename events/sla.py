"""Events of the SLA engine (service ``sla``): the company calendar as records, the marks of every
service-level clock, the live alerts, and the 16:00 daily reports.

The engine is not a department of the company; it runs as a fifth service of the same shape
(own store, own stream ``SALESFLOW_SLA``), so its alerts are stored events with the relay's and
the consumers' guarantees, and a replay reproduces them.
"""
from __future__ import annotations

from datetime import date, datetime, time
from typing import ClassVar, Literal, Self

from pydantic import Field, model_validator

from events.envelope import Department, DomainEvent, Frozen, Timer

# Timer names (``contracts.timers.TimerDue.name``) of the engine.
AT_RISK_TIMER = "sla_at_risk"
BREACH_TIMER = "sla_breached"
DAILY_REPORT_TIMER = "daily_report"

Mark = Literal["start", "stop", "pause", "resume"]
ReportTable = Literal["samples", "orders", "complaints"]


class WorkingPeriod(Frozen):
    """One working period of a day, local time of the calendar's zone (e.g. 08:00-12:00)."""

    start: time = Field(description="Start, e.g. 08:00 / 开始")
    end: time = Field(description="End, e.g. 12:00 / 结束")

    @model_validator(mode="after")
    def ends_after_start(self) -> Self:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("working periods are local times without a time zone")
        if not self.start < self.end:
            raise ValueError("a working period ends after it starts")
        return self


class CalendarEvent(DomainEvent):
    """An entry of the company calendar (one aggregate, ``calendar``). Each takes effect from a
    date after the day it was declared, so no deadline already passed ever moves."""

    department: ClassVar[Department] = Department.SLA
    aggregate: ClassVar[str] = "calendar"

    name: str = Field(default="", max_length=80, description="What it is, e.g. 国庆节 / 名称")


class HolidayDeclared(CalendarEvent):
    """Days off (节假日), from ``first_day`` to ``last_day`` inclusive; wins over packaged data."""

    first_day: date
    last_day: date


class WorkdayDeclared(CalendarEvent):
    """A make-up working day (调休上班) on a day that would otherwise be off."""

    day: date


class WorkingHoursChanged(CalendarEvent):
    """From ``effective_from`` on, these weekdays (0 = Monday) and periods are working time."""

    effective_from: date
    weekdays: tuple[int, ...] = Field(min_length=1, max_length=7)
    periods: tuple[WorkingPeriod, ...] = Field(min_length=1, max_length=6)


class Allowance(Frozen):
    """How long a clock run may take: ``working`` hours of working time (pauses excluded),
    ``until`` a moment (less ``hours`` of working time before it: a notice 4 hours ahead),
    or ``day_end``: by the end of the working day of ``day`` (or of the next working day)."""

    kind: Literal["working", "until", "day_end"]
    hours: float = Field(default=0.0, ge=0, le=24 * 366)
    at: datetime | None = None
    day: date | None = None

    @model_validator(mode="after")
    def has_its_facts(self) -> Self:
        if (self.kind == "until") != (self.at is not None) or \
                (self.kind == "day_end") != (self.day is not None):
            raise ValueError("an 'until' allowance has a moment, a 'day_end' one a day, and only they")
        return self


# The entries of the company calendar (isinstance checks narrow to contracts.calendar.CalendarEntry).
CALENDAR_ENTRIES = (HolidayDeclared, WorkdayDeclared, WorkingHoursChanged)


class ClockEvent(DomainEvent):
    """An event of one service-level clock for one record (aggregate ``clock``: every run of
    that clock for the record, e.g. each round of a sample, each promise of an order)."""

    department: ClassVar[Department] = Department.SLA
    aggregate: ClassVar[str] = "clock"
    record_field: ClassVar[str | None] = "record"

    clock: str = Field(description="Clock id of DOMAIN.md, e.g. SLA-PMC-REPLY")
    record: str = Field(pattern=r"^[A-Za-z0-9_-]+$",
                        description="The sample request, order or complaint number / 单号")
    run: str = Field(pattern=r"^[A-Za-z0-9_.-]*$",
                     description="Which run: a round, a promise (round.epoch seconds)")


class SlaClockMarked(ClockEvent):
    """A domain event started, stopped, paused or resumed a run of the clock (``every``: every
    run whose name starts with ``run``, e.g. completion stops the notice clocks of all
    promises). ``due_at`` / ``at_risk_at``: the run's deadlines the engine computed from all
    marks so far (None once stopped or while paused), for the timers."""

    mark: Mark
    every: bool = False
    at: datetime = Field(description="Business time of the mark (the source event's timestamp)")
    source_event_id: str = Field(description="The domain event that made the mark")
    source_type: str
    allowance: Allowance | None = Field(default=None, description="Set on a start")
    person: str | None = Field(default=None, description="Responsible person, set on a start")
    due_at: datetime | None = None
    at_risk_at: datetime | None = None

    def timers(self) -> list[Timer]:
        if self.due_at is None or self.at_risk_at is None:
            return []
        timer_key = f"{self.clock}.{self.record}.{self.run}".rstrip(".")
        return [Timer(name=AT_RISK_TIMER, key=timer_key, due_at=self.at_risk_at, exact=True),
                Timer(name=BREACH_TIMER, key=timer_key, due_at=self.due_at, exact=True)]


class SlaClockRescheduled(ClockEvent):
    """A running clock's deadlines moved without a mark of its own (a calendar entry changed
    the working time ahead of it): its timers are scheduled again for the new moments."""

    due_at: datetime
    at_risk_at: datetime

    def timers(self) -> list[Timer]:
        timer_key = f"{self.clock}.{self.record}.{self.run}".rstrip(".")
        return [Timer(name=AT_RISK_TIMER, key=timer_key, due_at=self.at_risk_at, exact=True),
                Timer(name=BREACH_TIMER, key=timer_key, due_at=self.due_at, exact=True)]


class SlaAlertEvent(ClockEvent):
    """An alert of a running clock; ``late_seconds`` says how long after its moment it was raised
    (more than a second only when salesflow was down at that moment)."""

    due_at: datetime
    at_risk_at: datetime
    moment: datetime = Field(description="When the clock became at risk / breached")
    late_seconds: float = Field(ge=0)
    responsible_department: str
    responsible_person: str | None = None


class SlaAtRisk(SlaAlertEvent):
    """The clock used its at-risk share of the allowance (default 80 %) and is still running."""


class SlaBreached(SlaAlertEvent):
    """The clock passed its deadline and is still running: a violation."""


class DailyReportEvent(DomainEvent):
    """The 16:00 report clock (aggregate ``daily_reports``, one for the company)."""

    department: ClassVar[Department] = Department.SLA
    aggregate: ClassVar[str] = "daily_reports"

    day: date
    due_at: datetime = Field(description="16:00 of the working day, company calendar")


class DailyReportScheduled(DailyReportEvent):
    """The next report falls due at ``due_at``."""

    def timers(self) -> list[Timer]:
        return [Timer(name=DAILY_REPORT_TIMER, key="next", due_at=self.due_at, exact=True)]


class DailyReportIssued(DailyReportEvent):
    """One of the three summaries was issued for the day, as of 16:00 (R-S5, R-O5, R-C5): the
    snapshot is the table's as-of reading at ``as_of``; a late issue says how late."""

    table: ReportTable
    rule: str
    as_of: datetime
    late_seconds: float = Field(ge=0)


class PackRecipient(Frozen):
    """Who the daily pack went to: a CS supervisor or a salesperson concerned."""

    username: str = Field(max_length=40)
    display_name: str = Field(max_length=80)
    role: Literal["cs_supervisor", "salesperson"]
    email: str | None = Field(default=None, max_length=254,
                              description="Address it was e-mailed to (none: not e-mailed)")


class DailyPackDelivered(DomainEvent):
    """The day's pack (aggregate ``daily_pack``, one per day; R-S5, R-O5, R-C5): the three
    summaries as of 16:00 in one workbook, in the documents object store by SHA-256, for the CS
    supervisors and the salespeople concerned; ``emailed`` says whether the SMTP server took
    the message (``email_error``: why not; no SMTP server configured: neither)."""

    department: ClassVar[Department] = Department.SLA
    aggregate: ClassVar[str] = "daily_pack"
    record_field: ClassVar[str | None] = "day"

    day: date
    as_of: datetime = Field(description="16:00 of the day: the tables' as-of moment")
    document_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    filename: str = Field(max_length=200)
    size: int = Field(ge=0)
    recipients: tuple[PackRecipient, ...] = Field(max_length=500)
    emailed: bool = False
    email_error: str | None = Field(default=None, max_length=500)


EVENTS: tuple[type[DomainEvent], ...] = (
    HolidayDeclared, WorkdayDeclared, WorkingHoursChanged,
    SlaClockMarked, SlaClockRescheduled, SlaAtRisk, SlaBreached,
    DailyReportScheduled, DailyReportIssued, DailyPackDelivered,
)
