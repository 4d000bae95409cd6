"""The import of one row of the old Order Summary (订单汇总表, issue 12): ``import_order``, given
by a sales assistant (R-O3: the assistant keeps the Order Summary); subject
``salesflow.cmd.sales.import_order``. The row's values, typed, and where they came from."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field, ValidationInfo

from contracts.commands.base import Command
from contracts.commands.bounds import (
    Number,
    Person,
    Quantity,
    bilingual,
    latest_today,
    now_of,
)
from contracts.commands.orders import OrderCommand
from events.imports import ImportSource
from events.sales.order import ImportedStage

FIRST_DAY = date(2000, 1, 1)  # older than any table the company keeps: a typo
_SKEW = timedelta(seconds=5)


def past_moment(value: datetime, info: ValidationInfo) -> datetime:
    """Validator: a moment of history, from 2000-01-01 to now (a few seconds of skew)."""
    now = now_of(info)
    if value.date() < FIRST_DAY:
        raise bilingual("datetime_too_early", f"must be on or after {FIRST_DAY}",
                        f"不能早于 {FIRST_DAY}")
    if value > now + _SKEW:
        raise bilingual("datetime_in_future", "must not be in the future", "不能晚于当前时间")
    return value


def _history_day(value: date, info: ValidationInfo) -> date:
    if value < FIRST_DAY:
        raise bilingual("date_too_early", f"must be on or after {FIRST_DAY}",
                        f"不能早于 {FIRST_DAY}")
    last = latest_today(now_of(info)) + timedelta(days=2 * 366)
    if value > last:
        raise bilingual("date_too_late", f"must be on or before {last}", f"不能晚于 {last}")
    return value


def _promise(value: datetime, info: ValidationInfo) -> datetime:
    if value.date() < FIRST_DAY:
        raise bilingual("datetime_too_early", f"must be on or after {FIRST_DAY}",
                        f"不能早于 {FIRST_DAY}")
    last = now_of(info) + timedelta(days=2 * 366)
    if value > last:
        raise bilingual("datetime_too_late", "must not be more than 732 days after now",
                        "不能晚于当前时间 732 天以后")
    return value


# When a step of an imported order happened: history, never in the future.
PastMoment = Annotated[AwareDatetime, AfterValidator(past_moment)]
# A delivery date of an imported order: from 2000 to two years ahead (frame orders).
ImportedDay = Annotated[date, AfterValidator(_history_day)]
# A promised delivery of an imported order: history, or up to two years ahead for an open order.
ImportedPromise = Annotated[AwareDatetime, AfterValidator(_promise)]


class ImportOrder(OrderCommand):
    """A sales assistant imports one row of the old Order Summary as history (R-O3); an open
    order goes on in the live process from its stage."""

    name: ClassVar[str] = "import_order"
    stage: ImportedStage = Field(description="received, archived, internal_order_issued, "
                                 "promised (in production), customer_notified or shipped / 状态")
    ordered_at: PastMoment = Field(description="Order date: the import's business time / 下单日期")
    po_no: str | None = Field(default=None, min_length=1, max_length=60,
                              description="Customer PO number / 客户订单号")
    customer: str = Field(min_length=1, max_length=120, description="Customer / 客户")
    salesperson: Person | None = Field(default=None, description="Salesperson / 业务员")
    assistant: Person | None = Field(default=None, description="Sales assistant / 业务助理")
    product: str = Field(min_length=1, max_length=120, description="Product / 产品")
    part_no: str | None = Field(default=None, min_length=1, max_length=60,
                                description="Part number / 料号")
    quantity: Quantity = Field(description="Quantity ordered / 数量")
    requested_date: ImportedDay | None = Field(default=None,
                                               description="Requested delivery / 要求交期")
    internal_order_no: Number | None = Field(default=None, description="Internal order / 内部订单号")
    promised_at: ImportedPromise | None = Field(default=None, description="Promised delivery / 交期")
    pmc_replied_at: PastMoment | None = Field(default=None, description="PMC reply / PMC回复时间")
    customer_told_at: PastMoment | None = Field(default=None,
                                                description="Customer told / 已告知客户时间")
    qc_result: str | None = Field(default=None, min_length=1, max_length=60,
                                  description="QC result as written / 检验结果")
    shipping_note_no: Number | None = Field(default=None, description="Shipping note / 出货单号")
    shipped_at: PastMoment | None = Field(default=None, description="Shipped / 出货日期")
    exceptions: str | None = Field(default=None, min_length=1, max_length=2000,
                                   description="Exceptions as written / 异常")
    source: ImportSource = Field(description="Workbook, sheet and row / 来源")


COMMANDS: tuple[type[Command], ...] = (ImportOrder,)
