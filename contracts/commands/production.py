"""Commands of the production service (subjects ``salesflow.cmd.production.<name>``)."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from contracts.commands.base import Command, SampleCommand
from contracts.commands.bounds import PromiseTime


class PromiseDelivery(SampleCommand):
    """PMC promises the sample's completion time to the assistant (R-S7)."""

    name: ClassVar[str] = "promise_delivery"
    promised_at: PromiseTime = Field(description="Promised completion time, with timezone; "
                                     "at most 3 days ago and 366 days ahead / 承诺完成时间")


class NotifyDelay(SampleCommand):
    """Production tells the assistant of a quality problem or delay, with a new time (R-S7)."""

    name: ClassVar[str] = "notify_delay"
    multiline: ClassVar[frozenset[str]] = frozenset({"reason"})
    kind: Literal["quality", "delay", "other"]
    reason: str = Field(min_length=1, max_length=1000, description="Reason / 原因")
    new_promised_at: PromiseTime = Field(description="New promised time, with timezone; at most "
                                         "3 days ago and 366 days ahead / 新的承诺时间")


class CompleteSample(SampleCommand):
    """The production supervisor reports the sample finished."""

    name: ClassVar[str] = "complete_sample"


COMMANDS: tuple[type[Command], ...] = (PromiseDelivery, NotifyDelay, CompleteSample)
