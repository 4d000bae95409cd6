"""Sales commands after the sample is made: shipment, trial, approval, NG loop, month notes."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, model_validator

from contracts.commands.base import Command, SampleCommand
from contracts.commands.bounds import Month, ReceiptDay


class ShipSample(SampleCommand):
    """Send the finished sample: by courier with a tracking number, or by the salesperson."""

    name: ClassVar[str] = "ship_sample"
    method: Literal["courier", "salesperson"] = Field(description="How / 方式")
    courier: str | None = Field(default=None, max_length=60, description="Courier company / 快递公司")
    tracking_no: str | None = Field(default=None, max_length=60, description="Tracking no. / 快递单号")

    @model_validator(mode="after")
    def courier_needs_tracking(self) -> ShipSample:
        if self.method == "courier" and not (self.courier and self.tracking_no):
            raise ValueError("a courier shipment needs the courier and the tracking number")
        return self


class ConfirmSampleReceipt(SampleCommand):
    """The salesperson records the date the customer confirmed receipt."""

    name: ClassVar[str] = "confirm_sample_receipt"
    received_on: ReceiptDay = Field(
        description="Receipt date: within the last 366 days, not after today / 签收日期")


class RecordTrial(SampleCommand):
    """The salesperson records the customer's trial result; NG needs its cause."""

    name: ClassVar[str] = "record_trial"
    multiline: ClassVar[frozenset[str]] = frozenset({"cause", "note"})
    result: Literal["ok", "ng"] = Field(description="Trial result / 试用结果")
    cause: str | None = Field(default=None, max_length=1000,
                              description="Cause of an NG trial / NG 原因")
    note: str = Field(default="", max_length=1000, description="Note / 备注")

    @model_validator(mode="after")
    def ng_needs_cause(self) -> RecordTrial:
        if self.result == "ng" and not self.cause:
            raise ValueError("an NG trial needs its cause")
        return self


class RecordSampleApproval(SampleCommand):
    """The customer's signed sample approval (样品承认书) arrived."""

    name: ClassVar[str] = "record_sample_approval"
    document_ref: str = Field(min_length=1, max_length=60,
                              description="Sample approval document no. / 样品承认书编号")


class AgreeNgFix(SampleCommand):
    """After an NG trial: the cause, the fix agreed with the departments, the reply given."""

    name: ClassVar[str] = "agree_ng_fix"
    multiline: ClassVar[frozenset[str]] = frozenset({"cause", "fix", "customer_reply"})
    cause: str = Field(min_length=1, max_length=1000, description="Cause / 原因")
    fix: str = Field(min_length=1, max_length=1000, description="Agreed fix / 改善措施")
    departments: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=6, description="Departments that agreed the fix / 部门")
    customer_reply: str = Field(min_length=1, max_length=1000,
                                description="Reply given to the customer / 给客户的答复")


class StartNewSampleRound(SampleCommand):
    """Start a new sample round after an agreed NG fix; a new application follows."""

    name: ClassVar[str] = "start_new_sample_round"


class NoteSampleMonth(Command):
    """The assistant's month-end summary under the month's Sample Record Summary (R-S8)."""

    name: ClassVar[str] = "note_sample_month"
    multiline: ClassVar[frozenset[str]] = frozenset({"text"})
    month: Month = Field(description="YYYY-MM, from 2000-01 to the current month / 月份")
    text: str = Field(min_length=1, max_length=4000, description="Summary / 月度总结")


COMMANDS: tuple[type[Command], ...] = (
    ShipSample,
    ConfirmSampleReceipt,
    RecordTrial,
    RecordSampleApproval,
    AgreeNgFix,
    StartNewSampleRound,
    NoteSampleMonth,
)
