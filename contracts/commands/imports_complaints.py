"""Importing a row of the old Complaint Summary (客诉投诉汇总表) as history (issue 12): one
``import_complaint`` per row, handled by sales; technical support keeps that table (R-C2).
Subject ``salesflow.cmd.sales.import_complaint``."""
from __future__ import annotations

from datetime import date
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field

from contracts.commands.base import Command
from contracts.commands.bounds import (
    OCCURRED_SKEW,
    Number,
    Person,
    history_day,
    history_moment,
)
from contracts.commands.bulk import Bulk
from contracts.commands.complaints import (
    ComplaintCommand,
    LongText,
    ResponsibleDepartment,
)
from events.imports import ImportSource
from events.sales.complaint import ComplaintChannel, ComplaintStage, Severity

HistoryMoment = Annotated[AwareDatetime, AfterValidator(history_moment(OCCURRED_SKEW))]
HistoryDay = Annotated[date, AfterValidator(history_day())]
ShortText = Annotated[str, Field(min_length=1, max_length=120)]


class ImportComplaint(ComplaintCommand):
    """Load one complaint of the old Complaint Summary as it stood, marked imported (R-C2)."""

    name: ClassVar[str] = "import_complaint"
    multiline: ClassVar[frozenset[str]] = frozenset(
        {"problem", "measures", "reply", "new_requirement"})
    source: ImportSource = Field(description="The workbook, sheet and row / 来源工作簿、工作表和行")
    stage: ComplaintStage = Field(description="Where its handling stood: received ... closed / "
                                  "处理状态")
    received_at: HistoryMoment = Field(description="When it was received (the business time of "
                                       "the import) / 接收时间")
    channel: ComplaintChannel | None = Field(default=None, description="phone, fax, visit, "
                                             "sales_visit or email / 渠道")
    received_by: Person | None = Field(default=None, description="Who took it in / 接收人")
    customer: ShortText = Field(description="Customer / 客户")
    salesperson: Person | None = Field(default=None, description="Responsible salesperson / 业务员")
    product_model: ShortText | None = Field(default=None, description="Product model / 产品型号")
    shipping_date: HistoryDay | None = Field(default=None, description="Shipping date / 出货日期")
    batch: str | None = Field(default=None, min_length=1, max_length=60, description="Batch / 批号")
    problem: LongText = Field(description="Problem / 问题描述")
    category: str = Field(min_length=1, max_length=60, description="Problem category / 问题类别")
    order_no: Number | None = Field(default=None, description="The order it concerns / 订单编号")
    severity: Severity | None = Field(default=None, description="minor, needs_data or complex / "
                                      "严重程度")
    responsible: ResponsibleDepartment | None = Field(default=None,
                                                      description="Responsible department / 责任部门")
    form_no: Number | None = Field(default=None, description="Complaint Handling Form no. / 处理单号")
    form_signed_by: Person | None = Field(default=None, description="Who signed the form / 签核人")
    measures: LongText | None = Field(default=None, description="Corrective measures / 改善对策")
    reply: LongText | None = Field(default=None, description="The reply / 回复内容")
    replied_at: HistoryMoment | None = Field(default=None, description="When it was replied / "
                                             "回复时间")
    satisfied: bool | None = Field(default=None, description="The customer is satisfied / 满意")
    new_requirement: str | None = Field(default=None, min_length=1, max_length=1000,
                                        description="New requirement / 新要求")
    closed_at: HistoryMoment | None = Field(default=None, description="When it was closed / "
                                            "结案时间")


class ImportComplaints(Bulk):
    """Up to 500 rows of the old Complaint Summary in one command; each row is checked and
    imported as ``import_complaint`` alone (a row's refusal answers that row only)."""

    name: ClassVar[str] = "import_complaints"
    row_command: ClassVar[type[Command]] = ImportComplaint


COMMANDS: tuple[type[Command], ...] = (ImportComplaint, ImportComplaints)
