"""The company working-time calendar (工作时间) that every service-level clock counts in."""
from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chinese_calendar import holidays as _cn_holidays  # type: ignore[import-untyped]
from chinese_calendar import workdays as _cn_workdays

from events.sla import HolidayDeclared, WorkdayDeclared, WorkingHoursChanged

# The package only knows the State Council notices published so far; it refuses other years.
_CN_FIRST_YEAR: int = min(_cn_holidays).year
_CN_LAST_YEAR: int = max(_cn_holidays).year
# Bounds every walk over days, so a calendar with no working time fails instead of spinning.
_MAX_SCAN_DAYS = 3 * 366
_MAX_HOURS = 24 * 366
Interval = tuple[datetime, datetime]
Period = tuple[time, time]
# An entry of the company calendar (stored events of the sla service's ``calendar`` aggregate).
CalendarEntry = HolidayDeclared | WorkdayDeclared | WorkingHoursChanged
# A period may end at midnight: written 24:00, held as ``time.max``, counted to the next 00:00.
END_OF_DAY = time.max


def _check_week(weekdays: frozenset[int], periods: tuple[Period, ...]) -> None:
    if not weekdays <= frozenset(range(7)):
        raise ValueError("Weekdays must be numbers from 0 (Monday) to 6 (Sunday).")
    if not periods:
        raise ValueError("A working calendar needs at least one working period a day.")
    previous_end = time.min
    for start, end in periods:
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("Working periods are local times without a time zone.")
        if not previous_end <= start < end:
            raise ValueError("Working periods must be in order, each ending after it starts, not overlapping.")
        previous_end = end


@dataclass(frozen=True)
class HoursChange:
    """From ``effective_from`` on, these weekdays and daily periods are working time."""

    effective_from: date
    weekdays: frozenset[int]
    periods: tuple[Period, ...]

    def __post_init__(self) -> None:
        _check_week(self.weekdays, self.periods)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days and periods in one time zone; holidays off, make-up working days on."""

    zone: str = "Asia/Shanghai"
    weekdays: frozenset[int] = frozenset(range(6))  # Monday=0 … Saturday=5
    periods: tuple[tuple[time, time], ...] = ((time(8), time(12)), (time(13), time(17)))
    extra_holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()
    use_chinese_holidays: bool = True
    # Changes of the working week, in order of ``effective_from`` (one per date).
    hours_changes: tuple[HoursChange, ...] = ()

    def __post_init__(self) -> None:
        zone_info(self.zone)
        _check_week(self.weekdays, self.periods)
        # Each day's working intervals (none on a day off), worked out once per calendar: the
        # SLA fold asks about the same few days for every record. Not a field: no part of
        # equality or hashing, and ``replace()`` (a changed calendar) starts a new one.
        object.__setattr__(self, "_days", {})
        if self.extra_holidays & self.extra_workdays:
            raise ValueError("A date cannot be both an extra holiday and an extra working day.")
        starts = [change.effective_from for change in self.hours_changes]
        if any(a >= b for a, b in itertools.pairwise(starts)):
            raise ValueError("Working-hours changes must be in order of their dates, one per date.")

    def with_entries(self, entries: Iterable[CalendarEntry]) -> WorkingCalendar:
        """This calendar with the company's entries applied in order (a later one wins)."""
        calendar = self
        for entry in entries:
            calendar = calendar.apply(entry)
        return calendar

    def apply(self, entry: CalendarEntry) -> WorkingCalendar:
        """This calendar with one more company entry; for a day it names, it replaces whatever
        an earlier entry (or the environment) said about that day."""
        if isinstance(entry, HolidayDeclared):
            days = frozenset(entry.first_day + timedelta(days=n)
                             for n in range((entry.last_day - entry.first_day).days + 1))
            return replace(self, extra_holidays=self.extra_holidays | days,
                           extra_workdays=self.extra_workdays - days)
        if isinstance(entry, WorkdayDeclared):
            return replace(self, extra_holidays=self.extra_holidays - {entry.day},
                           extra_workdays=self.extra_workdays | {entry.day})
        change = HoursChange(entry.effective_from, frozenset(entry.weekdays),
                             tuple((p.start, p.end) for p in entry.periods))
        kept = [c for c in self.hours_changes if c.effective_from != change.effective_from]
        bisect.insort(kept, change, key=lambda c: c.effective_from)
        return replace(self, hours_changes=tuple(kept))

    def _week_on(self, d: date) -> tuple[frozenset[int], tuple[Period, ...]]:
        index = bisect.bisect_right(self.hours_changes, d, key=lambda c: c.effective_from)
        if index == 0:
            return self.weekdays, self.periods
        change = self.hours_changes[index - 1]
        return change.weekdays, change.periods

    def weekdays_on(self, d: date) -> frozenset[int]:
        """The working weekdays of the week that holds on day ``d``."""
        return self._week_on(d)[0]

    def periods_on(self, d: date) -> tuple[Period, ...]:
        """The working periods of day ``d`` (whether or not it is a working day)."""
        return self._week_on(d)[1]

    def day_kind(self, d: date) -> str:
        """Why ``d`` is on or off: ``company_holiday``, ``company_workday``, ``public_holiday``,
        ``public_workday`` (a packaged make-up day), ``weekday`` or ``weekend``."""
        if d in self.extra_holidays:
            return "company_holiday"
        if d in self.extra_workdays:
            return "company_workday"
        if self.use_chinese_holidays and _CN_FIRST_YEAR <= d.year <= _CN_LAST_YEAR:
            if d in _cn_holidays:
                return "public_holiday"
            if d in _cn_workdays:
                return "public_workday"
        return "weekday" if d.weekday() in self.weekdays_on(d) else "weekend"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WorkingCalendar:
        """Build the calendar from SALESFLOW_CALENDAR_* variables; an unset or empty one keeps its default."""
        from contracts.calendar_env import calendar_from_env

        return calendar_from_env(cls, env)

    def is_working_day(self, d: date) -> bool:
        """Company lists first, then China's holidays and make-up days (years the package knows), then weekdays."""
        # Read the package's tables, not is_workday(): that one assumes a Monday-to-Friday
        # week; a make-up day (调休) is on even when it falls on a Sunday.
        return self.day_kind(d) in ("company_workday", "public_workday", "weekday")

    def at(self, d: date, t: time) -> datetime:
        """The moment `t` on day `d` in the calendar's zone (24:00, i.e. ``time.max``, is the
        next day's 00:00)."""
        if t == END_OF_DAY:
            return datetime.combine(d + timedelta(days=1), time.min, tzinfo=ZoneInfo(self.zone))
        return datetime.combine(d, t, tzinfo=ZoneInfo(self.zone))

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours elapsed from `start` to `end` (0 when `end` is not later)."""
        start, end = _utc(start, "start"), _utc(end, "end")
        if end <= start:
            return 0.0
        first, last = self._local_date(start), self._local_date(end)
        if (last - first).days > _MAX_SCAN_DAYS:
            raise ValueError(f"Cannot count working hours over more than {_MAX_SCAN_DAYS} days.")
        total = timedelta()
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            for a, b in self._working_intervals(day):
                low, high = max(a, start), min(b, end)
                if high > low:
                    total += high - low
        return total / timedelta(hours=1)

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """When `hours` working hours after `start` have elapsed; a period's end counts as reached."""
        remaining, start = _duration(hours), _utc(start, "start")
        for a, b in self._walk(self._local_date(start), forward=True):
            if b <= start:  # periods are half-open, so a start at 12:00 waits for 13:00
                continue
            low = max(a, start)
            if remaining <= b - low:
                return (low + remaining).astimezone(ZoneInfo(self.zone))
            remaining -= b - low
        raise AssertionError("unreachable: _working_days raises when it runs out")

    def subtract_working_hours(self, end: datetime, hours: float) -> datetime:
        """The latest moment with exactly `hours` working hours left before `end`."""
        remaining, end = _duration(hours), _utc(end, "end")
        if not remaining:
            return end.astimezone(ZoneInfo(self.zone))
        for a, b in self._walk(self._local_date(end), forward=False):
            if a >= end:
                continue
            high = min(b, end)
            if remaining <= high - a:
                return (high - remaining).astimezone(ZoneInfo(self.zone))
            remaining -= high - a
        raise AssertionError("unreachable: _working_days raises when it runs out")

    def end_of_working_day(self, d: date) -> datetime:
        """The end of the last working period of `d`, or of the next working day after it."""
        for day in self._working_days(d, forward=True):
            return self.at(day, self.periods_on(day)[-1][1])
        raise AssertionError("unreachable: _working_days raises when it runs out")

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.zone)).date()

    def _working_intervals(self, d: date) -> list[Interval]:
        """The intervals of ``d`` if it is a working day, else none (cached per calendar)."""
        days: dict[date, list[Interval]] = self._days  # type: ignore[attr-defined]
        found = days.get(d)
        if found is None:
            found = days[d] = self._intervals(d) if self.is_working_day(d) else []
        return found

    def _intervals(self, d: date) -> list[Interval]:
        # UTC so that differences are real elapsed time even in a zone with daylight saving.
        return [(self.at(d, s).astimezone(UTC), self.at(d, e).astimezone(UTC))
                for s, e in self.periods_on(d)]

    def _working_days(self, first: date, *, forward: bool) -> Iterator[date]:
        step = timedelta(days=1 if forward else -1)
        for offset in range(_MAX_SCAN_DAYS):
            if self._working_intervals(day := first + offset * step):
                yield day
        raise ValueError(f"Found too little working time within {_MAX_SCAN_DAYS} days of {first.isoformat()}.")

    def _walk(self, first: date, *, forward: bool) -> Iterator[Interval]:
        for day in self._working_days(first, forward=forward):
            intervals = self._working_intervals(day)
            yield from intervals if forward else reversed(intervals)


def zone_info(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Unknown time zone {key!r}.") from None


def _utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"The {name} time must carry a time zone.")
    return moment.astimezone(UTC)


def _duration(hours: float) -> timedelta:
    if not (math.isfinite(hours) and 0 <= hours <= _MAX_HOURS):
        raise ValueError(f"Working hours must be between 0 and {_MAX_HOURS}, not {hours!r}.")
    return timedelta(hours=hours)


def packaged_day_name(d: date) -> str | None:
    """The packaged data's name of a public holiday or make-up day (e.g. National Day)."""
    if not _CN_FIRST_YEAR <= d.year <= _CN_LAST_YEAR:
        return None
    name = _cn_holidays.get(d) or _cn_workdays.get(d)
    return str(name) if name else None
