"""The 16:00 report clock of the SLA service (R-S5, R-O5, R-C5), on the in-memory store with a
clock the test moves."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from contracts.calendar import WorkingCalendar
from events.envelope import Timer
from events.sla import DailyReportIssued, DailyReportScheduled
from services.runtime.store import SYSTEM
from tests.unit.sla_harness import CAL, ZONE, Sla


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


def test_a_catch_up_that_races_the_1600_timer_reloads_and_issues_nothing_twice() -> None:
    """rule: R-S5, R-O5, R-C5 — the 16:00 timer's reaction stores the missed reports between the
    start-up catch-up's load and its save: the save conflicts (a real IntegrityError of the
    store), the catch-up loads again, finds them issued, and stores nothing more."""
    sla = Sla(now=local(date(2026, 3, 6), time(15)))
    sla.app.issue_missed_reports()
    sla.now = local(date(2026, 3, 9), time(10))  # Friday's and Saturday's reports missed
    real_load = sla.app.load_or_new
    loads = 0

    def racing(cls: Any, aggregate_id: Any) -> Any:
        nonlocal loads
        loads += 1
        mine = real_load(cls, aggregate_id)
        if loads == 1:  # the timer's reaction gets in between
            theirs = real_load(cls, aggregate_id)
            theirs.catch_up(sla.app.context(SYSTEM, None), sla.app.calendar)
            sla.app.store(theirs)
        return mine

    sla.app.load_or_new = racing  # type: ignore[method-assign]
    assert sla.app.issue_missed_reports() == 0 and loads == 2
    issued = sla.of(DailyReportIssued)
    assert len(issued) == 6 and sorted({e.day for e in issued}) == [date(2026, 3, 6),
                                                                     date(2026, 3, 7)]
