"""Commands of the production service (subjects ``salesflow.cmd.production.<name>``)."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from contracts.commands.base import Command, SampleCommand


class PromiseDelivery(SampleCommand):
    """PMC promises the sample's completion time to the assistant (R-S7)."""

    name: ClassVar[str] = "promise_delivery"
    promised_at: AwareDatetime = Field(description="Promised completion time, with timezone")


class NotifyDelay(SampleCommand):
    """Production tells the assistant of a quality problem or delay, with a new time (R-S7)."""

    name: ClassVar[str] = "notify_delay"
    kind: Literal["quality", "delay", "other"]
    reason: str = Field(min_length=1, max_length=1000, description="Reason / 原因")
    new_promised_at: AwareDatetime = Field(description="New promised time, with timezone")


class CompleteSample(SampleCommand):
    """The production supervisor reports the sample finished."""

    name: ClassVar[str] = "complete_sample"


COMMANDS: tuple[type[Command], ...] = (PromiseDelivery, NotifyDelay, CompleteSample)
