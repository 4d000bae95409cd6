"""The weekly (R-M1) and monthly (R-M2) sales meetings: their nominal times, the move to the
previous working day when the company calendar says the day is off, and when the packs are due."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.calendar import WorkingCalendar
from services.reports.meetings import (
    monthly_meeting,
    pack_due,
    parse_month,
    parse_week,
    week_of,
    weekly_meeting,
)
from tests.unit.calendar_entries import holiday, workday

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar()


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def test_the_weekly_meeting_is_saturday_at_half_past_nine_in_the_company_zone() -> None:
    """rule: R-M1"""
    meeting = weekly_meeting("2026-W11", CALENDAR)
    assert meeting.at == local(2026, 3, 14, 9, 30)
    assert meeting.at.utcoffset() == local(2026, 1, 1).utcoffset()
    assert meeting.moved_from is None and meeting.reason_en == meeting.reason_zh == ""
    assert meeting.rule == "R-M1" and meeting.period == "2026-W11"


def test_a_week_whose_saturday_is_in_the_next_month_meets_on_that_saturday() -> None:
    """rule: R-M1 (across a month end: 2026-W44 runs from 26 October to 1 November)"""
    assert weekly_meeting("2026-W44", CALENDAR).at == local(2026, 10, 31, 9, 30)
    assert weekly_meeting("2026-W31", CALENDAR).at == local(2026, 8, 1, 9, 30)


def test_the_last_iso_week_of_a_year_meets_on_the_saturday_in_the_new_year() -> None:
    """rule: R-M1 (2026 has 53 ISO weeks; its last Saturday is 2 January 2027)"""
    assert weekly_meeting("2026-W53", CALENDAR).at == local(2027, 1, 2, 9, 30)


def test_a_national_day_saturday_moves_the_weekly_meeting_back_to_the_last_working_day() -> None:
    """rule: R-M1 (2026-10-03 is in the National Day holiday from 1 to 7 October)"""
    meeting = weekly_meeting("2026-W40", CALENDAR)
    assert meeting.moved_from == local(2026, 10, 3, 9, 30)
    assert meeting.at == local(2026, 9, 30, 9, 30)
    assert "National Day" in meeting.reason_en and "2026-09-30" in meeting.reason_en
    assert "国庆节" in meeting.reason_zh and "2026-09-30（星期三）" in meeting.reason_zh
    assert "moves to the previous working day" in meeting.describe_en()
    assert meeting.describe_zh().startswith("周销售例会（R-M1）：2026-09-30（星期三） 09:30")


def test_a_new_year_holiday_moves_the_weekly_meeting_back_into_the_old_year() -> None:
    """rule: R-M1 (1 to 3 January 2026 are off: week 2026-W01 meets on Wednesday 31 December 2025)"""
    meeting = weekly_meeting("2026-W01", CALENDAR)
    assert meeting.at == local(2025, 12, 31, 9, 30)
    assert "New Year" in meeting.reason_en and "元旦" in meeting.reason_zh


def test_a_company_holiday_on_a_saturday_moves_the_weekly_meeting_to_friday() -> None:
    """rule: R-M1 (a company entry, not a public holiday)"""
    calendar = CALENDAR.with_entries([holiday(date(2026, 3, 14), name="stocktaking")])
    meeting = weekly_meeting("2026-W11", calendar)
    assert meeting.at == local(2026, 3, 13, 9, 30)
    assert "company holiday" in meeting.reason_en and "公司假日" in meeting.reason_zh


def test_a_company_without_saturday_work_meets_on_friday_and_a_make_up_saturday_keeps_it() -> None:
    """rule: R-M1 (a Monday-to-Friday week; a declared make-up Saturday is a working day)"""
    five_days = WorkingCalendar(weekdays=frozenset(range(5)))
    assert weekly_meeting("2026-W11", five_days).at == local(2026, 3, 13, 9, 30)
    made_up = five_days.with_entries([workday(date(2026, 3, 14))])
    assert weekly_meeting("2026-W11", made_up).moved_from is None


def test_the_monthly_meeting_is_the_last_friday_at_two_in_months_of_four_and_five_fridays() -> None:
    """rule: R-M2 (February 2026 has 4 Fridays, October 2026 has 5, July 2026 ends on a Friday)"""
    assert monthly_meeting("2026-02", CALENDAR).at == local(2026, 2, 27, 14)
    assert monthly_meeting("2026-10", CALENDAR).at == local(2026, 10, 30, 14)
    assert monthly_meeting("2026-07", CALENDAR).at == local(2026, 7, 31, 14)
    assert monthly_meeting("2026-12", CALENDAR).at == local(2026, 12, 25, 14)
    assert monthly_meeting("2026-12", CALENDAR).rule == "R-M2"


def test_a_last_friday_on_the_mid_autumn_holiday_moves_the_monthly_meeting_to_thursday() -> None:
    """rule: R-M2 (25 September 2026 is the Mid-autumn Festival)"""
    meeting = monthly_meeting("2026-09", CALENDAR)
    assert meeting.moved_from == local(2026, 9, 25, 14)
    assert meeting.at == local(2026, 9, 24, 14)
    assert "Mid-autumn" in meeting.reason_en and "中秋节" in meeting.reason_zh
    assert "月度会议提前至上一个工作日 2026-09-24（星期四） 14:00" in meeting.reason_zh


def test_a_company_holiday_over_the_last_friday_moves_the_monthly_meeting_to_wednesday() -> None:
    """rule: R-M2 (a company holiday over the last two days of May 2026)"""
    calendar = CALENDAR.with_entries([holiday(date(2026, 5, 28), date(2026, 5, 29))])
    meeting = monthly_meeting("2026-05", calendar)
    assert meeting.nominal == local(2026, 5, 29, 14)
    assert meeting.at == local(2026, 5, 27, 14)


def test_the_packs_are_due_one_working_hour_before_their_meetings() -> None:
    """rule: R-M1, R-M2 (ready before the meeting; lunch is not working time)"""
    assert pack_due(weekly_meeting("2026-W11", CALENDAR), CALENDAR) == local(2026, 3, 14, 8, 30)
    assert pack_due(monthly_meeting("2026-10", CALENDAR), CALENDAR) == local(2026, 10, 30, 13)
    moved = weekly_meeting("2026-W40", CALENDAR)
    assert pack_due(moved, CALENDAR) == local(2026, 9, 30, 8, 30)


@pytest.mark.parametrize("text", ["2026-40", "2026-W54", "2025-W53", "26-W01", "2026-W4", "x"])
def test_a_week_that_is_not_an_iso_week_is_refused_in_both_languages(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-Www.*周应写作"):
        parse_week(text)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-1", "202610", "2026-W10"])
def test_a_month_that_is_not_yyyy_mm_is_refused_in_both_languages(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM.*月份应写作"):
        parse_month(text)


def test_week_of_names_the_iso_week_of_a_day() -> None:
    assert week_of(date(2026, 1, 1)) == "2026-W01"
    assert week_of(date(2027, 1, 2)) == "2026-W53"


calendars = st.sampled_from([
    CALENDAR,
    WorkingCalendar(weekdays=frozenset(range(5))),
    WorkingCalendar(zone="Europe/Berlin", weekdays=frozenset({0, 2, 4}), use_chinese_holidays=False),
    WorkingCalendar(zone="America/New_York", weekdays=frozenset({1, 3})),
])
holidays = st.lists(st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), max_size=12)
weeks = st.dates(min_value=date(2025, 1, 6), max_value=date(2027, 12, 27)).map(week_of)
months = st.tuples(st.integers(2025, 2027), st.integers(1, 12)).map(lambda m: f"{m[0]}-{m[1]:02d}")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(calendars, holidays, weeks, months)
def test_a_meeting_is_always_on_a_working_day_and_never_after_its_nominal_time(
        base: WorkingCalendar, days_off: list[date], week: str, month: str) -> None:
    """rule: R-M1, R-M2 (property: any calendar, any company holidays)"""
    calendar = base.with_entries([holiday(d) for d in days_off])
    for meeting, nominal_time in ((weekly_meeting(week, calendar), time(9, 30)),
                                  (monthly_meeting(month, calendar), time(14))):
        local_at = meeting.at.astimezone(ZoneInfo(calendar.zone))
        assert calendar.is_working_day(local_at.date())
        assert local_at.time() == nominal_time
        assert meeting.at <= meeting.nominal
        assert (meeting.moved_from is None) == calendar.is_working_day(meeting.nominal.date())
        assert bool(meeting.reason_en) == bool(meeting.reason_zh) == (meeting.moved_from is not None)
        assert pack_due(meeting, calendar) < meeting.at
