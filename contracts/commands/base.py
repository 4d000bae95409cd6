"""What every command carries: who gives it, and the conversation it belongs to."""
from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from events.envelope import Actor


class Command(BaseModel):
    """A request to change state; refused as a whole or applied as a whole."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: ClassVar[str]

    actor: Actor = Field(description="Who gives the command, and in which role")
    correlation_id: UUID | None = Field(
        default=None, description="Business conversation id; a new one is made when absent"
    )


class SampleCommand(Command):
    """A command about one sample record, named by its request number."""

    request_no: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                            description="Sample request number (letters, digits, - and _) / 打样申请编号")
