"""Events of engineering (工程部): the sampling job opened from an approved sample application, and
the process instructions (工艺指导书) written for a customer order (R-O2)."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events import complaint_desk as desk
from events.envelope import Department, DieDifficulty, DomainEvent, OrderLine
from events.imports import ImportSource


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


class SamplingJobImported(SamplingJobEvent):
    """An open sample imported from the old Sample Record Summary (issue 12) reached
    engineering's stage: its job is set where the row stands, so the live steps continue it.
    History: it starts no clock."""

    source: ImportSource
    source_event_id: UUID = Field(description="Sales' SampleImported event")
    status: Literal["open", "scheduled", "completed"] = Field(description="Job status / 状态")
    die_difficulty: DieDifficulty | None = None
    round: int = Field(default=1, ge=1)


class ProcessInstructionsEvent(DomainEvent):
    """An event of the process instructions of one order (aggregate ``process_instructions``)."""

    department: ClassVar[Department] = Department.ENGINEERING
    aggregate: ClassVar[str] = "process_instructions"
    record_field: ClassVar[str | None] = "order_no"

    order_no: str = Field(description="Order number / 订单编号")


class ProcessInstructionsRequested(ProcessInstructionsEvent):
    """Engineering received the order data from the assistant (R-O2)."""

    internal_order_no: str
    customer: str
    lines: tuple[OrderLine, ...]
    source_event_id: UUID = Field(description="Sales' InternalOrderIssued event")


class ProcessInstructionsIssued(ProcessInstructionsEvent):
    """An engineer issued (a new version of) the process instructions, a document in the
    object store named by its SHA-256 (R-O2)."""

    document_no: str = Field(description="Document number / 文件编号")
    revision: int = Field(ge=1, description="1 for the first issue, then 2, 3 ... / 版本")
    filename: str
    media_type: str
    sha256: str = Field(description="Content hash: the object's name in the object store")
    size: int = Field(ge=1, description="Bytes")


# -- complaints that reach engineering (R-C2, R-C4): the facts are in ``events.complaint_desk`` ------
class EngineeringComplaintRedirected(desk.Redirected):
    """A complaint reached engineering first and was redirected into sales (R-C4)."""

    department: ClassVar[Department] = Department.ENGINEERING


class EngineeringComplaintInvestigationOpened(desk.InvestigationOpened):
    """Sales escalated a complaint to engineering (R-C2)."""

    department: ClassVar[Department] = Department.ENGINEERING


class EngineeringComplaintAnalysed(desk.Analysed):
    """Engineering's cause analysis and corrective measures of an escalated complaint (R-C2)."""

    department: ClassVar[Department] = Department.ENGINEERING


COMPLAINT_EVENTS: tuple[type[DomainEvent], ...] = (
    EngineeringComplaintRedirected, EngineeringComplaintInvestigationOpened, EngineeringComplaintAnalysed)


EVENTS: tuple[type[DomainEvent], ...] = (
    SamplingJobOpened,
    SamplingScheduled,
    FinishedSampleReceived,
    SampleReturnedToSales,
    SamplingJobImported,
    ProcessInstructionsRequested,
    ProcessInstructionsIssued,
    *COMPLAINT_EVENTS,
)
