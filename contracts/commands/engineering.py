"""Commands of the engineering service (subjects ``salesflow.cmd.engineering.<name>``)."""
from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.commands.base import Command, SampleCommand


class ScheduleSampling(SampleCommand):
    """An engineer schedules the sampling; the documents go to production."""

    name: ClassVar[str] = "schedule_sampling"
    scheduled_for: AwareDatetime = Field(description="Planned start, with timezone")


class ReturnSample(SampleCommand):
    """Engineering returns the finished sample to sales."""

    name: ClassVar[str] = "return_sample"


COMMANDS: tuple[type[Command], ...] = (ScheduleSampling, ReturnSample)
