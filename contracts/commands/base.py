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
    command_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Chosen by the client (e.g. a UUID) so a retry after a lost reply is applied "
                    "once: a repeat within a day gets the first reply / 客户端生成的命令编号（如 "
                    "UUID），回复丢失后重发只执行一次：一天内重复发送返回第一次的回复")


class SampleCommand(Command):
    """A command about one sample record, named by its request number."""

    request_no: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                            description="Sample request number (letters, digits, - and _) / 打样申请编号")
