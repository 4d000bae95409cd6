"""Reply and error shapes of every command and query."""
from __future__ import annotations

from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

ErrorKind = Literal["validation", "rule", "conflict", "forbidden", "not_found", "unavailable",
                    "internal"]


class ErrorBody(BaseModel):
    """Why a command or a query was refused; a refused command stored nothing."""

    model_config = ConfigDict(extra="forbid")

    kind: ErrorKind
    message_en: str = Field(description="The reason in English")
    message_zh: str = Field(description="The reason in Simplified Chinese / 中文说明")
    field: str | None = Field(default=None, description="The offending field, for validation errors")
    rule: str | None = Field(default=None, description="The DOMAIN.md rule ID broken, e.g. R-S3")
    reference: str | None = Field(
        default=None, max_length=40,
        description="For internal and unavailable errors: the id the service's log shows with "
                    "the details / 服务日志中记录详情的编号")

    def sentence(self) -> str:
        where = f" [{self.rule}]" if self.rule else (f" [{self.field}]" if self.field else "")
        ref = f" (ref {self.reference})" if self.reference else ""
        return f"{self.kind}{where}: {self.message_en} / {self.message_zh}{ref}"


class EventRef(BaseModel):
    """A stored event: enough to find it again."""

    model_config = ConfigDict(extra="forbid")

    event_id: UUID
    type: str
    aggregate_id: UUID
    version: int


class CommandReply(BaseModel):
    """Either the events a command stored, or the error that refused it."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    events: list[EventRef] = Field(default_factory=list)
    error: ErrorBody | None = None

    @classmethod
    def refused(cls, error: ErrorBody) -> CommandReply:
        return cls(ok=False, error=error)
