"""Queries the projections answer (subjects in ``contracts.subjects``)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class SamplesQuery(BaseModel):
    """Rows of the Sample Record Summary, optionally filtered."""

    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(default=None, description="Only this customer / 客户")
    status: str | None = Field(default=None, description="Only this status / 状态")
    month: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$",
                              description="Only samples requested in this month, YYYY-MM")


class HistoryQuery(BaseModel):
    """Every event of one record, across departments, in order."""

    model_config = ConfigDict(extra="forbid")

    record_no: str = Field(min_length=1, description="Record number, e.g. a sample request no.")


class SampleMonthQuery(BaseModel):
    """Month-end analysis of the Sample Record Summary and its notes (R-S8)."""

    model_config = ConfigDict(extra="forbid")

    month: str = Field(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")


class RebuildReply(BaseModel):
    """What a rebuild replayed."""

    events: int
    seconds: float
    rows: int
