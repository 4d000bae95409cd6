"""The sample record after the sample is made: shipment, trial, approval, NG loop (R-S6) and
production's promises, delay notices and penalties (R-S7)."""
from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from events import sales as ev
from events.envelope import Role
from services.domain import Context, RuleBroken

if TYPE_CHECKING:
    from services.sales.sample import SampleRecord

SHIPPERS = (Role.SALES_ASSISTANT, Role.SALESPERSON)


class SampleFollowUp:
    """Command methods and state changes mixed into ``SampleRecord``."""

    def ship(self: SampleRecord, ctx: Context, method: str, courier: str | None,
             tracking_no: str | None) -> None:
        ctx.require("R-S6", SHIPPERS, "ship a sample", "寄送样品")
        self._expect("R-S6", {"returned"}, "only a sample returned to sales can be shipped",
                     "只有已交回业务部的样品才能寄送")
        self.trigger(ev.SampleShipped, ctx, request_no=self.request_no, method=method,
                     courier=courier, tracking_no=tracking_no, round=self.round)

    def confirm_receipt(self: SampleRecord, ctx: Context, received_on: date, today: date) -> None:
        """``today`` is the business date of ``ctx.now`` in the company's time zone."""
        ctx.require("R-S6", [Role.SALESPERSON], "record the customer's receipt", "登记客户签收")
        self._expect("R-S6", {"shipped"}, "receipt is confirmed after shipment",
                     "样品寄出后才能登记签收")
        if received_on > today:
            raise RuleBroken("R-S6", f"the receipt date {received_on.isoformat()} lies after today "
                             f"({today.isoformat()}, company time)",
                             f"签收日期 {received_on.isoformat()} 不能晚于今天（{today.isoformat()}，公司时区）",
                             field="received_on")
        self.trigger(ev.SampleReceiptConfirmed, ctx, request_no=self.request_no,
                     received_on=received_on, round=self.round)

    def record_trial(self: SampleRecord, ctx: Context, result: str, cause: str | None,
                     note: str) -> None:
        ctx.require("R-S6", [Role.SALESPERSON], "record the customer's trial", "登记客户试用结果")
        self._expect("R-S6", {"received"}, "the trial is surveyed after the customer confirmed "
                     "receipt", "客户确认收货后才能调查试用情况")
        self.trigger(ev.TrialRecorded, ctx, request_no=self.request_no, result=result,
                     cause=cause, note=note, round=self.round)

    def record_approval(self: SampleRecord, ctx: Context, document_ref: str) -> None:
        ctx.require("R-S6", SHIPPERS, "record the sample approval", "登记样品承认书")
        self._expect("R-S6", {"trial_ok"}, "a sample approval follows an OK trial",
                     "试用OK后才能签回样品承认书")
        self.trigger(ev.SampleApprovalSigned, ctx, request_no=self.request_no,
                     document_ref=document_ref)

    def agree_ng_fix(self: SampleRecord, ctx: Context, cause: str, fix: str,
                     departments: list[str], customer_reply: str) -> None:
        ctx.require("R-S6", [Role.SALESPERSON], "record the fix of an NG trial", "登记NG改善对策")
        self._expect("R-S6", {"trial_ng"}, "a fix is agreed after an NG trial",
                     "试用NG后才需协商改善对策")
        self.trigger(ev.NgFixAgreed, ctx, request_no=self.request_no, cause=cause, fix=fix,
                     departments=departments, customer_reply=customer_reply)

    def start_new_round(self: SampleRecord, ctx: Context) -> None:
        ctx.require("R-S6", [Role.SALES_ASSISTANT], "start a new sample round", "开始新一轮打样")
        self._expect("R-S6", {"ng_fix_agreed"}, "a new sample round follows an agreed NG fix",
                     "协商好NG改善对策后才能重新打样")
        self.trigger(ev.SampleRoundStarted, ctx, request_no=self.request_no, round=self.round + 1)

    def record_delay_notice(self: SampleRecord, ctx: Context, *, kind: str, reason: str,
                            previous: datetime, new: datetime, timely: bool, source: UUID,
                            round: int) -> None:
        """R-S7: the assistant learns of the delay, to tell the customer."""
        if source in self.reported or round != self.round:
            return
        self.trigger(ev.DelayNoticeRecorded, ctx, request_no=self.request_no, kind=kind,
                     reason=reason, previous_promised_at=previous, new_promised_at=new,
                     timely=timely, source_event_id=source, round=round)

    def request_penalty(self: SampleRecord, ctx: Context, *, promised_at: datetime, round: int,
                        source: UUID) -> None:
        """R-S7: production recorded a promised time missed without timely notice; the sales
        department requests a penalty against production, once per missed promise."""
        if source in self.reported or (round, promised_at) in self.penalised:
            return
        self.trigger(ev.PenaltyRequested, ctx, request_no=self.request_no,
                     promised_at=promised_at, round=round, source_event_id=source)

    # -- state changes ------------------------------------------------------------------------
    def when_SampleShipped(self: SampleRecord, e: Any) -> None:
        self.status = "shipped"

    def when_SampleReceiptConfirmed(self: SampleRecord, e: ev.SampleReceiptConfirmed) -> None:
        self.status, self.received_on = "received", e.received_on

    def when_TrialRecorded(self: SampleRecord, e: ev.TrialRecorded) -> None:
        self.status = f"trial_{e.result}"

    def when_SampleApprovalSigned(self: SampleRecord, e: Any) -> None:
        self.status = "approval_signed"

    def when_NgFixAgreed(self: SampleRecord, e: Any) -> None:
        self.status = "ng_fix_agreed"

    def when_SampleRoundStarted(self: SampleRecord, e: ev.SampleRoundStarted) -> None:
        self.status, self.round, self.progress = "round_started", e.round, None
        self.stages = frozenset[str]()
        self.promised_at = self.completed_at = self.received_on = None

    def when_DelayNoticeRecorded(self: SampleRecord, e: ev.DelayNoticeRecorded) -> None:
        self.reported = self.reported | {e.source_event_id}
        self.promised_at = e.new_promised_at

    def when_PenaltyRequested(self: SampleRecord, e: ev.PenaltyRequested) -> None:
        self.penalised = self.penalised | {(e.round, e.promised_at)}
        if e.source_event_id is not None:
            self.reported = self.reported | {e.source_event_id}
