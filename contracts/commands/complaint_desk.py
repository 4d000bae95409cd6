"""Complaint commands production, quality and engineering each accept (subjects
``salesflow.cmd.<department>.<name>``): a complaint that reached them first (R-C4), and their
analysis of an escalated one (R-C2)."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from contracts.commands.base import Command
from contracts.commands.complaints import ComplaintCommand, LongText
from events.sales.complaint import ComplaintChannel


class RedirectComplaint(ComplaintCommand):
    """A complaint reached this department: it is redirected into sales (R-C4)."""

    name: ClassVar[str] = "redirect_complaint"
    multiline: ClassVar[frozenset[str]] = frozenset({"summary"})
    channel: ComplaintChannel = Field(description="How it arrived / 渠道")
    customer: str = Field(min_length=1, max_length=120, description="Customer / 客户")
    summary: LongText = Field(description="What the customer said / 投诉内容")
    how: Literal["caller_told_process", "forwarded_to_technical_support"] = Field(
        description="A caller is told the process; a fax goes to technical support / 处理方式")


class RecordComplaintAnalysis(ComplaintCommand):
    """The department records its cause analysis and corrective measures (or the data asked
    for) of a complaint escalated to it (R-C2)."""

    name: ClassVar[str] = "record_complaint_analysis"
    multiline: ClassVar[frozenset[str]] = frozenset({"cause", "measures"})
    cause: LongText = Field(description="Cause analysis / 原因分析")
    measures: LongText = Field(description="Corrective measures, or the data supplied / 改善对策")


COMMANDS: tuple[type[Command], ...] = (RedirectComplaint, RecordComplaintAnalysis)
