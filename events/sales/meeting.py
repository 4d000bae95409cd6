"""Sales events of the monthly sales meeting's inputs (R-M2): the resource needs and the
improvements the managers enter for a month's meeting, and their withdrawal."""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from events.envelope import Department, DomainEvent


class MeetingDepartment(StrEnum):
    """The company's departments a resource need or an improvement concerns (DOMAIN.md)."""

    SALES = "sales"
    ENGINEERING = "engineering"
    PRODUCTION = "production"
    QUALITY = "quality"
    FINANCE = "finance"
    PURCHASING = "purchasing"


class MeetingInputEvent(DomainEvent):
    """An event of one month's meeting inputs (aggregate ``meeting_month``), about one item."""

    department: ClassVar[Department] = Department.SALES
    aggregate: ClassVar[str] = "meeting_month"
    record_field: ClassVar[str | None] = "item_id"

    item_id: str = Field(description="Item id, the month and a number (2026-05-001) / 事项编号")
    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="Meeting month YYYY-MM / 会议月份")


class MeetingInputRecorded(MeetingInputEvent):
    """What a resource need and an improvement both say."""

    # ``department`` is the envelope's (the service that stored it): this is the one concerned.
    for_department: MeetingDepartment = Field(description="Department concerned / 相关部门")
    summary: str = Field(min_length=1, max_length=200, description="Summary / 摘要")
    detail: str = Field(default="", max_length=4000, description="Detail / 详细说明")
    owner: str | None = Field(default=None, description="Who follows it up / 负责人")
    due: date | None = Field(default=None, description="Due date / 完成期限")


class ResourceNeedRecorded(MeetingInputRecorded):
    """A manager entered a resource need for the month's sales meeting (R-M2)."""


class ImprovementRecorded(MeetingInputRecorded):
    """A manager entered an improvement for the month's sales meeting (R-M2)."""


class MeetingInputWithdrawn(MeetingInputEvent):
    """A resource need or an improvement was withdrawn from the month's meeting (R-M2)."""


EVENTS: tuple[type[DomainEvent], ...] = (
    ResourceNeedRecorded,
    ImprovementRecorded,
    MeetingInputWithdrawn,
)
