"""Sales use cases after the sample is made (R-S6) and the month-end notes (R-S8)."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from contracts.commands import sales_followup as cmd
from contracts.replies import EventRef
from services.domain import Aggregate, Context
from services.sales.month import SampleMonth, month_id

if TYPE_CHECKING:
    from contracts.calendar import WorkingCalendar
    from services.sales.sample import SampleRecord

A = TypeVar("A", bound=Aggregate)


class FollowUpUseCases:
    """Mixed into ``SalesApplication``: load, call, save."""

    if TYPE_CHECKING:  # provided by SalesApplication / DepartmentApplication
        def sample(self, request_no: str) -> SampleRecord: ...
        def store(self, *aggregates: Aggregate, tracking: Any = None) -> list[EventRef]: ...
        def load_or_new(self, cls: type[A], aggregate_id: UUID) -> A: ...
        calendar: WorkingCalendar

    def business_date(self, moment: datetime) -> date:
        """The company's date at ``moment`` (its calendar's zone), not the UTC date."""
        return moment.astimezone(ZoneInfo(self.calendar.zone)).date()

    def ship_sample(self, c: cmd.ShipSample, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.ship(ctx, c.method, c.courier, c.tracking_no)
        return self.store(record)

    def confirm_sample_receipt(self, c: cmd.ConfirmSampleReceipt, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.confirm_receipt(ctx, c.received_on, today=self.business_date(ctx.now))
        return self.store(record)

    def record_trial(self, c: cmd.RecordTrial, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.record_trial(ctx, c.result, c.cause, c.note)
        return self.store(record)

    def record_sample_approval(self, c: cmd.RecordSampleApproval, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.record_approval(ctx, c.document_ref)
        return self.store(record)

    def agree_ng_fix(self, c: cmd.AgreeNgFix, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.agree_ng_fix(ctx, c.cause, c.fix, c.departments, c.customer_reply)
        return self.store(record)

    def start_new_sample_round(self, c: cmd.StartNewSampleRound, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.start_new_round(ctx)
        return self.store(record)

    def note_sample_month(self, c: cmd.NoteSampleMonth, ctx: Context) -> list[EventRef]:
        month = self.load_or_new(SampleMonth, month_id(c.month))
        month.note(ctx, c.month, c.text)
        return self.store(month)
