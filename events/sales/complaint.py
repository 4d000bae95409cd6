"""Sales events of a customer complaint: intake through the marketing department's one window
(R-C1, R-C4), registration and handling by technical support with the CS supervisor's signature
(R-C2), follow-up and closing (R-C3), delivery of each entry to the salesperson (R-C5), the
month-end notes (R-C6) and on-site visits (R-C7)."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events.envelope import Department, DomainEvent
from events.imports import ImportSource

# How a complaint reaches the company (R-C1).
ComplaintChannel = Literal["phone", "fax", "visit", "sales_visit", "email"]


class Severity(StrEnum):
    """Technical support's judgement of a complaint (R-C2)."""

    MINOR = "minor"  # sales handles it and replies
    NEEDS_DATA = "needs_data"  # another department supplies data
    COMPLEX = "complex"  # the form goes to the responsible department


class ComplaintEvent(DomainEvent):
    """An event of the sales complaint record (aggregate ``complaint``)."""

    department: ClassVar[Department] = Department.SALES
    aggregate: ClassVar[str] = "complaint"
    record_field: ClassVar[str | None] = "complaint_no"

    complaint_no: str = Field(description="Complaint number / 客诉编号")


class ComplaintReceived(ComplaintEvent):
    """Sales (the marketing department's window) took in a complaint from any channel (R-C1), or
    took over one another department received first (R-C4)."""

    channel: ComplaintChannel = Field(description="Phone, fax, visit, raised on a sales visit, e-mail")
    customer: str = Field(description="Customer / 客户")
    summary: str = Field(description="What the customer said / 投诉内容")
    salesperson: str | None = Field(default=None, description="Responsible salesperson / 业务员")
    redirected_from: Department | None = Field(
        default=None, description="The department that received it first (R-C4) / 转来部门")
    source_event_id: UUID | None = Field(default=None, description="That department's event")


class ComplaintForwarded(ComplaintEvent):
    """The assistant or salesperson passed the complaint to technical support (R-C2)."""

    to: str = Field(description="Technical support person / 技术支持")


class ComplaintRegistered(ComplaintEvent):
    """Technical support entered the complaint in the Complaint Summary (R-C2)."""

    customer: str
    salesperson: str = Field(description="Responsible salesperson / 业务员")
    product_model: str = Field(description="Product model / 产品型号")
    shipping_date: date | None = Field(default=None, description="Shipping date / 出货日期")
    batch: str | None = Field(default=None, description="Batch / 批号")
    problem: str = Field(description="Problem / 问题描述")
    category: str = Field(description="Problem category, for the month analysis / 问题类别")
    order_no: str | None = Field(default=None, description="The order it concerns / 订单编号")
    shipping_note_no: str | None = Field(default=None, description="Its shipping note / 出货单号")


class ComplaintFileAttached(ComplaintEvent):
    """A photo or file of the complaint, kept in the object store by its SHA-256 (R-C2)."""

    filename: str
    media_type: str
    sha256: str
    size: int = Field(ge=1)


class CustomerContacted(ComplaintEvent):
    """Technical support talked to the customer about the complaint (R-C2, R-C3)."""

    note: str = Field(description="What was said / 沟通内容")


class ComplaintSeverityJudged(ComplaintEvent):
    """Technical support judged the severity and, unless minor, the responsible department (R-C2)."""

    severity: Severity
    responsible: Department | None = Field(default=None, description="Responsible department, "
                                           "for a complaint that is not minor / 责任部门")


class ComplaintFormFilled(ComplaintEvent):
    """Technical support filled in the Complaint Handling Form (客诉处理单) (R-C2)."""

    form_no: str = Field(description="Form number / 处理单号")
    handling: str = Field(description="Proposed handling / 处理意见")


class ComplaintFormSigned(ComplaintEvent):
    """The CS supervisor signed the Complaint Handling Form (R-C2)."""

    form_no: str


class ComplaintEscalated(ComplaintEvent):
    """The signed form went to the responsible department: for its data, or to handle it (R-C2)."""

    responsible: Department = Field(description="Production, quality or engineering / 责任部门")
    purpose: Literal["data", "handling"] = Field(description="Supply data, or find the cause and "
                                                 "correct it / 提供资料或处理")
    form_no: str
    customer: str
    product_model: str
    problem: str
    batch: str | None = None
    order_no: str | None = None


class ComplaintMeasuresRecorded(ComplaintEvent):
    """Sales recorded the responsible department's cause analysis and measures (R-C2)."""

    responsible: Department
    cause: str
    measures: str
    source_event_id: UUID


class ComplaintReplied(ComplaintEvent):
    """The customer got the reply: from sales for a minor complaint, else from technical support."""

    reply: str = Field(description="The reply / 回复内容")
    by: Literal["sales", "technical_support"]


class ComplaintFollowUpRecorded(ComplaintEvent):
    """Technical support followed the customer up after the measures (R-C3, R-C7): satisfied or
    not, and any new requirement; a dissatisfied customer reopens the handling."""

    satisfied: bool = Field(description="The customer is satisfied / 客户是否满意")
    note: str = Field(description="Follow-up note / 跟进记录")
    new_requirement: str | None = Field(default=None, description="New requirement / 新要求")


class ComplaintReopened(ComplaintEvent):
    """The customer was not satisfied: the handling starts again (R-C3)."""

    reason: str


class SatisfactionVerified(ComplaintEvent):
    """The CS supervisor verified the customer's satisfaction (R-C3)."""


class ComplaintClosed(ComplaintEvent):
    """The CS supervisor closed the complaint (R-C3, R-C7)."""


class ComplaintVisitScheduled(ComplaintEvent):
    """A serious complaint: technical support, the salesperson and quality visit the customer (R-C7)."""

    visit_on: date = Field(description="Visit date / 拜访日期")
    technical_support: str
    salesperson: str
    quality: str = Field(description="Who from quality goes / 品质人员")


class ComplaintVisitRecorded(ComplaintEvent):
    """What the visit found (R-C7)."""

    findings: str = Field(description="Findings on site / 现场发现")


class ComplaintFormArchived(ComplaintEvent):
    """The completed Complaint Handling Form was archived (R-C7)."""

    form_no: str


class ComplaintEntryDelivered(ComplaintEvent):
    """A new or changed entry of the complaint went to the responsible salesperson at once (R-C5);
    a notification sender and the dashboard use it."""

    to: str = Field(description="The responsible salesperson / 业务员")
    entry: str = Field(description="The entry's event type, e.g. ComplaintRegistered")
    entry_event_id: UUID


# Where an imported complaint stands in its handling: the statuses of the sales record.
ComplaintStage = Literal["received", "forwarded", "registered", "judged", "form_filled",
                         "form_signed", "escalated", "measures_recorded", "replied", "reopened",
                         "satisfied", "verified", "closed"]


class ComplaintImported(ComplaintEvent):
    """A row of the old Complaint Summary (客诉投诉汇总表) loaded as history (issue 12): the
    complaint as it stood, at the stage it had reached; its timestamp is when it was received.
    The live process continues it from that stage."""

    source: ImportSource
    stage: ComplaintStage = Field(description="Where its handling stood / 处理状态")
    channel: ComplaintChannel | None = Field(default=None, description="How it came in / 渠道")
    received_by: str | None = Field(default=None, description="Who took it in / 接收人")
    customer: str = Field(description="Customer / 客户")
    salesperson: str | None = Field(default=None, description="Responsible salesperson / 业务员")
    product_model: str | None = Field(default=None, description="Product model / 产品型号")
    shipping_date: date | None = Field(default=None, description="Shipping date / 出货日期")
    batch: str | None = Field(default=None, description="Batch / 批号")
    problem: str = Field(description="Problem / 问题描述")
    category: str = Field(description="Problem category, for the month analysis / 问题类别")
    order_no: str | None = Field(default=None, description="The order it concerns / 订单编号")
    severity: Severity | None = None
    responsible: Department | None = Field(default=None, description="Responsible department "
                                           "/ 责任部门")
    form_no: str | None = Field(default=None, description="Complaint Handling Form no. / 处理单号")
    form_signed_by: str | None = Field(default=None, description="Who signed the form / 签核人")
    measures: str | None = Field(default=None, description="Corrective measures / 改善对策")
    reply: str | None = Field(default=None, description="The reply to the customer / 回复内容")
    replied_at: datetime | None = Field(default=None, description="When it was replied / 回复时间")
    satisfied: bool | None = Field(default=None, description="The customer is satisfied / 满意")
    new_requirement: str | None = Field(default=None, description="New requirement / 新要求")
    closed_at: datetime | None = Field(default=None, description="When it was closed / 结案时间")


class ComplaintMonthNoted(DomainEvent):
    """Technical support's notes under the month's complaint analysis (R-C6)."""

    department: ClassVar[Department] = Department.SALES
    aggregate: ClassVar[str] = "complaint_month"
    record_field: ClassVar[str | None] = "month"

    month: str = Field(description="YYYY-MM / 月份")
    text: str = Field(description="Notes / 分析说明")


EVENTS: tuple[type[DomainEvent], ...] = (
    ComplaintReceived, ComplaintForwarded, ComplaintRegistered, ComplaintFileAttached,
    CustomerContacted, ComplaintSeverityJudged, ComplaintFormFilled, ComplaintFormSigned,
    ComplaintEscalated, ComplaintMeasuresRecorded, ComplaintReplied, ComplaintFollowUpRecorded,
    ComplaintReopened, SatisfactionVerified, ComplaintClosed, ComplaintVisitScheduled,
    ComplaintVisitRecorded, ComplaintFormArchived, ComplaintEntryDelivered, ComplaintMonthNoted,
    ComplaintImported,
)
