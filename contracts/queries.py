"""Queries the projections answer (subjects in ``contracts.subjects``), and how they refuse one.

A query that does not validate is answered ``{"error": ErrorBody}`` (kind ``validation``,
naming the field, in English and Chinese); it is never dropped without a reply.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from contracts.commands.bounds import bilingual, now_of
from contracts.replies import ErrorBody, validation_refusal

# The read models a rebuild can be asked for, by name (``salesflow rebuild [MODEL]``).
READ_MODELS: tuple[str, ...] = ("samples", "audit", "customers", "month_notes", "orders",
                                "order_notes", "complaints", "complaint_notes", "calendar", "sla",
                                "meeting_inputs")
ReadModelName = Literal["samples", "audit", "customers", "month_notes", "orders", "order_notes",
                        "complaints", "complaint_notes", "calendar", "sla", "meeting_inputs"]


def _real_month(value: str) -> str:
    year, _, month = value.partition("-")
    if not (len(year) == 4 and year.isdigit() and len(month) == 2 and month.isdigit()
            and int(year) >= 1 and 1 <= int(month) <= 12):
        raise PydanticCustomError("month", "a month is written YYYY-MM, e.g. 2026-11")
    return value


Month = Annotated[str, AfterValidator(_real_month)]

FIRST_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
# The asking machine's clock may run a little ahead of the projections' (a CLI on a laptop).
CLOCK_SKEW = timedelta(minutes=1)


def _past_moment(value: datetime, info: ValidationInfo) -> datetime:
    """A moment the tables can be read as of: recorded history, from 2000 to now."""
    if value < FIRST_MOMENT:
        raise bilingual("datetime_too_early", "must be 2000-01-01 or later",
                        "不能早于 2000-01-01")
    if value > now_of(info) + CLOCK_SKEW:
        raise bilingual("datetime_too_late", "must not be in the future: a table can only be "
                        "read as it stood at a past moment", "不能是将来的时间：只能查看过去某一时刻的表")
    return value


# Rules R-S5 / R-O5: the summary as it stood at a moment, e.g. the 16:00 view of a working day.
AsOf = Annotated[AwareDatetime, AfterValidator(_past_moment)]
AS_OF_TEXT = ("The table as it stood at this moment (with its UTC offset, e.g. "
              "2026-12-01T16:00:00+08:00), folded from the events recorded up to it / 截至该时刻的汇总表")


# Paging, sorting and searching a summary table in the projections (issue 12): a table of tens of
# thousands of rows is larger than a NATS message, so a caller that shows it asks one page at a
# time; without ``limit`` the answer stays the whole (filtered) list, as exports and packs read it.
MAX_PAGE = 1000
MAX_OFFSET = 10_000_000
MAX_SEARCH = 80
SampleSort = Literal["request_no", "requested_at", "customer", "salesperson", "product",
                     "part_no", "die_difficulty", "quotation_no", "price_status", "round",
                     "promised_at", "completed_at", "status"]
OrderSort = Literal["order_no", "po_no", "received_at", "customer", "salesperson", "products",
                    "ordered_qty", "requested_date", "promised_at", "pmc_replied_at",
                    "customer_told_at", "shipped_at", "status"]
ComplaintSort = Literal["complaint_no", "received_at", "channel", "customer", "salesperson",
                        "product_model", "problem", "severity", "responsible", "replied_at",
                        "closed_at", "status"]
SAMPLE_SORTS: tuple[str, ...] = get_args(SampleSort)
ORDER_SORTS: tuple[str, ...] = get_args(OrderSort)
COMPLAINT_SORTS: tuple[str, ...] = get_args(ComplaintSort)
# The columns ``search`` looks in (a case-insensitive part of any of them).
SAMPLE_SEARCHED = ("request_no", "customer", "product", "part_no", "salesperson")
ORDER_SEARCHED = ("order_no", "po_no", "customer", "products", "salesperson")
COMPLAINT_SEARCHED = ("complaint_no", "customer", "product_model", "problem", "salesperson")


SORT_TEXT = ("Sort by this column (then by the record number); without it, by the record "
             "number. Empty cells come last either way / 排序列")


def _offset_with_limit(value: int | None, info: ValidationInfo) -> int | None:
    if value and info.data.get("limit") is None:
        raise bilingual("offset_without_limit", "is only read with limit (a page's size)",
                        "须与 limit（每页行数）一起使用")
    return value


def _no_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise bilingual("search_blank", "must hold a word to look for", "不能为空白")
    return value


class TablePaging(BaseModel):
    """One page of a summary table: the page form ``{items, total, offset, limit}`` is answered
    when ``limit`` is given (``total``: the rows matching the filters and ``search``)."""

    limit: int | None = Field(default=None, ge=1, le=MAX_PAGE,
                              description="Rows per page (1-1000); given, the answer is a page "
                              "{items, total, offset, limit} / 每页行数")
    offset: Annotated[int | None, AfterValidator(_offset_with_limit)] = Field(
        default=None, ge=0, le=MAX_OFFSET, description="Rows to skip (with limit) / 跳过行数")
    desc: bool = Field(default=False, description="Sort descending / 降序")
    search: Annotated[str | None, AfterValidator(_no_blank)] = Field(
        default=None, max_length=MAX_SEARCH,
        description="Only rows with this text (any case) in the record number, customer, "
                    "product, salesperson, or the part no. (samples), PO no. (orders) or problem "
                    "(complaints) / 搜索：单号、客户、产品、业务员等")


class SamplesQuery(TablePaging):
    """Rows of the Sample Record Summary, optionally filtered, sorted, searched and paged."""

    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(default=None, description="Only this customer / 客户")
    status: str | None = Field(default=None, description="Only this status / 状态")
    month: Month | None = Field(default=None, description="Only samples requested in this month "
                                "(YYYY-MM, in the company's time zone) / 申请月份")
    as_of: AsOf | None = Field(default=None, description=AS_OF_TEXT)
    sort: SampleSort | None = Field(default=None, description=SORT_TEXT)


class HistoryQuery(BaseModel):
    """Every event of one record, across departments, in order."""

    model_config = ConfigDict(extra="forbid")

    record_no: str = Field(min_length=1, description="Record number, e.g. a sample request no.")


class SampleMonthQuery(BaseModel):
    """Month-end analysis of the Sample Record Summary and its notes (R-S8)."""

    model_config = ConfigDict(extra="forbid")

    month: Month = Field(description="YYYY-MM, in the company's time zone / 月份")


class MeetingInputsQuery(BaseModel):
    """The resource needs and improvements entered for a month's sales meeting (R-M2)."""

    model_config = ConfigDict(extra="forbid")

    month: Month = Field(description="Meeting month YYYY-MM / 会议月份")


class OrdersQuery(TablePaging):
    """Rows of the Order Summary, optionally filtered, sorted, searched and paged (R-O3, R-O5)."""

    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(default=None, description="Only this customer / 客户")
    status: str | None = Field(default=None, description="Only this status, e.g. rework / 状态")
    month: Month | None = Field(default=None, description="Only orders received in this month "
                                "(YYYY-MM, in the company's time zone) / 接单月份")
    salesperson: str | None = Field(default=None, description="Only this salesperson's orders "
                                    "/ 业务员")
    as_of: AsOf | None = Field(default=None, description=AS_OF_TEXT)
    sort: OrderSort | None = Field(default=None, description=SORT_TEXT)


class OrderMonthQuery(BaseModel):
    """Month-end analysis of the Order Summary and its notes (R-O6)."""

    model_config = ConfigDict(extra="forbid")

    month: Month = Field(description="YYYY-MM, in the company's time zone / 月份")


class ComplaintsQuery(TablePaging):
    """Rows of the Complaint Summary, optionally filtered, sorted, searched and paged (R-C2,
    R-C3, R-C5)."""

    model_config = ConfigDict(extra="forbid")

    customer: str | None = Field(default=None, description="Only this customer / 客户")
    status: str | None = Field(default=None, description="Only this status, e.g. escalated / 状态")
    month: Month | None = Field(default=None, description="Only complaints received in this month "
                                "(YYYY-MM, in the company's time zone) / 接收月份")
    salesperson: str | None = Field(default=None, description="Only this salesperson's complaints "
                                    "/ 业务员")
    severity: Literal["minor", "needs_data", "complex"] | None = Field(
        default=None, description="Only this severity / 严重程度")
    as_of: AsOf | None = Field(default=None, description=AS_OF_TEXT)
    sort: ComplaintSort | None = Field(default=None, description=SORT_TEXT)


class ComplaintMonthQuery(BaseModel):
    """Month-end analysis of the Complaint Summary per customer and per problem, and its notes
    (R-C6)."""

    model_config = ConfigDict(extra="forbid")

    month: Month = Field(description="YYYY-MM, in the company's time zone / 月份")


class CalendarQuery(BaseModel):
    """The company calendar's entries (holidays, make-up days, working-hours changes), in the
    order they were declared; a later entry for the same day wins."""

    model_config = ConfigDict(extra="forbid")



SlaState = Literal["running", "paused", "at_risk", "breached", "met", "breached_then_met"]
# What ``salesflow sla`` shows unless asked otherwise: violations and what is close to one.
SLA_ATTENTION: tuple[SlaState, ...] = ("breached", "at_risk")


class SlaQuery(BaseModel):
    """Runs of the service-level clocks (DOMAIN.md "Service-level clocks"), evaluated now or as
    of a moment: breaches first, then at-risk runs, then the rest. No state: every run."""

    model_config = ConfigDict(extra="forbid")

    states: list[SlaState] | None = Field(default=None, max_length=6,
                                          description="Only runs in these states / 状态")
    clock: str | None = Field(default=None, pattern=r"^SLA-[A-Z-]+$", max_length=40,
                              description="Only this clock, e.g. SLA-PMC-REPLY / 时限")
    department: str | None = Field(default=None, max_length=40,
                                   description="Only clocks this department answers for / 责任部门")
    person: str | None = Field(default=None, max_length=80,
                               description="Only runs this person answers for / 责任人")
    record: str | None = Field(default=None, max_length=80,
                               description="Only this sample request, order or complaint / 单号")
    as_of: AsOf | None = Field(default=None, description="The clocks as they stood at this moment "
                               "(with its UTC offset), from the events recorded up to it "
                               "/ 截至该时刻的时限状态")


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
