"""The company calendar's use cases (admin commands) and the calendar they make, mixed into
``SlaApplication``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from contracts.calendar import WorkingCalendar
from contracts.commands import calendar as cmd
from contracts.replies import EventRef
from services.domain import Aggregate, Context
from services.sla.calendar import CALENDAR_ID, CompanyCalendar

A = TypeVar("A", bound=Aggregate)


class CalendarUseCases:
    """Load the company calendar, call, save; ``company_calendar()`` for the clocks."""

    if TYPE_CHECKING:  # provided by DepartmentApplication
        base_calendar: WorkingCalendar
        recorder: Any
        def store(self, *aggregates: Aggregate, tracking: Any = None) -> list[EventRef]: ...
        def load_or_new(self, cls: type[A], aggregate_id: UUID) -> A: ...

    _company: tuple[int | None, WorkingCalendar] | None = None

    def calendar_record(self) -> CompanyCalendar:
        return self.load_or_new(CompanyCalendar, CALENDAR_ID)

    def company_calendar(self) -> WorkingCalendar:
        """The environment's calendar with every entry the company declared. Kept until the
        store holds a newer event (stored by this copy of the service or another one)."""
        position = self.recorder.max_notification_id()
        if self._company is None or self._company[0] != position:
            self._company = (position, self.calendar_record().on(self.base_calendar))
        return self._company[1]

    def declare_holiday(self, c: cmd.DeclareHoliday, ctx: Context) -> list[EventRef]:
        record = self.calendar_record()
        record.declare_holiday(ctx, self.base_calendar, c.first_day, c.last_day, c.title)
        return self.store(record)

    def declare_workday(self, c: cmd.DeclareWorkday, ctx: Context) -> list[EventRef]:
        record = self.calendar_record()
        record.declare_workday(ctx, self.base_calendar, c.day, c.title)
        return self.store(record)

    def change_working_hours(self, c: cmd.ChangeWorkingHours, ctx: Context) -> list[EventRef]:
        record = self.calendar_record()
        record.change_working_hours(ctx, self.base_calendar, c.effective_from, c.weekdays,
                                    c.periods, c.title)
        return self.store(record)


CALENDAR_COMMANDS: dict[type[Any], Any] = {
    cmd.DeclareHoliday: CalendarUseCases.declare_holiday,
    cmd.DeclareWorkday: CalendarUseCases.declare_workday,
    cmd.ChangeWorkingHours: CalendarUseCases.change_working_hours,
}
