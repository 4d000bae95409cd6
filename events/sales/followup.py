"""Sales events after the sample is made: shipment, trial, approval, NG loop, delays, month notes."""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events.envelope import Department, DomainEvent
from events.sales.sample import SampleEvent


class SampleShipped(SampleEvent):
    """The sample went to the customer by courier (with tracking no.) or by the salesperson (R-S6)."""

    method: Literal["courier", "salesperson"] = Field(description="How / 方式")
    courier: str | None = Field(default=None, description="Courier company / 快递公司")
    tracking_no: str | None = Field(default=None, description="Tracking number / 快递单号")
    round: int = Field(default=1, ge=1)


class SampleReceiptConfirmed(SampleEvent):
    """The customer confirmed receipt; the trial follow-up is due three days later (R-S6)."""

    received_on: date = Field(description="Date the customer received it / 客户签收日期")
    round: int = Field(default=1, ge=1)


class TrialRecorded(SampleEvent):
    """The salesperson recorded the customer's trial: OK, or NG with its cause (R-S6)."""

    result: Literal["ok", "ng"]
    cause: str | None = Field(default=None, description="Cause of an NG trial / NG原因")
    note: str = ""
    round: int = Field(default=1, ge=1)


class SampleApprovalSigned(SampleEvent):
    """The customer signed the sample approval (样品承认书) after an OK trial (R-S6)."""

    document_ref: str = Field(description="Reference of the signed approval / 承认书编号")


class NgFixAgreed(SampleEvent):
    """After an NG trial: cause found, fix agreed with the departments, customer answered (R-S6)."""

    cause: str
    fix: str = Field(description="Agreed fix / 改善对策")
    departments: list[str] = Field(default_factory=list, description="Departments that agreed")
    customer_reply: str = Field(description="What the customer was told / 回复客户内容")


class SampleRoundStarted(SampleEvent):
    """A new sample round after an NG trial: a new application follows (R-S6)."""

    round: int = Field(ge=2)


class DelayNoticeRecorded(SampleEvent):
    """Production's delay notice reached sales, so the assistant can tell the customer (R-S7)."""

    reason: str
    kind: Literal["quality", "delay", "other"]
    previous_promised_at: datetime
    new_promised_at: datetime
    timely: bool = Field(description="Given at least 4 working hours before the promised time")
    source_event_id: UUID
    round: int = Field(default=1, ge=1)


class PenaltyRequested(SampleEvent):
    """A promised time passed with no completion and no timely notice: sales asks for a
    penalty against production (R-S7).

    Since production decides the miss itself, this follows its ``DeliveryPromiseMissed``
    (``source_event_id``); penalties stored before that have no source."""

    promised_at: datetime
    round: int = Field(default=1, ge=1)
    against: Literal["production"] = "production"
    source_event_id: UUID | None = Field(
        default=None, description="Production's DeliveryPromiseMissed this penalty follows")


class SampleMonthNoted(DomainEvent):
    """The assistant's month-end summary written under the month's Sample Record Summary (R-S8)."""

    department: ClassVar[Department] = Department.SALES
    aggregate: ClassVar[str] = "sample_month"
    record_field: ClassVar[str | None] = "month"

    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")
    text: str = Field(min_length=1, max_length=4000, description="Summary / 月度总结")
