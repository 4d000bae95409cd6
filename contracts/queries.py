"""Queries the projections answer (subjects in ``contracts.subjects``), and how they refuse one.

A query that does not validate is answered ``{"error": ErrorBody}`` (kind ``validation``,
naming the field, in English and Chinese); it is never dropped without a reply.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from contracts.replies import ErrorBody

# The read models a rebuild can be asked for, by name (``salesflow rebuild [MODEL]``).
READ_MODELS: tuple[str, ...] = ("samples", "audit", "customers", "month_notes")
ReadModelName = Literal["samples", "audit", "customers", "month_notes"]


def _real_month(value: str) -> str:
    year, _, month = value.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()
            and int(year) >= 1 and 1 <= int(month) <= 12):
        raise PydanticCustomError("month", "a month is written YYYY-MM, e.g. 2026-11")
    return value


Month = Annotated[str, AfterValidator(_real_month)]


class SamplesQuery(BaseModel):
    """Rows of the Sample Record Summary, optionally filtered."""

    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(default=None, description="Only this customer / 客户")
    status: str | None = Field(default=None, description="Only this status / 状态")
    month: Month | None = Field(default=None, description="Only samples requested in this month "
                                "(YYYY-MM, in the company's time zone) / 申请月份")


class HistoryQuery(BaseModel):
    """Every event of one record, across departments, in order."""

    model_config = ConfigDict(extra="forbid")

    record_no: str = Field(min_length=1, description="Record number, e.g. a sample request no.")


class SampleMonthQuery(BaseModel):
    """Month-end analysis of the Sample Record Summary and its notes (R-S8)."""

    model_config = ConfigDict(extra="forbid")

    month: Month = Field(description="YYYY-MM, in the company's time zone / 月份")


class RebuildRequest(BaseModel):
    """Rebuild one read model, or every one, from the streams."""

    model_config = ConfigDict(extra="forbid")

    model: ReadModelName | None = Field(default=None, description="Only this read model")


class RebuildReply(BaseModel):
    """What a rebuild replayed."""

    events: int
    seconds: float
    rows: int
    models: list[str] = Field(default_factory=list, description="The read models rebuilt")


_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_too_short": "不能为空",
    "string_type": "必须是文字",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "json_invalid": "不是合法的 JSON",
    "model_type": "必须是一个 JSON 对象",
    "month": "月份须写作 YYYY-MM 且为真实月份，例如 2026-11",
}


def query_error(error: ValidationError) -> ErrorBody:
    """The first problem of a query that does not validate, naming its field."""
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    given = f" (not {first['input']!r})" if field and not isinstance(first["input"], dict) else ""
    return ErrorBody(kind="validation", field=field,
                     message_en=f"{field or 'query'}: {first['msg']}{given}",
                     message_zh=f"{field or '查询'}：{_ZH.get(first['type'], '内容不合法')}")


def refusal(error: ErrorBody) -> dict[str, Any]:
    """A refused query's reply (no successful reply is an object whose only key is "error")."""
    return {"error": error.model_dump(exclude_none=True)}
