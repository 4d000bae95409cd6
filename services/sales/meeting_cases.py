"""Sales use cases of the monthly sales meeting's inputs (R-M2): load, call, save."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts.commands import meetings as cmd
from contracts.commands.base import Command
from contracts.replies import EventRef
from events.sales import meeting as ev
from services.domain import Aggregate, Context
from services.runtime.commands import UseCase
from services.sales.meeting_month import MeetingMonth, meeting_month_id, month_of

if TYPE_CHECKING:
    from contracts.calendar import WorkingCalendar

A = TypeVar("A", bound=Aggregate)


class MeetingUseCases:
    """Mixed into ``SalesApplication``."""

    if TYPE_CHECKING:  # provided by SalesApplication / DepartmentApplication
        def store(self, *aggregates: Aggregate, tracking: Any = None) -> list[EventRef]: ...
        def load_or_new(self, cls: type[A], aggregate_id: UUID) -> A: ...
        calendar: WorkingCalendar

    def _enter_input(self, c: cmd.MeetingInputCommand, ctx: Context,
                kind: type[ev.MeetingInputRecorded]) -> list[EventRef]:
        month = self.load_or_new(MeetingMonth, meeting_month_id(c.month))
        # The company's month now (the clock, not the business time a person gave).
        today = ctx.recorded.astimezone(UTC).astimezone(ZoneInfo(self.calendar.zone)).date()
        month.record(ctx, kind, c.month, today, c.department, c.summary, c.detail, c.owner, c.due)
        return self.store(month)

    def record_resource_need(self, c: cmd.RecordResourceNeed, ctx: Context) -> list[EventRef]:
        return self._enter_input(c, ctx, ev.ResourceNeedRecorded)

    def record_improvement(self, c: cmd.RecordImprovement, ctx: Context) -> list[EventRef]:
        return self._enter_input(c, ctx, ev.ImprovementRecorded)

    def withdraw_meeting_input(self, c: cmd.WithdrawMeetingInput, ctx: Context) -> list[EventRef]:
        month = self.load_or_new(MeetingMonth, meeting_month_id(month_of(c.item_id)))
        month.withdraw(ctx, c.item_id)
        return self.store(month)


MEETING_COMMANDS: Mapping[type[Command], UseCase] = {
    cmd.RecordResourceNeed: MeetingUseCases.record_resource_need,
    cmd.RecordImprovement: MeetingUseCases.record_improvement,
    cmd.WithdrawMeetingInput: MeetingUseCases.withdraw_meeting_input,
}
