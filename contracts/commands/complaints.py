"""Complaint commands of the sales service (R-C1 to R-C7); subjects ``salesflow.cmd.sales.<name>``."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from contracts.commands.base import Command
from contracts.commands.bounds import Month, Number, Person, ShippedDay, VisitDay
from contracts.commands.documents import DocumentContent
from events.sales.complaint import ComplaintChannel, Severity

# Free texts of a complaint: what the customer said, a reply, a finding.
LongText = Annotated[str, Field(min_length=1, max_length=2000)]
ResponsibleDepartment = Literal["production", "quality", "engineering"]


class ComplaintCommand(Command):
    """A command about one complaint, named by its complaint number."""

    complaint_no: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                              description="Complaint number (letters, digits, - and _) / 客诉编号")


class ReceiveComplaint(ComplaintCommand):
    """Anyone in sales takes in a complaint through the one external window (R-C1)."""

    name: ClassVar[str] = "receive_complaint"
    multiline: ClassVar[frozenset[str]] = frozenset({"summary"})
    channel: ComplaintChannel = Field(description="phone, fax, visit, sales_visit or email / 渠道")
    customer: str = Field(min_length=1, max_length=120, description="Customer / 客户")
    summary: LongText = Field(description="What the customer said / 投诉内容")
    salesperson: Person | None = Field(default=None, description="Responsible salesperson / 业务员")


class ForwardComplaint(ComplaintCommand):
    """The assistant or salesperson passes the complaint to technical support at once (R-C2)."""

    name: ClassVar[str] = "forward_complaint"
    to: Person = Field(description="Technical support person / 技术支持")


class RegisterComplaint(ComplaintCommand):
    """Technical support enters the complaint in the Complaint Summary (R-C1, R-C2)."""

    name: ClassVar[str] = "register_complaint"
    multiline: ClassVar[frozenset[str]] = frozenset({"problem"})
    customer: str = Field(min_length=1, max_length=120, description="Customer / 客户")
    salesperson: Person = Field(description="Responsible salesperson / 业务员")
    product_model: str = Field(min_length=1, max_length=120, description="Product model / 产品型号")
    shipping_date: ShippedDay | None = Field(default=None, description="Shipping date, up to 5 "
                                             "years ago / 出货日期")
    batch: str | None = Field(default=None, min_length=1, max_length=60, description="Batch / 批号")
    problem: LongText = Field(description="Problem / 问题描述")
    category: str = Field(min_length=1, max_length=60, description="Problem category, e.g. burr, "
                          "dimension, adhesion / 问题类别")
    order_no: Number | None = Field(default=None, description="The order it concerns / 订单编号")
    shipping_note_no: Number | None = Field(default=None, description="Its shipping note / 出货单号")


class AttachComplaintFile(ComplaintCommand, DocumentContent):
    """Technical support keeps a photo or file of the complaint in the object store (R-C2)."""

    name: ClassVar[str] = "attach_complaint_file"


class RecordCustomerContact(ComplaintCommand):
    """Technical support records a conversation with the customer (R-C2)."""

    name: ClassVar[str] = "record_customer_contact"
    multiline: ClassVar[frozenset[str]] = frozenset({"note"})
    note: LongText = Field(description="What was said / 沟通内容")


class JudgeComplaintSeverity(ComplaintCommand):
    """Technical support judges the severity and the responsible department (R-C2)."""

    name: ClassVar[str] = "judge_complaint_severity"
    severity: Severity = Field(description="minor, needs_data or complex / 严重程度")
    responsible: ResponsibleDepartment | None = Field(
        default=None, description="Responsible department, unless minor / 责任部门")


class FillComplaintForm(ComplaintCommand):
    """Technical support fills in the Complaint Handling Form (客诉处理单) (R-C2)."""

    name: ClassVar[str] = "fill_complaint_form"
    multiline: ClassVar[frozenset[str]] = frozenset({"handling"})
    form_no: Number = Field(description="Form number / 处理单号")
    handling: LongText = Field(description="Proposed handling / 处理意见")


class SignComplaintForm(ComplaintCommand):
    """The CS supervisor signs the Complaint Handling Form (R-C2)."""

    name: ClassVar[str] = "sign_complaint_form"


class EscalateComplaint(ComplaintCommand):
    """Technical support sends the signed form to the responsible department (R-C2)."""

    name: ClassVar[str] = "escalate_complaint"


class AnswerMinorComplaint(ComplaintCommand):
    """Sales handles a minor complaint and replies to the customer (R-C2)."""

    name: ClassVar[str] = "answer_minor_complaint"
    multiline: ClassVar[frozenset[str]] = frozenset({"reply"})
    reply: LongText = Field(description="The reply / 回复内容")


class ReplyToComplaint(ComplaintCommand):
    """Technical support replies to the customer once the measures are known (R-C2)."""

    name: ClassVar[str] = "reply_to_complaint"
    multiline: ClassVar[frozenset[str]] = frozenset({"reply"})
    reply: LongText = Field(description="The reply / 回复内容")


class RecordComplaintFollowUp(ComplaintCommand):
    """Technical support follows the customer up: satisfied or not, new requirements (R-C3)."""

    name: ClassVar[str] = "record_complaint_follow_up"
    multiline: ClassVar[frozenset[str]] = frozenset({"note", "new_requirement"})
    satisfied: bool = Field(description="The customer is satisfied / 客户是否满意")
    note: LongText = Field(description="Follow-up note / 跟进记录")
    new_requirement: str | None = Field(default=None, min_length=1, max_length=1000,
                                        description="New requirement / 新要求")


class VerifySatisfaction(ComplaintCommand):
    """The CS supervisor verifies the customer's satisfaction (R-C3)."""

    name: ClassVar[str] = "verify_satisfaction"


class CloseComplaint(ComplaintCommand):
    """The CS supervisor closes a complaint whose satisfaction was verified (R-C3)."""

    name: ClassVar[str] = "close_complaint"


class ScheduleComplaintVisit(ComplaintCommand):
    """A serious complaint: technical support, the salesperson and quality visit (R-C7)."""

    name: ClassVar[str] = "schedule_complaint_visit"
    visit_on: VisitDay = Field(description="Visit date, from 31 days ago to a year ahead / 拜访日期")
    technical_support: Person = Field(description="Technical support / 技术支持")
    salesperson: Person = Field(description="Salesperson / 业务员")
    quality: Person = Field(description="Who from quality goes / 品质人员")


class RecordComplaintVisit(ComplaintCommand):
    """Technical support records what the visit found (R-C7)."""

    name: ClassVar[str] = "record_complaint_visit"
    multiline: ClassVar[frozenset[str]] = frozenset({"findings"})
    findings: str = Field(min_length=1, max_length=4000, description="Findings / 现场发现")


class ArchiveComplaintForm(ComplaintCommand):
    """Technical support archives the completed Complaint Handling Form (R-C7)."""

    name: ClassVar[str] = "archive_complaint_form"


class NoteComplaintMonth(Command):
    """Technical support writes notes under the month's complaint analysis (R-C6)."""

    name: ClassVar[str] = "note_complaint_month"
    multiline: ClassVar[frozenset[str]] = frozenset({"text"})
    month: Month = Field(description="YYYY-MM, 2000-01 to the current month / 月份")
    text: str = Field(min_length=1, max_length=4000, description="Notes / 分析说明")


COMMANDS: tuple[type[Command], ...] = (
    ReceiveComplaint, ForwardComplaint, RegisterComplaint, AttachComplaintFile,
    RecordCustomerContact, JudgeComplaintSeverity, FillComplaintForm, SignComplaintForm,
    EscalateComplaint, AnswerMinorComplaint, ReplyToComplaint, RecordComplaintFollowUp,
    VerifySatisfaction, CloseComplaint, ScheduleComplaintVisit, RecordComplaintVisit,
    ArchiveComplaintForm, NoteComplaintMonth,
)
