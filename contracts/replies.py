"""Reply and error shapes of every command and query."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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


class RowReply(BaseModel):
    """One row of a bulk command, answered as that row's own command would be: the events it
    stored (none: nothing new, e.g. the row was imported before), or why it was refused."""

    model_config = ConfigDict(extra="forbid")

    row: int = Field(ge=0, description="The row's position in the command's rows, from 0 / "
                                       "该行在命令 rows 中的位置（从 0 起）")
    events: list[EventRef] = Field(default_factory=list)
    error: ErrorBody | None = None


class CommandReply(BaseModel):
    """Either the events a command stored, or the error that refused it; a bulk command's
    rows are answered one by one in ``rows`` (a row's refusal does not refuse the others)."""

    model_config = ConfigDict(extra="forbid")

    ok: bool
    events: list[EventRef] = Field(default_factory=list)
    error: ErrorBody | None = None
    rows: list[RowReply] | None = Field(
        default=None, description="A bulk command's rows, each stored or refused on its own / "
                                  "批量命令逐行的结果：每行单独存储或拒绝")

    @classmethod
    def refused(cls, error: ErrorBody) -> CommandReply:
        return cls(ok=False, error=error)


# Chinese for pydantic's error types; the bounds' own errors carry both languages in their ctx.
_ZH = {
    "missing": "缺少必填字段",
    "dict_type": "必须是对象（字段名和值）",
    "extra_forbidden": "不允许的字段",
    "string_too_short": "内容不能为空或过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "timezone_aware": "时间必须带时区",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "decimal_parsing": "必须是数字",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "bool_parsing": "必须是 true 或 false",
    "json_invalid": "不是合法的 JSON",
    "model_type": "必须是一个对象",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "decimal_max_digits": "数字位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数部分位数过多",
    "finite_number": "必须是有限的数字",
    "too_long": "条目过多",
    "too_short": "条目过少",
    "date_parsing": "日期格式不正确",
    "date_from_datetime_parsing": "日期格式不正确",
    "date_from_datetime_inexact": "日期不能带时间",
    "uuid_parsing": "不是合法的 UUID",
    "int_parsing": "必须是整数",
    "string_type": "必须是文字",
    "month": "月份须写作 YYYY-MM 且为真实月份，例如 2026-11",
}


def validation_refusal(error: ValidationError, what_en: str, what_zh: str,
                       echo_input: bool = False) -> ErrorBody:
    """The first problem of a command or query that does not validate, naming its field."""
    return line_refusal(error.errors()[0], what_en, what_zh, echo_input)


def line_refusal(first: Mapping[str, Any], what_en: str, what_zh: str,
                 echo_input: bool = False) -> ErrorBody:
    """One line of pydantic's errors (type, loc, msg, input, ctx) as a refusal naming its field."""
    field = ".".join(str(p) for p in first["loc"]) or None
    ctx = first.get("ctx") or {}
    en = ctx.get("en") or first["msg"]
    zh = ctx.get("zh") or _ZH.get(first["type"], "内容不合法")
    given = (f" (not {first['input']!r})"
             if echo_input and field and not isinstance(first["input"], dict) else "")
    return ErrorBody(kind="validation", field=field, message_en=f"{field or what_en}: {en}{given}",
                     message_zh=f"{field or what_zh}：{zh}")
