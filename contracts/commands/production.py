"""Commands of the production service (subjects ``salesflow.cmd.production.<name>``)."""
from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.commands.base import Command, SampleCommand


class PromiseDelivery(SampleCommand):
    """PMC promises the sample's completion time to the assistant (R-S7)."""

    name: ClassVar[str] = "promise_delivery"
    promised_at: AwareDatetime = Field(description="Promised completion time, with timezone")


class CompleteSample(SampleCommand):
    """The production supervisor reports the sample finished."""

    name: ClassVar[str] = "complete_sample"


COMMANDS: tuple[type[Command], ...] = (PromiseDelivery, CompleteSample)
