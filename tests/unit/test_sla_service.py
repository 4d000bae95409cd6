"""The SLA service's live part: clock marks from the departments' events, the at-risk and breach
timers, and the 16:00 report clock, on the in-memory store with a clock the test moves."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from contracts.calendar import WorkingCalendar
from contracts.timers import TimerDue
from events import production as prod
from events.sla import (
    AT_RISK_TIMER,
    BREACH_TIMER,
    SlaAtRisk,
    SlaBreached,
    SlaClockMarked,
)
from services.runtime.settings import Settings
from services.runtime.timers import fire_stamp
from services.sla.clock import parse_timer_key, timer_key
from tests.unit.sla_harness import (
    CAL,
    PETE,
    T0,
    ZONE,
    Sla,
    documents,
    event,
    marked,
    received,
    registered,
)


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
    risk, breach = sla.fire(risk_timer, mark)
    assert isinstance(risk, SlaAtRisk) and isinstance(breach, SlaBreached)
    assert breach.moment == longer.add_working_hours(start, 2) < risk_timer.due_at
    assert risk.late_seconds > 0 and breach.late_seconds > 0
    assert sla.fire(breach_timer, mark) == []
