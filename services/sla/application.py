"""The SLA application: the company calendar (admin commands), one ``clock`` aggregate per run of
a service-level clock (marked by other departments' events, alerting from JetStream timers),
and the daily 16:00 report clock."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from contracts.calendar import WorkingCalendar
from events.envelope import Department
from services.runtime.store import DepartmentApplication
from services.sla.calendar_cases import CalendarUseCases


class SlaApplication(CalendarUseCases, DepartmentApplication):
    """The SLA engine's event store and use cases."""

    name = Department.SLA.value
    # Its own store holds the calendar's records: read them there, not from the stream.
    calendar_from_feed = False

    def __init__(self, env: dict[str, str], clock: Callable[[], datetime] | None = None,
                 calendar: WorkingCalendar | None = None) -> None:
        super().__init__(env, clock, calendar)
        self.calendar_source = self.company_calendar
