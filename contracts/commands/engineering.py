"""Commands of the engineering service (subjects ``salesflow.cmd.engineering.<name>``)."""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from contracts.commands.base import Command, SampleCommand
from contracts.commands.bounds import Number, PlannedStart
from contracts.commands.documents import DocumentContent
from contracts.commands.orders import OrderCommand


class ScheduleSampling(SampleCommand):
    """An engineer schedules the sampling; the documents go to production."""

    name: ClassVar[str] = "schedule_sampling"
    scheduled_for: PlannedStart = Field(description="Planned start, with timezone; at most 30 "
                                        "days ago and 366 days ahead / 计划开始时间")


class ReturnSample(SampleCommand):
    """Engineering returns the finished sample to sales."""

    name: ClassVar[str] = "return_sample"


COMMANDS: tuple[type[Command], ...] = (ScheduleSampling, ReturnSample)


class IssueProcessInstructions(OrderCommand, DocumentContent):
    """An engineer issues the order's process instructions (工艺指导书), a document kept in the
    object store; issuing again makes the next version (R-O2)."""

    name: ClassVar[str] = "issue_process_instructions"
    document_no: Number = Field(description="Document number / 文件编号")


ORDER_COMMANDS: tuple[type[Command], ...] = (IssueProcessInstructions,)
