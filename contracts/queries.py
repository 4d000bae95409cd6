"""Queries the projections answer (subjects in ``contracts.subjects``), and how they refuse one.

A query that does not validate is answered ``{"error": ErrorBody}`` (kind ``validation``,
naming the field, in English and Chinese); it is never dropped without a reply.
"""
from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from contracts.replies import ErrorBody, validation_refusal

# The read models a rebuild can be asked for, by name (``salesflow rebuild [MODEL]``).
READ_MODELS: tuple[str, ...] = ("samples", "audit", "customers", "month_notes", "orders",
                                "order_notes")
ReadModelName = Literal["samples", "audit", "customers", "month_notes", "orders", "order_notes"]


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


class OrdersQuery(BaseModel):
    """Rows of the Order Summary, optionally filtered (R-O3, R-O5)."""

    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(default=None, description="Only this customer / 客户")
    status: str | None = Field(default=None, description="Only this status, e.g. rework / 状态")
    month: Month | None = Field(default=None, description="Only orders received in this month "
                                "(YYYY-MM, in the company's time zone) / 接单月份")
    salesperson: str | None = Field(default=None, description="Only this salesperson's orders "
                                    "/ 业务员")


class OrderMonthQuery(BaseModel):
    """Month-end analysis of the Order Summary and its notes (R-O6)."""

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




def query_error(error: ValidationError) -> ErrorBody:
    """The first problem of a query that does not validate, naming its field."""
    return validation_refusal(error, "query", "查询", echo_input=True)


def refusal(error: ErrorBody) -> dict[str, Any]:
    """A refused query's reply (no successful reply is an object whose only key is "error")."""
    return {"error": error.model_dump(exclude_none=True)}
