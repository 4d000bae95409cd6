"""Company calendar entries as the SLA service stores them, for the calendar's unit tests."""
from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from events.envelope import Actor, Role
from events.sla import (
    HolidayDeclared,
    WorkdayDeclared,
    WorkingHoursChanged,
    WorkingPeriod,
)
from services.sla.calendar import CALENDAR_ID

_VERSIONS = itertools.count(1)
ADMIN = Actor(user="root", role=Role.ADMIN)


def _envelope() -> dict[str, Any]:
    return {"originator_id": CALENDAR_ID, "originator_version": next(_VERSIONS),
            "timestamp": datetime(2026, 1, 1, tzinfo=UTC), "event_id": uuid.uuid4(),
            "actor": ADMIN, "correlation_id": uuid.uuid4()}


def holiday(first: date, last: date | None = None, name: str = "holiday") -> HolidayDeclared:
    return HolidayDeclared(**_envelope(), first_day=first, last_day=last or first, name=name)


def workday(day: date, name: str = "make-up day") -> WorkdayDeclared:
    return WorkdayDeclared(**_envelope(), day=day, name=name)


def hours(effective_from: date, weekdays: tuple[int, ...],
          periods: tuple[tuple[time, time], ...]) -> WorkingHoursChanged:
    return WorkingHoursChanged(**_envelope(), effective_from=effective_from, weekdays=weekdays,
                               periods=tuple(WorkingPeriod(start=s, end=e) for s, e in periods))
