"""What production, quality and engineering record of complaints, in their own services: a
complaint that reached them first and was redirected into sales (R-C4), and the escalated
complaint they investigate: cause analysis and corrective measures (R-C2).

Each department declares its own event classes (their names and streams differ) on these bases,
so the facts are defined once."""
from __future__ import annotations

from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events.envelope import DomainEvent
from events.sales.complaint import ComplaintChannel


class DeskEvent(DomainEvent):
    """An event of a department's complaint desk (aggregate ``complaint_desk``)."""

    aggregate: ClassVar[str] = "complaint_desk"
    record_field: ClassVar[str | None] = "complaint_no"

    complaint_no: str = Field(description="Complaint number / 客诉编号")


class Redirected(DeskEvent):
    """A complaint reached this department first; it was redirected into sales (R-C4): a caller is
    told the process, a fax goes to technical support."""

    channel: ComplaintChannel
    customer: str
    summary: str
    how: Literal["caller_told_process", "forwarded_to_technical_support"]


class InvestigationOpened(DeskEvent):
    """Sales escalated a complaint to this department (R-C2)."""

    purpose: Literal["data", "handling"]
    form_no: str
    customer: str
    product_model: str
    problem: str
    batch: str | None = None
    order_no: str | None = None
    source_event_id: UUID = Field(description="Sales' ComplaintEscalated event")


class Analysed(DeskEvent):
    """The department's cause analysis and corrective measures (or the data asked for) (R-C2)."""

    cause: str = Field(description="Cause analysis / 原因分析")
    measures: str = Field(description="Corrective measures, or the data supplied / 改善对策")
