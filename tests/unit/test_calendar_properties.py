"""Properties of the working-time calendar (issue 9, tests that must exist): add-then-measure
round-trips, answers always in working time, holidays and make-up days respected, the same
answers whatever zone an instant is written in, and a change applying only from its date."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.calendar import CalendarEntry, WorkingCalendar
from events.sla import HolidayDeclared, WorkdayDeclared
from tests.unit.calendar_entries import holiday, hours, workday

settings.register_profile("calendar", max_examples=40, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
CALENDAR = settings.get_profile("calendar")
UTC = ZoneInfo("UTC")
ZONES = ["UTC", "Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kolkata",
         "Pacific/Chatham", "America/St_Johns"]
FIRST, LAST = date(2025, 1, 1), date(2027, 12, 31)
DEFAULT = WorkingCalendar()
ROUND_THE_CLOCK = WorkingCalendar.from_env({"SALESFLOW_CALENDAR_WEEKDAYS": "0,1,2,3,4,5,6",
                                            "SALESFLOW_CALENDAR_PERIODS": "00:00-24:00",
                                            "SALESFLOW_CALENDAR_CHINESE_HOLIDAYS": "0"})
BERLIN = WorkingCalendar(zone="Europe/Berlin", weekdays=frozenset(range(5)),
                         periods=((time(0, 30), time(2, 30)), (time(9), time(17))))

days = st.dates(min_value=FIRST, max_value=LAST)
instants = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 10, 1),
                        timezones=st.just(UTC))
minutes = st.integers(min_value=0, max_value=120 * 60)
periods = st.sampled_from([((time(8), time(12)), (time(13), time(17))),
                           ((time(9), time(18)),), ((time(6), time(14)), (time(14), time(22))),
                           ((time(0), time.max),)])
weekdays = st.sets(st.integers(0, 6), min_size=1).map(lambda s: tuple(sorted(s)))
entries = st.lists(st.one_of(
    st.builds(lambda d, n: holiday(d, d + timedelta(days=n)), days, st.integers(0, 9)),
    st.builds(workday, days),
    st.builds(hours, days, weekdays, periods)), max_size=6)


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    base = draw(st.sampled_from([DEFAULT, ROUND_THE_CLOCK, BERLIN]))
    return base.with_entries(draw(entries))


def in_working_time(calendar: WorkingCalendar, moment: datetime) -> bool:
    """Within a working period of a working day, its end included."""
    local = moment.astimezone(ZoneInfo(calendar.zone)).date()
    for d in (local - timedelta(days=1), local):
        if calendar.is_working_day(d) and any(
                calendar.at(d, s) <= moment <= calendar.at(d, e) for s, e in calendar.periods_on(d)):
            return True
    return False


@CALENDAR
@given(calendars(), instants, minutes)
def test_adding_working_hours_then_measuring_them_gives_them_back(
        calendar: WorkingCalendar, start: datetime, minutes: int) -> None:
    """rule: R-S3 — a due time is exactly its allowance of working hours after the start."""
    due = calendar.add_working_hours(start, minutes / 60)
    assert calendar.working_hours_between(start, due) == pytest.approx(minutes / 60, abs=1e-6)
    begin = calendar.subtract_working_hours(start, minutes / 60)
    assert calendar.working_hours_between(begin, start) == pytest.approx(minutes / 60, abs=1e-6)


@CALENDAR
@given(calendars(), instants, minutes)
def test_a_due_time_is_always_in_working_time(calendar: WorkingCalendar, start: datetime,
                                               minutes: int) -> None:
    """A due time never lands in a night, a weekend or a holiday (a period's end counts)."""
    assert in_working_time(calendar, calendar.add_working_hours(start, minutes / 60))
    assert in_working_time(calendar, calendar.subtract_working_hours(start, minutes / 60 + 1e-3))


@CALENDAR
@given(calendars(), days, st.text(min_size=1, max_size=10))
def test_a_declared_holiday_has_no_working_time_and_a_make_up_day_has_its_periods(
        calendar: WorkingCalendar, day: date, name: str) -> None:
    """The company's entries win over the packaged data and the week, whatever came before."""
    start, end = calendar.at(day, time.min), calendar.at(day + timedelta(days=1), time.min)
    off = calendar.apply(holiday(day, name=name))
    assert not off.is_working_day(day)
    assert off.working_hours_between(start, end) == 0
    due = off.add_working_hours(start, 1)
    assert due.astimezone(ZoneInfo(calendar.zone)).date() != day or due == start
    on = off.apply(workday(day, name=name))
    # Elapsed time, in UTC: on a day the clocks change (Berlin, 2025-03-30) a 00:00-24:00
    # period holds 23 hours, which wall-clock subtraction in one zone would call 24.
    expected = sum((calendar.at(day, e).astimezone(UTC) - calendar.at(day, s).astimezone(UTC))
                   / timedelta(hours=1) for s, e in calendar.periods_on(day))
    assert on.is_working_day(day)
    assert on.working_hours_between(start, end) == pytest.approx(expected)


@CALENDAR
@given(calendars(), instants, instants, minutes, st.sampled_from(ZONES), st.sampled_from(ZONES))
def test_the_same_instants_in_other_zones_give_the_same_answers(
        calendar: WorkingCalendar, start: datetime, end: datetime, minutes: int, zone_a: str,
        zone_b: str) -> None:
    """A time-zone slip never moves a deadline: only the instant counts, not how it is written."""
    a, b = start.astimezone(ZoneInfo(zone_a)), end.astimezone(ZoneInfo(zone_b))
    assert calendar.working_hours_between(a, b) == calendar.working_hours_between(start, end)
    assert calendar.add_working_hours(a, minutes / 60) == calendar.add_working_hours(
        start, minutes / 60)
    naive_wall = start.astimezone(ZoneInfo(calendar.zone))
    assert calendar.add_working_hours(naive_wall, 1) == calendar.add_working_hours(start, 1)


@CALENDAR
@given(calendars(), st.one_of(
    st.builds(lambda d, n: holiday(d, d + timedelta(days=n)), days, st.integers(0, 9)),
    st.builds(workday, days), st.builds(hours, days, weekdays, periods)),
    instants, instants, minutes)
def test_a_calendar_change_applies_only_from_its_effective_date(
        calendar: WorkingCalendar, entry: CalendarEntry, start: datetime, end: datetime,
        minutes: int) -> None:
    """A changed calendar never silently recomputes history: every answer about time before
    the entry's first day is the same with and without it."""
    changed = calendar.apply(entry)
    first = (entry.first_day if isinstance(entry, HolidayDeclared) else entry.day
             if isinstance(entry, WorkdayDeclared) else entry.effective_from)
    effective = calendar.at(first, time.min)
    start, end = min(start, effective), min(end, effective)
    assert changed.working_hours_between(start, end) == calendar.working_hours_between(start, end)
    due = calendar.add_working_hours(start, minutes / 60)
    if due < effective:
        assert changed.add_working_hours(start, minutes / 60) == due
    for d in (first - timedelta(days=n) for n in range(1, 8)):
        assert changed.is_working_day(d) == calendar.is_working_day(d)
        assert changed.periods_on(d) == calendar.periods_on(d)
