"""Events of production (生产部, with PMC): the sample work order and its delivery promise."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from events.envelope import Department, DieDifficulty, DomainEvent


class SampleWorkOrderEvent(DomainEvent):
    """An event of production's sample work order (aggregate ``sample_work_order``)."""

    department: ClassVar[Department] = Department.PRODUCTION
    aggregate: ClassVar[str] = "sample_work_order"
    record_field: ClassVar[str | None] = "request_no"

    request_no: str = Field(description="Sample request number / 打样申请编号")


class SampleDocumentsReceived(SampleWorkOrderEvent):
    """Production received the sample documents: the 12-48 working-hour clock starts (R-S3)."""

    die_difficulty: DieDifficulty
    scheduled_for: datetime
    round: int = Field(default=1, ge=1, description="Sample round")


class DeliveryPromised(SampleWorkOrderEvent):
    """Production (PMC) promised the completion time to the assistant (R-S7)."""

    promised_at: datetime = Field(description="Promised completion time / 承诺交期")
    round: int = Field(default=1, ge=1)


class DelayNotified(SampleWorkOrderEvent):
    """Production told the assistant of a special case (quality, delay) and a new time (R-S7)."""

    kind: Literal["quality", "delay", "other"] = Field(description="Quality problem, delay, other")
    reason: str = Field(description="Reason / 原因")
    previous_promised_at: datetime
    new_promised_at: datetime = Field(description="New promised time / 新交期")
    working_hours_before: float = Field(description="Working hours left before the old promise")
    timely: bool = Field(description="At least 4 working hours before the promised time")
    round: int = Field(default=1, ge=1)


class SampleCompleted(SampleWorkOrderEvent):
    """Production finished the sample."""

    round: int = Field(default=1, ge=1)


EVENTS: tuple[type[DomainEvent], ...] = (
    SampleDocumentsReceived,
    DeliveryPromised,
    DelayNotified,
    SampleCompleted,
)
