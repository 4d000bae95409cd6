"""The working-time calendar every service-level clock counts in (DOMAIN.md, Service-level clocks)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
import pytest

from contracts.calendar import WorkingCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


# 2026-03-02 is an ordinary Monday: no holiday or make-up day anywhere in that fortnight.
MONDAY_9 = sh(2026, 3, 2, 9)


@pytest.mark.parametrize(("hours", "due"), [
    (12, sh(2026, 3, 3, 14)),  # Mon 7 h (09-12, 13-17) + Tue morning 4 h + 1 h after lunch
    (24, sh(2026, 3, 5, 9)),   # Mon 7 + Tue 8 + Wed 8 = 23, then Thu 08:00-09:00
    (48, sh(2026, 3, 9, 9)),   # Mon 7 + Tue..Sat 40 = 47, Sunday off, then Mon 08:00-09:00
])
def test_sample_making_allowances_from_a_monday_morning_land_where_counted_by_hand(
        hours: int, due: datetime) -> None:
    """rule: R-S3 — 12 / 24 / 48 working hours for simple / normal / complex dies."""
    assert CAL.add_working_hours(MONDAY_9, hours) == due
    assert CAL.working_hours_between(MONDAY_9, due) == hours


def test_the_lunch_break_is_skipped() -> None:
    """rule: R-S3 — the clock stops from 12:00 to 13:00."""
    assert CAL.add_working_hours(sh(2026, 3, 2, 11), 2) == sh(2026, 3, 2, 14)
    assert CAL.working_hours_between(sh(2026, 3, 2, 11, 30), sh(2026, 3, 2, 13, 30)) == 1


def test_the_evening_and_night_are_skipped() -> None:
    """rule: R-S3 — the clock stops from 17:00 to 08:00 the next working day."""
    assert CAL.add_working_hours(sh(2026, 3, 2, 16), 2) == sh(2026, 3, 3, 9)
    assert CAL.working_hours_between(sh(2026, 3, 2, 16), sh(2026, 3, 3, 9)) == 2


def test_saturday_is_a_working_day_and_sunday_is_not() -> None:
    """Default week: Monday to Saturday."""
    assert CAL.is_working_day(date(2026, 3, 7))
    assert not CAL.is_working_day(date(2026, 3, 8))
    assert CAL.add_working_hours(sh(2026, 3, 7, 16), 2) == sh(2026, 3, 9, 9)


def test_national_day_is_off_and_counting_resumes_after_the_holiday() -> None:
    """rule: R-S3 — Chinese public holidays are off, even from Monday to Saturday."""
    assert not CAL.is_working_day(date(2026, 10, 1))
    assert not CAL.is_working_day(date(2026, 10, 3))  # a Saturday inside the holiday
    assert CAL.add_working_hours(sh(2026, 9, 30, 16), 2) == sh(2026, 10, 8, 9)
    # Mon 28 Sep .. Wed 30 Sep, then Thu 8 .. Sat 10 Oct; the Sunday after is off again.
    assert CAL.working_hours_between(sh(2026, 9, 28), sh(2026, 10, 12)) == 6 * 8


def test_a_make_up_working_day_on_a_sunday_is_on() -> None:
    """rule: R-S3 — make-up working days (调休) count, even on a Sunday."""
    make_up = date(2026, 9, 20)
    assert make_up.weekday() == 6 and chinese_calendar.is_workday(make_up)
    assert CAL.is_working_day(make_up)
    assert CAL.add_working_hours(sh(2026, 9, 19, 16), 2) == sh(2026, 9, 20, 9)


def test_the_company_lists_win_over_the_public_calendar() -> None:
    """Extra holidays and extra working days are configurable and take precedence."""
    cal = WorkingCalendar(extra_holidays=frozenset({date(2026, 9, 20)}),
                          extra_workdays=frozenset({date(2026, 10, 1), date(2026, 3, 8)}))
    assert not cal.is_working_day(date(2026, 9, 20))
    assert cal.is_working_day(date(2026, 10, 1)) and cal.is_working_day(date(2026, 3, 8))


def test_without_chinese_holidays_only_the_weekdays_decide() -> None:
    """The public calendar can be switched off."""
    cal = WorkingCalendar(use_chinese_holidays=False)
    assert cal.is_working_day(date(2026, 10, 1)) and not cal.is_working_day(date(2026, 9, 20))


def test_years_the_package_does_not_know_fall_back_to_the_weekdays() -> None:
    """chinesecalendar only knows the notices published so far; later years count weekdays only."""
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2040, 1, 1))
    assert CAL.is_working_day(date(2040, 1, 2))  # a Monday (New Year's Day would be the Sunday)
    assert not CAL.is_working_day(date(2040, 1, 1))


def test_the_delay_notice_deadline_is_four_working_hours_before_the_promise() -> None:
    """rule: R-S7 — 4 working hours before Monday 10:00 is the previous Saturday 15:00."""
    assert CAL.subtract_working_hours(sh(2026, 3, 9, 10), 4) == sh(2026, 3, 7, 15)


def test_a_subtraction_that_ends_exactly_at_a_period_start_returns_that_start() -> None:
    """rule: R-S7 — the latest moment that still leaves the hours, not the lunch break before it."""
    assert CAL.subtract_working_hours(sh(2026, 3, 2, 15), 2) == sh(2026, 3, 2, 13)
    assert CAL.subtract_working_hours(sh(2026, 3, 2, 15), 0) == sh(2026, 3, 2, 15)


STARTS = [sh(2026, 3, 2, 9), sh(2026, 3, 2, 12, 30), sh(2026, 3, 2, 17), sh(2026, 3, 8, 10),
          sh(2026, 9, 30, 11, 15), sh(2026, 9, 19, 16, 45), datetime(2026, 3, 2, 3, 7, tzinfo=UTC)]
HOURS = [0.25, 1, 3.5, 4, 8, 12, 24, 48, 100]


def test_counting_between_undoes_adding_and_subtracting() -> None:
    """rule: R-S3 — working_hours_between is the inverse of add and subtract, on fixed samples."""
    for start in STARTS:
        for hours in HOURS:
            due = CAL.add_working_hours(start, hours)
            assert CAL.working_hours_between(start, due) == pytest.approx(hours), (start, hours)
            back = CAL.subtract_working_hours(due, hours)
            assert CAL.working_hours_between(back, due) == pytest.approx(hours), (start, hours)
            assert back == CAL.add_working_hours(start, 0), (start, hours)


def test_adding_nothing_moves_only_a_moment_outside_working_time() -> None:
    """Zero hours: the next working moment; periods are half-open, so 12:00 is lunch."""
    assert CAL.add_working_hours(sh(2026, 3, 2, 10), 0) == sh(2026, 3, 2, 10)
    assert CAL.add_working_hours(sh(2026, 3, 2, 12), 0) == sh(2026, 3, 2, 13)
    assert CAL.add_working_hours(sh(2026, 3, 2, 17), 0) == sh(2026, 3, 3, 8)
    assert CAL.add_working_hours(sh(2026, 3, 8, 10), 0) == sh(2026, 3, 9, 8)


def test_results_are_in_the_calendar_zone_whatever_zone_came_in() -> None:
    """Times from other zones are compared as instants and answered in Asia/Shanghai."""
    due = CAL.add_working_hours(datetime(2026, 3, 2, 1, tzinfo=UTC), 1)  # 09:00 in Shanghai
    assert due == sh(2026, 3, 2, 10) and due.tzinfo == SHANGHAI
    assert CAL.working_hours_between(sh(2026, 3, 2, 10), sh(2026, 3, 2, 9)) == 0


def test_end_of_working_day_is_the_end_of_the_last_period_of_the_next_working_day() -> None:
    """rule: R-S6 — "3 calendar days, due by the end of that working day"."""
    assert CAL.end_of_working_day(date(2026, 3, 2)) == sh(2026, 3, 2, 17)
    assert CAL.end_of_working_day(date(2026, 3, 8)) == sh(2026, 3, 9, 17)
    assert CAL.end_of_working_day(date(2026, 10, 1)) == sh(2026, 10, 8, 17)
    assert CAL.at(date(2026, 3, 2), time(8)) == sh(2026, 3, 2, 8)


@pytest.mark.parametrize("hours", [-1, float("nan"), float("inf"), 1e9])
def test_negative_or_absurd_hours_are_refused(hours: float) -> None:
    """Loops stay bounded."""
    with pytest.raises(ValueError, match="Working hours must be between"):
        CAL.add_working_hours(MONDAY_9, hours)
    with pytest.raises(ValueError, match="Working hours must be between"):
        CAL.subtract_working_hours(MONDAY_9, hours)


def test_a_calendar_without_working_days_fails_instead_of_spinning() -> None:
    """Loops stay bounded: about three years of days at most."""
    never = WorkingCalendar(weekdays=frozenset(), use_chinese_holidays=False)
    with pytest.raises(ValueError, match="too little working time"):
        never.add_working_hours(MONDAY_9, 1)
    with pytest.raises(ValueError, match="too little working time"):
        never.end_of_working_day(date(2026, 3, 2))
    with pytest.raises(ValueError, match="more than"):
        CAL.working_hours_between(sh(2020, 1, 1), sh(2026, 1, 1))


def test_naive_times_and_bad_configuration_are_refused() -> None:
    """A time without a zone is ambiguous; periods must be ordered and not overlap."""
    with pytest.raises(ValueError, match="time zone"):
        CAL.add_working_hours(datetime(2026, 3, 2, 9), 1)
    with pytest.raises(ValueError, match="Working periods"):
        WorkingCalendar(periods=((time(8), time(12)), (time(11), time(17))))
    with pytest.raises(ValueError, match="Unknown time zone"):
        WorkingCalendar(zone="Mars/Olympus")


def test_from_env_reads_every_setting_and_defaults_the_rest() -> None:
    """All of the calendar is configurable through SALESFLOW_CALENDAR_* variables."""
    assert WorkingCalendar.from_env({}) == CAL
    assert WorkingCalendar.from_env({"SALESFLOW_CALENDAR_WEEKDAYS": " "}) == CAL
    cal = WorkingCalendar.from_env({
        "SALESFLOW_CALENDAR_ZONE": "Asia/Hong_Kong",
        "SALESFLOW_CALENDAR_WEEKDAYS": "0, 1,2,3,4",
        "SALESFLOW_CALENDAR_PERIODS": "08:30-12:00, 13:30-18:00",
        "SALESFLOW_CALENDAR_HOLIDAYS": "2026-03-02",
        "SALESFLOW_CALENDAR_WORKDAYS": "2026-03-08,2026-03-15",
        "SALESFLOW_CALENDAR_CHINESE_HOLIDAYS": "0",
    })
    assert cal == WorkingCalendar(
        zone="Asia/Hong_Kong", weekdays=frozenset(range(5)),
        periods=((time(8, 30), time(12)), (time(13, 30), time(18))),
        extra_holidays=frozenset({date(2026, 3, 2)}),
        extra_workdays=frozenset({date(2026, 3, 8), date(2026, 3, 15)}), use_chinese_holidays=False)


@pytest.mark.parametrize(("name", "value"), [
    ("ZONE", "Mars/Olympus"),
    ("WEEKDAYS", "0,1,7"),
    ("WEEKDAYS", "Mon,Tue"),
    ("PERIODS", "08:00-12:00,11:00-17:00"),
    ("PERIODS", "17:00-08:00"),
    ("PERIODS", "8h-12h"),
    ("HOLIDAYS", "2026-13-01"),
    ("WORKDAYS", "tomorrow"),
    ("CHINESE_HOLIDAYS", "yes"),
])
def test_from_env_names_the_variable_it_cannot_read(name: str, value: str) -> None:
    """Bad configuration stops the start-up with a sentence naming the variable."""
    with pytest.raises(ValueError, match=f"^SALESFLOW_CALENDAR_{name} must be "):
        WorkingCalendar.from_env({f"SALESFLOW_CALENDAR_{name}": value})


def test_from_env_refuses_a_date_listed_as_both_holiday_and_working_day() -> None:
    """The two company lists must not contradict each other."""
    with pytest.raises(ValueError, match="SALESFLOW_CALENDAR_HOLIDAYS and SALESFLOW_CALENDAR_WORKDAYS"):
        WorkingCalendar.from_env({"SALESFLOW_CALENDAR_HOLIDAYS": "2026-03-02",
                                  "SALESFLOW_CALENDAR_WORKDAYS": "2026-03-02"})
