"""The SLA service's live part: clock marks from the departments' events, the at-risk and breach
timers, and the 16:00 report clock, on the in-memory store with a clock the test moves."""
from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from eventsourcing.persistence import Tracking

from contracts.calendar import WorkingCalendar
from contracts.timers import TimerDue
from events import production as prod
from events import sales
from events.envelope import Actor, DieDifficulty, DomainEvent, Role, Timer
from events.sla import (
    AT_RISK_TIMER,
    BREACH_TIMER,
    DailyReportIssued,
    DailyReportScheduled,
    SlaAtRisk,
    SlaBreached,
    SlaClockMarked,
)
from services.runtime.settings import Settings
from services.runtime.timers import fire_stamp
from services.sla.application import SlaApplication
from services.sla.clock import parse_timer_key, timer_key

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


def test_a_complaint_received_starts_the_intake_clock_with_its_timers() -> None:
    """rule: R-C2 — the intake clock (2 working hours) starts when the complaint is received:
    at-risk at 80 %, breach at the deadline, both timers exact, keyed by clock, record and run."""
    sla = Sla()
    mark = marked(sla.deliver(received()))
    assert (mark.clock, mark.record, mark.run, mark.mark) == ("SLA-COMPLAINT-INTAKE", "C-1", "1",
                                                               "start")
    assert mark.due_at == T0 + timedelta(hours=2)
    assert mark.at_risk_at == T0 + timedelta(hours=1.6)
    risk, breach = mark.timers()
    assert (risk.name, breach.name) == (AT_RISK_TIMER, BREACH_TIMER)
    assert risk.key == breach.key == "SLA-COMPLAINT-INTAKE.C-1.1" and risk.exact and breach.exact
    assert (risk.due_at, breach.due_at) == (mark.at_risk_at, mark.due_at)


def test_allowance_overrides_from_the_settings() -> None:
    """rule: R-C2 — the intake allowance is configurable (the seed says "at once")."""
    hours = Settings(sla_hours="SLA-COMPLAINT-INTAKE=0.5, SLA-SAMPLE-MAKE.simple=3").sla_hour_overrides()
    assert hours == {"SLA-COMPLAINT-INTAKE": 0.5, "SLA-SAMPLE-MAKE.simple": 3.0}
    sla = Sla(hours=hours)
    assert marked(sla.deliver(received())).due_at == T0 + timedelta(minutes=30)
    assert marked(sla.deliver(documents())).due_at == T0 + timedelta(hours=3)


def test_a_repeated_event_marks_nothing() -> None:
    """rule: R-C2 — a repeated delivery of the same event changes no clock (no new timers)."""
    sla = Sla()
    cause = received()
    assert sla.deliver(cause)
    assert sla.deliver(cause) == []


def test_the_breach_is_raised_once_at_its_moment_with_how_late() -> None:
    """rule: R-C2 — a complaint not registered within 2 working hours is breached: at-risk at
    80 %, the breach at the deadline, each raised once whatever fires twice."""
    sla = Sla()
    cause = received()
    mark = marked(sla.deliver(cause))
    risk_timer, breach_timer = mark.timers()
    [risk] = sla.fire(risk_timer, mark)
    assert isinstance(risk, SlaAtRisk) and risk.moment == mark.at_risk_at
    assert risk.late_seconds == 0 and risk.responsible_department == "sales"
    assert mark.due_at is not None
    sla.now = mark.due_at + timedelta(seconds=0.4)  # the schedule fired 0.4 s after the moment
    [breach] = sla.deliver(TimerDue(name=BREACH_TIMER, key=breach_timer.key,
                                    due_at=breach_timer.due_at, source_event_id=mark.event_id,
                                    correlation_id=mark.correlation_id))
    assert isinstance(breach, SlaBreached)
    assert (breach.moment, breach.due_at, breach.late_seconds) == (mark.due_at, mark.due_at, 0.4)
    assert sla.fire(breach_timer, mark) == []
    assert sla.fire(risk_timer, mark) == []


def test_a_stopped_clock_never_alerts_its_stale_timers_record_nothing() -> None:
    """rule: R-C2 — registered in time: the timers that still fire record nothing."""
    sla = Sla()
    mark = marked(sla.deliver(received()))
    sla.now = T0 + timedelta(hours=1)
    stop = marked(sla.deliver(registered(at=sla.now)))
    assert stop.mark == "stop" and stop.due_at is None and stop.timers() == []
    for timer in mark.timers():
        assert sla.fire(timer, mark) == []
    assert sla.of(SlaAtRisk) == sla.of(SlaBreached) == []
    assert sla.app.tracked_position("timers") == 2  # each stale timer stored its tracking


def test_stopped_between_at_risk_and_deadline_alerts_only_at_risk() -> None:
    """rule: R-C2"""
    sla = Sla()
    mark = marked(sla.deliver(received()))
    risk_timer, breach_timer = mark.timers()
    assert len(sla.fire(risk_timer, mark)) == 1
    sla.deliver(registered(at=T0 + timedelta(hours=1.8)))
    assert sla.fire(breach_timer, mark) == []
    assert len(sla.of(SlaAtRisk)) == 1 and sla.of(SlaBreached) == []


def test_a_pause_reschedules_and_the_old_timers_are_stale() -> None:
    """rule: R-S3 — a sample waiting for the customer's material pauses the 12-hour clock:
    the deadline moves by the paused working time; the old moment alerts nothing."""
    sla = Sla()
    start = marked(sla.deliver(documents()))
    assert start.due_at == CAL.add_working_hours(T0, 12)
    sla.now = T0 + timedelta(hours=1)
    pause = marked(sla.deliver(event(prod.SampleWorkPaused, sla.now, PETE, request_no="S-1",
                                     reason="customer_material")))
    assert pause.due_at is None and pause.timers() == []  # while paused the deadline is unknown
    sla.now = T0 + timedelta(hours=3)
    resume = marked(sla.deliver(event(prod.SampleWorkResumed, sla.now, PETE, request_no="S-1")))
    assert resume.due_at == CAL.add_working_hours(T0, 14)  # 2 working hours paused
    assert resume.timers()[1].key == start.timers()[1].key  # replaces the earlier schedule
    for timer in start.timers():
        assert sla.fire(timer, start) == []  # the old moments: stale
    [risk] = sla.fire(resume.timers()[0], resume)
    [breach] = sla.fire(resume.timers()[1], resume)
    assert isinstance(risk, SlaAtRisk) and isinstance(breach, SlaBreached)
    assert (risk.moment, breach.moment) == (resume.at_risk_at, resume.due_at)


def test_business_time_earlier_than_recording_time_is_what_counts() -> None:
    """rule: R-C2 — a complaint recorded at 12:00 that the customer phoned in at 09:00 was due at
    11:00 by business time: breached at once when recorded, late by an hour, at its real moment."""
    sla = Sla(now=T0 + timedelta(hours=3))
    events = sla.deliver(received(at=T0))
    mark = marked(events)
    assert mark.due_at == T0 + timedelta(hours=2)
    risk, breach = [e for e in events if not isinstance(e, SlaClockMarked)]
    assert isinstance(risk, SlaAtRisk) and isinstance(breach, SlaBreached)
    assert breach.moment == T0 + timedelta(hours=2) and breach.late_seconds == 3600
    assert sla.fire(mark.timers()[1], mark) == []  # its timer (fired at once) adds nothing


def test_a_registration_dated_before_the_deadline_but_recorded_after_it_is_met() -> None:
    """rule: R-C2 — registered at 10:30 (business time), recorded at 11:30 before the breach
    timer was consumed: no breach, the run stopped before its moment."""
    sla = Sla()
    mark = marked(sla.deliver(received()))
    sla.now = T0 + timedelta(hours=2.5)
    sla.deliver(registered(at=T0 + timedelta(hours=1.5)))
    assert sla.fire(mark.timers()[1], mark) == []
    assert sla.of(SlaBreached) == []


def test_a_timer_for_another_moment_or_an_unknown_clock_is_stale() -> None:
    """rule: R-S7 — a timer whose moment is no longer the run's deadline raises nothing."""
    sla = Sla()
    mark = marked(sla.deliver(received()))
    [_, breach] = mark.timers()
    moved = breach.model_copy(update={"due_at": breach.due_at + timedelta(minutes=1)})
    assert sla.fire(moved, mark) == []
    ghost = breach.model_copy(update={"key": "SLA-COMPLAINT-INTAKE.C-9.1"})
    assert sla.fire(ghost, mark) == []


def test_timer_keys_round_trip() -> None:
    assert parse_timer_key(timer_key("SLA-DELAY-NOTICE", "S-1", "1.1767225600")) == (
        "SLA-DELAY-NOTICE", "S-1", "1.1767225600")


def test_exact_timers_fire_at_their_millisecond_never_before() -> None:
    """An SLA alert's schedule is its moment rounded up to the millisecond (no grace)."""
    moment = datetime(2026, 3, 2, 1, 0, 0, 250_001, tzinfo=UTC)
    assert fire_stamp(moment, exact=True) == "2026-03-02T01:00:00.251Z"
    assert fire_stamp(moment.replace(microsecond=250_000), exact=True) == "2026-03-02T01:00:00.250Z"
    assert fire_stamp(moment, exact=False) == "2026-03-02T01:00:01Z"


# -- the 16:00 reports ----------------------------------------------------------------------
def local(d: date, t: time) -> datetime:
    return CAL.at(d, t)


def report_timer(sla: Sla) -> Timer:
    [timer] = sla.of(DailyReportScheduled)[-1].timers()
    return timer


def test_the_first_start_schedules_the_next_1600_and_issues_nothing_before_it() -> None:
    """rule: R-S5, R-O5, R-C5 — the first start schedules the report of today's 16:00 (no
    catch-up of days before salesflow ran)."""
    sla = Sla(now=local(date(2026, 3, 2), time(15, 59, 50)))
    assert sla.app.issue_missed_reports() == 0
    [scheduled] = sla.of(DailyReportScheduled)
    assert (scheduled.day, scheduled.due_at) == (date(2026, 3, 2), local(date(2026, 3, 2), time(16)))
    assert report_timer(sla).exact and report_timer(sla).name == "daily_report"


def test_at_1600_the_three_summaries_are_issued_and_the_next_working_day_scheduled() -> None:
    """rule: R-S5, R-O5, R-C5 — each working day at 16:00: the sample, order and complaint
    summaries as of 16:00; Sunday is skipped (Mon-Sat calendar)."""
    saturday = date(2026, 3, 7)
    sla = Sla(now=local(saturday, time(9)))
    sla.app.issue_missed_reports()
    source = sla.of(DailyReportScheduled)[-1]
    sla.now = local(saturday, time(16)) + timedelta(seconds=0.2)
    new = sla.fire(report_timer(sla), source)
    issued = [e for e in new if isinstance(e, DailyReportIssued)]
    assert [(e.table, e.rule) for e in issued] == [
        ("samples", "R-S5"), ("orders", "R-O5"), ("complaints", "R-C5")]
    assert all(e.as_of == local(saturday, time(16)) and e.late_seconds == 0.2 for e in issued)
    [following] = [e for e in new if isinstance(e, DailyReportScheduled)]
    assert following.day == date(2026, 3, 9)  # Monday: no report on Sunday
    assert sla.fire(source.timers()[0], source) == []  # the same timer again: issued once


def test_a_holiday_has_no_report() -> None:
    """rule: R-S5, R-O5, R-C5 — a company holiday (calendar) has no 16:00 report."""
    calendar = WorkingCalendar(zone=ZONE, use_chinese_holidays=False,
                               extra_holidays=frozenset({date(2026, 3, 3)}))
    sla = Sla(now=local(date(2026, 3, 2), time(17)), calendar=calendar)
    sla.app.issue_missed_reports()
    assert sla.of(DailyReportScheduled)[-1].day == date(2026, 3, 4)


def test_reports_missed_while_down_are_issued_late_once_each() -> None:
    """rule: R-S5, R-O5, R-C5 — down from Friday 15:00 to Tuesday 10:00: Friday's, Saturday's
    and Monday's reports are issued at once on start, each late by how long after its 16:00;
    a second start (or the old timer) issues nothing again."""
    sla = Sla(now=local(date(2026, 3, 6), time(15)))
    sla.app.issue_missed_reports()
    old = sla.of(DailyReportScheduled)[-1]
    sla.now = local(date(2026, 3, 10), time(10))
    assert sla.app.issue_missed_reports() == 9
    issued = sla.of(DailyReportIssued)
    assert sorted({e.day for e in issued}) == [date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 9)]
    for e in issued:
        assert e.late_seconds == (sla.now - local(e.day, time(16))).total_seconds()
    assert sla.of(DailyReportScheduled)[-1].day == date(2026, 3, 10)
    assert sla.app.issue_missed_reports() == 0
    assert sla.fire(old.timers()[0], old) == []
    assert len(sla.of(DailyReportIssued)) == 9


def test_a_calendar_change_ahead_of_a_running_clock_reschedules_its_timers() -> None:
    """rule: R-C2 — working hours cut to 08:00-10:00 on the day (a change effective that day):
    the old timers are stale, the clock is scheduled again for its new moments, and the alerts
    come at those."""
    from events.sla import SlaClockRescheduled

    sla = Sla()
    mark = marked(sla.deliver(received()))  # 09:00 local, due 11:00 with 08:00-12:00
    shorter = WorkingCalendar(zone=ZONE, use_chinese_holidays=False,
                              periods=((time(8), time(10)), (time(13), time(17))))
    sla.app.calendar_source = lambda: shorter
    risk_timer, breach_timer = mark.timers()
    [moved] = sla.fire(risk_timer, mark)
    assert isinstance(moved, SlaClockRescheduled)
    assert moved.due_at == shorter.add_working_hours(T0, 2)  # 14:00 local
    assert moved.at_risk_at == shorter.add_working_hours(T0, 1.6)
    assert sla.fire(breach_timer, mark) == []  # stale, and already rescheduled: nothing again
    new_risk, new_breach = moved.timers()
    assert (new_risk.key, new_breach.key) == (risk_timer.key, breach_timer.key)  # replaces them
    [risk] = sla.fire(new_risk, moved)
    [breach] = sla.fire(new_breach, moved)
    assert isinstance(risk, SlaAtRisk) and isinstance(breach, SlaBreached)
    assert breach.moment == moved.due_at and breach.late_seconds == 0


def test_a_calendar_change_that_brings_a_deadline_forward_alerts_at_once_when_found() -> None:
    """rule: R-C2 — longer hours (08:00-20:00) bring a 16:30 complaint's deadline forward to
    18:30 the same day; its old at-risk timer (next morning) finds both moments passed and
    raises them, late, once."""
    start = T0 + timedelta(hours=7, minutes=30)  # 16:30 local
    sla = Sla(now=start)
    mark = marked(sla.deliver(received(at=start)))
    longer = WorkingCalendar(zone=ZONE, use_chinese_holidays=False, periods=((time(8), time(20)),))
    sla.app.calendar_source = lambda: longer
    risk_timer, breach_timer = mark.timers()
    found = sla.fire(risk_timer, mark)
    assert [type(e) for e in found] == [SlaAtRisk, SlaBreached]
    assert found[1].moment == longer.add_working_hours(start, 2) < risk_timer.due_at
    assert all(e.late_seconds > 0 for e in found)
    assert sla.fire(breach_timer, mark) == []
