"""Events of production (生产部, with PMC): the sample work order and its delivery promise."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar

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


class DeliveryPromised(SampleWorkOrderEvent):
    """Production (PMC) promised the completion time to the assistant (R-S7)."""

    promised_at: datetime = Field(description="Promised completion time / 承诺交期")


class SampleCompleted(SampleWorkOrderEvent):
    """Production finished the sample."""


EVENTS: tuple[type[DomainEvent], ...] = (SampleDocumentsReceived, DeliveryPromised, SampleCompleted)
