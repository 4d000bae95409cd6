"""The company calendar a department service counts in: the environment's calendar with the
entries read from the SLA stream, folded in order, each once (issue 9)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from contracts.calendar import WorkingCalendar
from events.envelope import Role
from services.production.application import ProductionApplication
from services.production.promises import delay_facts
from services.runtime.calendar_feed import CalendarFeed
from tests.unit.builders import ctx
from tests.unit.calendar_entries import holiday, hours, workday
from tests.unit.company import Company

BASE = WorkingCalendar()


def test_the_feed_folds_entries_in_order_a_later_one_winning() -> None:
    feed = CalendarFeed(BASE)
    assert feed.current() is BASE
    for entry in (workday(date(2026, 12, 6)), holiday(date(2026, 12, 5), date(2026, 12, 6)),
                  hours(date(2026, 12, 7), (0, 1, 2, 3, 4), ((time(9), time(18)),))):
        assert feed.fold(entry)
    calendar = feed.current()
    assert not calendar.is_working_day(date(2026, 12, 6))  # the holiday came later
    assert not calendar.is_working_day(date(2026, 12, 12))  # Saturdays off from the 7th
    assert calendar.periods_on(date(2026, 12, 8)) == ((time(9), time(18)),)
    assert calendar == BASE.with_entries([]).with_entries(
        [workday(date(2026, 12, 6)), holiday(date(2026, 12, 5), date(2026, 12, 6)),
         hours(date(2026, 12, 7), (0, 1, 2, 3, 4), ((time(9), time(18)),))])


def test_an_entry_delivered_twice_is_folded_once_and_other_events_are_ignored() -> None:
    feed = CalendarFeed(BASE)
    entry, later = holiday(date(2026, 12, 3)), workday(date(2026, 12, 3))
    assert feed.fold(entry) and feed.fold(later)
    assert not feed.fold(entry)  # a redelivery must not undo the later make-up day
    assert feed.current().is_working_day(date(2026, 12, 3)) and feed.entries == 2
    company = Company()
    company.production.calendar_source = feed.current
    assert company.production.calendar is feed.current()


def test_an_application_given_a_calendar_counts_in_it_until_a_source_replaces_it() -> None:
    fixed = WorkingCalendar(weekdays=frozenset(range(7)))
    app = ProductionApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}, calendar=fixed)
    assert app.calendar is fixed and app.base_calendar is fixed
    feed = CalendarFeed(app.base_calendar)
    feed.fold(holiday(date(2026, 12, 3)))
    app.calendar_source = feed.current
    assert not app.calendar.is_working_day(date(2026, 12, 3))
    assert app.calendar.weekdays == fixed.weekdays


def test_a_delay_notice_counts_its_working_hours_in_the_company_calendar() -> None:
    """rule: R-S7 — a notice is timely 4 working hours ahead; a company holiday is not working
    time, so the same notice stops being timely once the holiday is declared."""
    shanghai = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 12, 1, 15, tzinfo=shanghai)  # Tuesday
    promised = datetime(2026, 12, 2, 11, tzinfo=shanghai)
    feed = CalendarFeed(BASE)
    app = ProductionApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: now)
    app.calendar_source = feed.current
    context = ctx(Role.PMC_PLANNER, at=now)
    before = delay_facts(context, app.calendar, promised, promised + timedelta(days=2))
    assert (before["working_hours_before"], before["timely"]) == (5, True)  # 15-17, then 08-11
    feed.fold(holiday(date(2026, 12, 2)))
    after = delay_facts(context, app.calendar, promised, promised + timedelta(days=2))
    assert (after["working_hours_before"], after["timely"]) == (2, False)


def test_a_period_may_end_at_midnight_in_the_environment() -> None:
    """SALESFLOW_CALENDAR_PERIODS=00:00-24:00: every hour of a working day counts."""
    calendar = WorkingCalendar.from_env({"SALESFLOW_CALENDAR_PERIODS": "00:00-24:00",
                                         "SALESFLOW_CALENDAR_WEEKDAYS": "0,1,2,3,4,5,6"})
    monday = calendar.at(date(2026, 3, 2), time.min)
    assert calendar.working_hours_between(monday, monday + timedelta(days=3)) == 72
    assert calendar.add_working_hours(monday, 30) == monday + timedelta(hours=30)
    assert calendar.end_of_working_day(date(2026, 3, 2)) == monday + timedelta(days=1)
