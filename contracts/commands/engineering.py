"""Commands of the engineering service (subjects ``salesflow.cmd.engineering.<name>``)."""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from contracts.commands.base import Command, SampleCommand
from contracts.commands.bounds import PlannedStart


class ScheduleSampling(SampleCommand):
    """An engineer schedules the sampling; the documents go to production."""

    name: ClassVar[str] = "schedule_sampling"
    scheduled_for: PlannedStart = Field(description="Planned start, with timezone; at most 30 "
                                        "days ago and 366 days ahead / 计划开始时间")


class ReturnSample(SampleCommand):
    """Engineering returns the finished sample to sales."""

    name: ClassVar[str] = "return_sample"


COMMANDS: tuple[type[Command], ...] = (ScheduleSampling, ReturnSample)
