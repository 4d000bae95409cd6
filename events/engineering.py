"""Events of engineering (工程部): the sampling job opened from an approved sample application."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from events.envelope import Department, DieDifficulty, DomainEvent


class SamplingJobEvent(DomainEvent):
    """An event of engineering's sampling job (aggregate ``sampling_job``)."""

    department: ClassVar[Department] = Department.ENGINEERING
    aggregate: ClassVar[str] = "sampling_job"
    record_field: ClassVar[str | None] = "request_no"

    request_no: str = Field(description="Sample request number / 打样申请编号")


class SamplingJobOpened(SamplingJobEvent):
    """Engineering received an approved sample application and opened a sampling job."""

    sample_id: UUID = Field(description="Id of the sales sample record")
    customer: str
    product: str
    part_no: str
    die_difficulty: DieDifficulty
    round: int = Field(default=1, ge=1, description="Sample round")


class SamplingScheduled(SamplingJobEvent):
    """An engineer scheduled the sampling and handed the sample documents to production."""

    scheduled_for: datetime = Field(description="Planned start of sampling / 计划打样时间")
    die_difficulty: DieDifficulty
    round: int = Field(default=1, ge=1)


class FinishedSampleReceived(SamplingJobEvent):
    """Engineering took over the sample production finished, to return it to sales."""

    completed_event_id: UUID = Field(description="Production's SampleCompleted event")
    round: int = Field(default=1, ge=1)


class SampleReturnedToSales(SamplingJobEvent):
    """Engineering returned the finished sample to sales (R-S6)."""

    round: int = Field(default=1, ge=1)


EVENTS: tuple[type[DomainEvent], ...] = (
    SamplingJobOpened,
    SamplingScheduled,
    FinishedSampleReceived,
    SampleReturnedToSales,
)
