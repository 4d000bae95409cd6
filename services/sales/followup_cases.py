"""Sales use cases after the sample is made (R-S6) and the month-end notes (R-S8)."""
from __future__ import annotations

from contracts.commands import sales_followup as cmd
from contracts.replies import EventRef
from services.domain import Context
from services.sales.month import SampleMonth, month_id


class FollowUpUseCases:
    """Mixed into ``SalesApplication``: load, call, save."""

    def ship_sample(self, c: cmd.ShipSample, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)  # type: ignore[attr-defined]
        record.ship(ctx, c.method, c.courier, c.tracking_no)
        return self.store(record)  # type: ignore[attr-defined, no-any-return]

    def confirm_sample_receipt(self, c: cmd.ConfirmSampleReceipt, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)  # type: ignore[attr-defined]
        record.confirm_receipt(ctx, c.received_on)
        return self.store(record)  # type: ignore[attr-defined, no-any-return]

    def record_trial(self, c: cmd.RecordTrial, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)  # type: ignore[attr-defined]
        record.record_trial(ctx, c.result, c.cause, c.note)
        return self.store(record)  # type: ignore[attr-defined, no-any-return]

    def record_sample_approval(self, c: cmd.RecordSampleApproval, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)  # type: ignore[attr-defined]
        record.record_approval(ctx, c.document_ref)
        return self.store(record)  # type: ignore[attr-defined, no-any-return]

    def agree_ng_fix(self, c: cmd.AgreeNgFix, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)  # type: ignore[attr-defined]
        record.agree_ng_fix(ctx, c.cause, c.fix, c.departments, c.customer_reply)
        return self.store(record)  # type: ignore[attr-defined, no-any-return]

    def start_new_sample_round(self, c: cmd.StartNewSampleRound, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)  # type: ignore[attr-defined]
        record.start_new_round(ctx)
        return self.store(record)  # type: ignore[attr-defined, no-any-return]

    def note_sample_month(self, c: cmd.NoteSampleMonth, ctx: Context) -> list[EventRef]:
        month = self.load_or_new(SampleMonth, month_id(c.month))  # type: ignore[attr-defined]
        month.note(ctx, c.month, c.text)
        return self.store(month)  # type: ignore[attr-defined, no-any-return]
