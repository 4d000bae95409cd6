"""Sales commands of the monthly sales meeting's inputs (R-M2): the resource needs and the
improvements the managers enter for a month's meeting, and their withdrawal."""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from contracts.commands.base import Command
from contracts.commands.bounds import FollowUpDay, MeetingMonth, Person
from events.sales.meeting import MeetingDepartment

ITEM_ID = r"^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{3}$"


class MeetingInputCommand(Command):
    """What a resource need and an improvement both say."""

    multiline: ClassVar[frozenset[str]] = frozenset({"detail"})
    month: MeetingMonth = Field(
        description="Meeting month YYYY-MM: this month's meeting or the next one's / 会议月份："
                    "本月或下月的会议")
    department: MeetingDepartment = Field(description="Department concerned / 相关部门")
    summary: str = Field(min_length=1, max_length=200, description="Summary / 摘要")
    detail: str = Field(default="", max_length=4000, description="Detail / 详细说明")
    owner: Person | None = Field(default=None, description="Who follows it up / 负责人")
    due: FollowUpDay | None = Field(
        default=None, description="Due date: at most 31 days back, two years on / 完成期限："
                                  "最早 31 天前，最晚两年后")


class RecordResourceNeed(MeetingInputCommand):
    """A manager enters a resource need (people, machines, budget) for the month's meeting."""

    name: ClassVar[str] = "record_resource_need"


class RecordImprovement(MeetingInputCommand):
    """A manager enters an improvement for the month's meeting."""

    name: ClassVar[str] = "record_improvement"


class WithdrawMeetingInput(Command):
    """Withdraw a resource need or an improvement: by who entered it, or a sales manager."""

    name: ClassVar[str] = "withdraw_meeting_input"
    item_id: str = Field(min_length=11, max_length=11, pattern=ITEM_ID,
                         description="Item id, e.g. 2026-05-001 / 事项编号，如 2026-05-001")


COMMANDS: tuple[type[Command], ...] = (RecordResourceNeed, RecordImprovement, WithdrawMeetingInput)
