"""The import of one row of the old Order Summary (订单汇总表, issue 12): ``import_order``, given
by a sales assistant (R-O3: the assistant keeps the Order Summary); subject
``salesflow.cmd.sales.import_order``. The row's values, typed, and where they came from."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field

from contracts.commands.base import Command
from contracts.commands.bounds import (
    OCCURRED_SKEW,
    Number,
    Person,
    Quantity,
    history_day,
    history_moment,
)
from contracts.commands.bulk import Bulk
from contracts.commands.orders import OrderCommand
from events.imports import ImportSource
from events.sales.order import ImportedStage

# When a step of an imported order happened: history, never in the future.
PastMoment = Annotated[AwareDatetime, AfterValidator(history_moment(OCCURRED_SKEW))]
# A delivery date of an imported order: from 2000 to two years ahead (frame orders).
ImportedDay = Annotated[date, AfterValidator(history_day(timedelta(days=2 * 366)))]
# A promised delivery of an imported order: history, or up to two years ahead for an open order.
ImportedPromise = Annotated[AwareDatetime, AfterValidator(history_moment(timedelta(days=2 * 366)))]


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


class ImportOrders(Bulk):
    """Up to 500 rows of the old Order Summary in one command; each row is checked and
    imported as ``import_order`` alone (a row's refusal answers that row only)."""

    name: ClassVar[str] = "import_orders"
    row_command: ClassVar[type[Command]] = ImportOrder


COMMANDS: tuple[type[Command], ...] = (ImportOrder, ImportOrders)
