"""What every command carries: who gives it, and the conversation it belongs to."""
from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import Any, ClassVar, Self
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from contracts.commands.bounds import OccurredAt, bilingual
from contracts.commands.text import code_point, first_unsafe, may_hold_unsafe
from events.envelope import Actor

Path = tuple[str | int, ...]


class Command(BaseModel):
    """A request to change state; refused as a whole or applied as a whole."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: ClassVar[str]
    # Free-text fields of this command that may hold line breaks and tabs; every other text,
    # nested ones included (the actor's user name, a contact's phone), holds none.
    multiline: ClassVar[frozenset[str]] = frozenset()

    actor: Actor = Field(description="Who gives the command, and in which role / 下达命令的人及其角色")
    correlation_id: UUID | None = Field(
        default=None, description="Business conversation id; a new one is made when absent / "
                                  "业务会话编号，缺省时新建"
    )
    command_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$",
        description="Chosen by the client (e.g. a UUID) so a retry after a lost reply is applied "
                    "once: a repeat within a day gets the first reply / 客户端生成的命令编号（如 "
                    "UUID），回复丢失后重发只执行一次：一天内重复发送返回第一次的回复")
    occurred_at: OccurredAt | None = Field(
        default=None,
        description="When it happened on the floor (business time, with time zone), if it is "
                    "recorded later; default: now. Not in the future (5 s of clock skew "
                    "allowed), at most 31 days ago, and not before the record's previous step / "
                    "实际发生时间（业务时间，带时区），事后补录时填写；默认为当前时间。不能晚于当前时间"
                    "（允许 5 秒时钟误差），不能早于 31 天前，也不能早于该记录的上一步")

    @model_validator(mode="after")
    def no_control_characters(self) -> Self:
        """NUL, ESC and the like are refused in every text: PostgreSQL refuses a NUL in a row,
        and a terminal obeys an escape sequence printed from stored data."""
        if not self.may_hold_unsafe_text():
            return self
        for path, text in self.checked_texts():
            allowed = path[0] in self.multiline
            found = first_unsafe(text, multiline=allowed)
            if found is None:
                continue
            position, char = found
            lines = " (line breaks and tabs are allowed here)" if allowed else ""
            raise ValidationError.from_exception_data(type(self).__name__, [{
                "type": bilingual(
                    "control_character",
                    f"must not contain control characters{lines}: {code_point(char)} at "
                    f"position {position + 1}",
                    f"不能包含控制字符{'（可以换行和使用制表符）' if allowed else ''}：第 "
                    f"{position + 1} 个字符为 {code_point(char)}"),
                "loc": path, "input": text}])
        return self

    def checked_texts(self) -> Iterator[tuple[Path, str]]:
        """The texts ``no_control_characters`` checks: every one of the command."""
        return texts_in(self, ())

    def may_hold_unsafe_text(self) -> bool:
        """The cheap test first: the command's JSON, made by pydantic's serializer, searched
        once (a walk over every text cost half of validating an import row)."""
        try:
            return may_hold_unsafe(self.model_dump_json())
        except ValueError:  # e.g. a lone surrogate the serializer refuses: walk the texts
            return True


def texts_in(value: Any, path: Path) -> Iterator[tuple[Path, str]]:
    """Every string in a validated value, with its path (``contacts.2.phone``)."""
    if isinstance(value, Enum):
        return  # a member of a closed set, already checked
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from texts_in(getattr(value, name), (*path, name))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from texts_in(item, (*path, index))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts_in(key, (*path, str(key)))
            yield from texts_in(item, (*path, str(key)))


class SampleCommand(Command):
    """A command about one sample record, named by its request number."""

    request_no: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                            description="Sample request number (letters, digits, - and _) / 打样申请编号")
