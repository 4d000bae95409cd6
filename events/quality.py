"""Events of quality (品质部): inspection of the lots production finishes for customer orders (R-O4)."""
from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import Field

from events import complaint_desk as desk
from events.envelope import Department, DomainEvent


class InspectionEvent(DomainEvent):
    """An event of quality's inspection of one lot of an order (aggregate ``inspection``)."""

    department: ClassVar[Department] = Department.QUALITY
    aggregate: ClassVar[str] = "inspection"
    record_field: ClassVar[str | None] = "order_no"

    order_no: str = Field(description="Order number / 订单编号")
    lot_no: str = Field(description="Lot number / 批号")
    attempt: int = Field(default=1, ge=1, description="1, then 2, 3 ... after each rework")


class InspectionRequested(InspectionEvent):
    """Production reported a lot finished: it waits for quality's inspection."""

    quantity: int = Field(ge=1, description="Quantity in the lot / 数量")
    source_event_id: UUID = Field(description="Production's LotCompleted event")


class InspectionPassed(InspectionEvent):
    """The inspector passed the lot: it may be shipped (R-O4)."""

    quantity: int = Field(ge=1)
    note: str | None = Field(default=None, description="Inspector's note / 备注")


class InspectionFailed(InspectionEvent):
    """The inspector failed the lot: it goes back to production for rework (R-O4)."""

    quantity: int = Field(ge=1)
    findings: str = Field(description="What is wrong / 检验问题")


# -- complaints that reach quality (R-C2, R-C4): the facts are in ``events.complaint_desk`` ------
class QualityComplaintRedirected(desk.Redirected):
    """A complaint reached quality first and was redirected into sales (R-C4)."""

    department: ClassVar[Department] = Department.QUALITY


class QualityComplaintInvestigationOpened(desk.InvestigationOpened):
    """Sales escalated a complaint to quality (R-C2)."""

    department: ClassVar[Department] = Department.QUALITY


class QualityComplaintAnalysed(desk.Analysed):
    """Quality's cause analysis and corrective measures of an escalated complaint (R-C2)."""

    department: ClassVar[Department] = Department.QUALITY


COMPLAINT_EVENTS: tuple[type[DomainEvent], ...] = (
    QualityComplaintRedirected, QualityComplaintInvestigationOpened, QualityComplaintAnalysed)


EVENTS: tuple[type[DomainEvent], ...] = (
    InspectionRequested,
    InspectionPassed,
    InspectionFailed,
    *COMPLAINT_EVENTS,
)
