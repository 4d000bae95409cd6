"""The base of the company calendar from the environment (``SALESFLOW_CALENDAR_*``), as
``WorkingCalendar.from_env`` reads it; the company's own entries are applied over it."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, time
from typing import TypeVar

from contracts.calendar import END_OF_DAY, WorkingCalendar, zone_info

_T = TypeVar("_T")


def calendar_from_env(cls: type[WorkingCalendar], env: Mapping[str, str]) -> WorkingCalendar:
    """Build the calendar from SALESFLOW_CALENDAR_* variables; an unset or empty one keeps its default."""
    def get(name: str, parse: Callable[[str], _T], default: _T, expected: str) -> _T:
        raw = env.get(f"SALESFLOW_CALENDAR_{name}", "").strip()
        if not raw:
            return default
        try:
            return parse(raw)
        except ValueError:
            raise ValueError(f"SALESFLOW_CALENDAR_{name} must be {expected}, not {raw!r}.") from None

    default = cls()
    holidays = get("HOLIDAYS", _parse_dates, default.extra_holidays,
                   "comma-separated ISO dates, e.g. 2026-10-08,2026-10-09")
    workdays = get("WORKDAYS", _parse_dates, default.extra_workdays, "comma-separated ISO dates, e.g. 2026-10-11")
    if holidays & workdays:
        clash = ", ".join(sorted(d.isoformat() for d in holidays & workdays))
        raise ValueError(f"SALESFLOW_CALENDAR_HOLIDAYS and SALESFLOW_CALENDAR_WORKDAYS both list {clash}.")
    return cls(
        zone=get("ZONE", lambda raw: zone_info(raw).key, default.zone,
                 "an IANA time zone such as Asia/Shanghai"),
        weekdays=get("WEEKDAYS", _parse_weekdays, default.weekdays,
                     "comma-separated weekday numbers from 0 (Monday) to 6 (Sunday), e.g. 0,1,2,3,4,5"),
        periods=get("PERIODS", _parse_periods, default.periods,
                    "ordered, non-overlapping comma-separated HH:MM-HH:MM periods, e.g. 08:00-12:00,13:00-17:00"),
        extra_holidays=holidays,
        extra_workdays=workdays,
        use_chinese_holidays=get("CHINESE_HOLIDAYS", _parse_flag, default.use_chinese_holidays, "1 or 0"),
    )


def _items(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def _parse_weekdays(raw: str) -> frozenset[int]:
    days = frozenset(int(item) for item in _items(raw))
    if not days <= frozenset(range(7)):
        raise ValueError(raw)
    return days


def _parse_periods(raw: str) -> tuple[tuple[time, time], ...]:
    periods = []
    for item in _items(raw):
        start, _, end = item.partition("-")
        periods.append((time.fromisoformat(start.strip()), parse_period_end(end.strip())))
    WorkingCalendar(periods=tuple(periods))  # the constructor's own checks, reported against the variable
    return tuple(periods)


def parse_period_end(raw: str) -> time:
    """A period's end as written: ``HH:MM``, or ``24:00`` for midnight at the day's end."""
    return END_OF_DAY if raw in ("24:00", "24:00:00") else time.fromisoformat(raw)


def _parse_dates(raw: str) -> frozenset[date]:
    return frozenset(date.fromisoformat(item) for item in _items(raw))


def _parse_flag(raw: str) -> bool:
    if raw not in ("1", "0"):
        raise ValueError(raw)
    return raw == "1"
