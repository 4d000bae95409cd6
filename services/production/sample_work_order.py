"""Production's sample work order: documents received, delivery promised, sample completed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from events import production as ev
from events.engineering import SamplingScheduled
from events.envelope import Role
from services.domain import Aggregate, Context, RuleBroken, record_id


def work_order_id(request_no: str) -> UUID:
    return record_id("sample_work_order", request_no)


@dataclass
class SampleWorkOrder(Aggregate):
    """Making one sample within 12 / 24 / 48 working hours of receiving its documents (R-S3)."""

    request_no: str = ""
    status: str = "new"
    promised_at: datetime | None = None

    def receive_documents(self, ctx: Context, scheduled: SamplingScheduled) -> None:
        if self.version:
            return  # documents already received: a repeat changes nothing
        self.trigger(ev.SampleDocumentsReceived, ctx, request_no=scheduled.request_no,
                     die_difficulty=scheduled.die_difficulty, scheduled_for=scheduled.scheduled_for)

    def promise(self, ctx: Context, promised_at: datetime) -> None:
        ctx.require("R-S7", [Role.PMC_PLANNER, Role.PRODUCTION_SUPERVISOR],
                    "promise a delivery time", "承诺交期")
        if self.status not in ("received", "promised"):
            raise RuleBroken("R-S7", f"sample {self.request_no} is {self.status}: a delivery time is "
                             "promised after the documents arrive and before completion",
                             f"打样 {self.request_no} 当前为 {self.status}：交期须在收到资料后、完成前承诺")
        if promised_at <= ctx.now:
            raise RuleBroken("R-S7", "the promised time must lie in the future",
                             "承诺交期必须晚于当前时间", field="promised_at")
        self.trigger(ev.DeliveryPromised, ctx, request_no=self.request_no, promised_at=promised_at)

    def complete(self, ctx: Context) -> None:
        ctx.require("R-S3", [Role.PRODUCTION_SUPERVISOR], "report a sample completed", "报告样品完成")
        if self.status not in ("received", "promised"):
            raise RuleBroken("R-S3", f"sample {self.request_no} is {self.status}: only a sample in "
                             "production can be completed",
                             f"打样 {self.request_no} 当前为 {self.status}：只有生产中的样品才能完成")
        self.trigger(ev.SampleCompleted, ctx, request_no=self.request_no)

    def when_SampleDocumentsReceived(self, e: ev.SampleDocumentsReceived) -> None:
        self.request_no, self.status = e.request_no, "received"

    def when_DeliveryPromised(self, e: ev.DeliveryPromised) -> None:
        self.promised_at, self.status = e.promised_at, "promised"

    def when_SampleCompleted(self, e: ev.SampleCompleted) -> None:
        self.status = "completed"
