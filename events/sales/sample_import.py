"""A row of the company's old Sample Record Summary (打样记录汇总表), imported as history (issue 12).

One event per row: it brings the sales sample record to the row's stage at once. Its business
time (``timestamp``) is the row's request date; ``recorded_at`` is when it was imported; the
actor is who imported it; ``source`` the workbook, sheet and row it came from.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from events.envelope import DieDifficulty
from events.imports import ImportSource
from events.sales.sample import SampleEvent

# The stages a row of the table can stand at, in the live process's order (the summary's own).
ImportStage = Literal[
    "requested", "costed", "quoted", "signed", "sent", "price_rejected", "closed",
    "price_approved", "order_chasing", "round_started", "application_opened",
    "application_approved", "job_opened", "scheduled", "in_production", "promised", "completed",
    "returned", "shipped", "received", "trial_ok", "trial_ng", "ng_fix_agreed",
    "approval_signed",
]


class SampleImported(SampleEvent):
    """A sample record loaded from a row of the old Sample Record Summary, at the row's stage."""

    source: ImportSource
    status: ImportStage = Field(description="Stage the row stands at / 状态")
    customer: str = Field(description="Customer name / 客户")
    salesperson: str | None = Field(default=None, description="Salesperson / 业务员")
    assistant: str | None = Field(default=None, description="Sales assistant / 业务助理")
    product: str | None = Field(default=None, description="Product / 产品")
    part_no: str | None = Field(default=None, description="Part number / 料号")
    die_difficulty: DieDifficulty | None = Field(default=None, description="Die difficulty / 刀模难度")
    quotation_no: str | None = Field(default=None, description="Quotation no. / 报价单号")
    application_no: str | None = Field(default=None, description="Application no. / 申请单号")
    round: int = Field(default=1, ge=1, description="Sample round / 打样轮次")
    scheduled_for: datetime | None = Field(default=None, description="Scheduled / 计划打样时间")
    promised_at: datetime | None = Field(default=None, description="Promised / 承诺交期")
    completed_at: datetime | None = Field(default=None, description="Completed / 完成时间")
    shipped_method: Literal["courier", "salesperson"] | None = Field(
        default=None, description="Shipped how / 寄样方式")
    courier: str | None = Field(default=None, description="Courier company / 快递公司")
    tracking_no: str | None = Field(default=None, description="Tracking no. / 快递单号")
    received_on: date | None = Field(default=None, description="Receipt date / 签收日期")
    trial_result: Literal["ok", "ng"] | None = Field(default=None, description="Trial / 试用结果")
    trial_cause: str | None = Field(default=None, description="Cause of an NG trial / NG原因")
    approval_ref: str | None = Field(default=None, description="Sample approval / 承认书编号")

    def facts(self) -> dict[str, object]:
        """What the row says (its source and the envelope left out): a second import of the
        same record with the same facts is the same row, whichever file it came from."""
        return self.model_dump(include=set(IMPORTED_FACTS))


IMPORTED_FACTS: tuple[str, ...] = (
    "request_no", "status", "customer", "salesperson", "assistant", "product", "part_no",
    "die_difficulty", "quotation_no", "application_no", "round", "scheduled_for", "promised_at",
    "completed_at", "shipped_method", "courier", "tracking_no", "received_on", "trial_result",
    "trial_cause", "approval_ref", "timestamp",
)
