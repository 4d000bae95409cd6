"""The order record kept by sales: intake and archive (R-O1), the internal order, the promised date
passed to the customer and the materials handed over (R-O2), exceptions (R-O3), shipping notes and
shipments (R-O4), and production's promises, delay notices and missed promises on it (R-S7)."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from uuid import UUID

from events.envelope import OrderLine, Role
from events.imports import ImportSource
from events.sales import order as ev
from events.sales.order import ExceptionKind, Recipient
from services.domain import Aggregate, Context, RuleBroken, record_id
from services.sales.order_import import check_facts, repeat_or_refuse, take_import
from services.sales.order_shipments import ShipmentSteps
from services.sales.order_shipping import (
    ASSISTANT,
    Lot,
    ShippingNote,
)

INTAKE = (Role.SALESPERSON, Role.SALES_ASSISTANT)
# R-O3: whoever sees an exception reports it: any sales role, and production's and quality's people.
REPORTERS = (Role.MARKETING_MANAGER, Role.SALES_MANAGER, Role.CS_SUPERVISOR, Role.SALESPERSON,
             Role.SALES_ASSISTANT, Role.TECHNICAL_SUPPORT, Role.QUOTATION_SPECIALIST,
             Role.PMC_PLANNER, Role.PRODUCTION_SUPERVISOR, Role.QC_INSPECTOR,
             Role.QUALITY_ENGINEER)
_STATUS_ZH = {"new": "不存在", "received": "已接收", "archived": "已归档",
              "internal_order_issued": "已开内部订单", "partly_shipped": "部分出货",
              "shipped": "已出货"}
_RECIPIENT_ZH = {Recipient.CUSTOMER_CONTACT: "客户联系人", Recipient.SALESPERSON: "业务员",
                 Recipient.CS_SUPERVISOR: "客服主管"}


def order_id(order_no: str) -> UUID:
    return record_id("order", order_no)


@dataclass
class OrderRecord(ShipmentSteps, Aggregate):
    """One customer order, from intake to its last shipment."""

    order_no: str = ""
    customer: str = ""
    salesperson: str = ""
    lines: tuple[OrderLine, ...] = ()
    requested_date: date | None = None
    quotation_request_no: str | None = None
    internal_order_no: str | None = None
    status: str = "new"
    ordered: int = 0
    shipped: int = 0
    promised_at: datetime | None = None  # the latest promise, moved by delay notices
    notified: frozenset[datetime] = frozenset()  # promised times the customer was told
    lots: dict[str, Lot] = field(default_factory=dict)
    notes: dict[str, ShippingNote] = field(default_factory=dict)
    exceptions: dict[str, frozenset[Recipient]] = field(default_factory=dict)  # no -> told
    delays: int = 0
    reported: frozenset[UUID] = frozenset()  # other departments' events already reacted to
    penalised: frozenset[datetime] = frozenset()  # promised times a penalty was requested for
    import_source: ImportSource | None = None  # the row of the old table it was imported from
    imported: dict[str, object] | None = None  # the facts of that import (order_import)

    # -- R-O1 -------------------------------------------------------------------------------
    def receive(self, ctx: Context, *, order_no: str, po_no: str, customer: str,
                customer_no: str | None, lines: Sequence[OrderLine], requested_date: date,
                salesperson: str, assistant: str, quotation_request_no: str | None,
                files: Sequence[str], filed: Collection[str] = ()) -> None:
        """``filed``: the SHA-256 of the documents in the customer file of ``customer_no``."""
        ctx.require("R-O1", INTAKE, "take in a customer order", "接收客户订单")
        if self.version:
            raise RuleBroken("R-O1", f"order {order_no} already exists", f"订单 {order_no} 已存在",
                             field="order_no")
        if files and customer_no is None:
            raise RuleBroken("R-O1", "the customer's files are kept in their customer file: name "
                             "the customer_no", "客户资料归档在客户档案中：请填写客户编号",
                             field="customer_no")
        missing = [sha for sha in files if sha not in filed]
        if missing:
            raise RuleBroken("R-O1", f"not filed in the file of customer {customer_no}: "
                             f"{', '.join(missing)}; file them first (file_customer_document)",
                             f"以下资料不在客户 {customer_no} 的档案中：{', '.join(missing)}；"
                             "请先归档", field="files")
        self.trigger(ev.OrderReceived, ctx, order_no=order_no, po_no=po_no, customer=customer,
                     customer_no=customer_no, lines=tuple(lines), requested_date=requested_date,
                     salesperson=salesperson, assistant=assistant,
                     quotation_request_no=quotation_request_no, files=tuple(files))

    def import_row(self, ctx: Context, source: ImportSource, **facts: object) -> None:
        """R-O3, issue 12: a row of the old Order Summary, as history; a repeat records nothing."""
        ctx.require("R-O3", ASSISTANT, "import an order", "导入订单")
        if self.version:
            repeat_or_refuse(self, source, ctx.now, facts)
            return
        check_facts(str(facts["order_no"]), facts)
        self.trigger(ev.OrderImported, ctx, source=source, **facts)

    def archive(self, ctx: Context, price_approved: bool = False) -> None:
        """``price_approved``: whether the quotation the order names has its price approved."""
        ctx.require("R-O1", ASSISTANT, "archive an order", "归档订单")
        self._expect("R-O1", {"received"}, "an order is archived once, after it was received",
                     "订单接收后才能归档，且只归档一次")
        if self.quotation_request_no is not None and not price_approved:
            raise RuleBroken(
                "R-O1", f"order {self.order_no} needs a price: quotation "
                f"{self.quotation_request_no} must have its price approved first (5.1)",
                f"订单 {self.order_no} 需要报价：报价 {self.quotation_request_no} 须先经客户确认价格（5.1）",
                field="quotation_request_no")
        self.trigger(ev.OrderArchived, ctx, order_no=self.order_no)

    # -- R-O2 -------------------------------------------------------------------------------
    def issue_internal_order(self, ctx: Context, internal_order_no: str) -> None:
        ctx.require("R-O2", ASSISTANT, "issue an internal order", "开立内部订单")
        self._expect("R-O2", {"archived"}, "the internal order follows the archived order, once",
                     "订单归档后才能开立内部订单，且只开立一次")
        assert self.requested_date is not None
        self.trigger(ev.InternalOrderIssued, ctx, order_no=self.order_no,
                     internal_order_no=internal_order_no, customer=self.customer,
                     lines=self.lines, requested_date=self.requested_date)

    def notify_customer(self, ctx: Context, channel: str) -> None:
        ctx.require("R-O2", ASSISTANT, "tell the customer the delivery date", "通知客户交期")
        if self.promised_at is None:
            raise RuleBroken("R-O2", f"PMC has not promised a delivery time for order "
                             f"{self.order_no} yet: there is nothing to tell the customer",
                             f"PMC 尚未回复订单 {self.order_no} 的交期，无法通知客户")
        if self.promised_at in self.notified:
            raise RuleBroken("R-O2", f"the customer was already told the promised time "
                             f"{self.promised_at.isoformat()}",
                             f"已通知客户承诺交期 {self.promised_at.isoformat()}")
        self.trigger(ev.DeliveryDateNotified, ctx, order_no=self.order_no,
                     promised_at=self.promised_at, channel=channel)

    def transfer_materials(self, ctx: Context, items: Sequence[str], received_by: str) -> None:
        ctx.require("R-O2", ASSISTANT, "hand the customer's materials to production",
                    "移交客户样品和物料给生产部")
        if self.internal_order_no is None:
            raise RuleBroken("R-O2", "the customer's samples and materials go to production with "
                             f"the internal order; order {self.order_no} has none yet",
                             f"客户样品和物料随内部订单交给生产部；订单 {self.order_no} 尚未开立内部订单")
        self.trigger(ev.CustomerMaterialsTransferred, ctx, order_no=self.order_no,
                     items=tuple(items), received_by=received_by)

    # -- R-O3 -------------------------------------------------------------------------------
    def report_exception(self, ctx: Context, exception_no: str, kind: ExceptionKind,
                         description: str) -> None:
        ctx.require("R-O3", REPORTERS, "report an order exception", "上报订单异常")
        if exception_no in self.exceptions:
            raise RuleBroken("R-O3", f"exception {exception_no} of order {self.order_no} is "
                             "already reported", f"订单 {self.order_no} 的异常 {exception_no} 已上报",
                             field="exception_no")
        self.trigger(ev.OrderExceptionReported, ctx, order_no=self.order_no,
                     exception_no=exception_no, kind=kind, description=description,
                     recipients=tuple(Recipient))

    def record_exception_delivered(self, ctx: Context, exception_no: str, recipient: Recipient,
                                   to: str, channel: str) -> None:
        ctx.require("R-O3", ASSISTANT, "record who was told of an exception", "登记异常通知对象")
        told = self.exceptions.get(exception_no)
        if told is None:
            raise RuleBroken("R-O3", f"order {self.order_no} has no exception {exception_no}",
                             f"订单 {self.order_no} 没有异常 {exception_no}", field="exception_no")
        if recipient in told:
            raise RuleBroken("R-O3", f"exception {exception_no} already reached the "
                             f"{recipient.value}",
                             f"异常 {exception_no} 已通知{_RECIPIENT_ZH[recipient]}",
                             field="recipient")
        self.trigger(ev.OrderExceptionDelivered, ctx, order_no=self.order_no,
                     exception_no=exception_no, recipient=recipient, to=to, channel=channel)

    # -- reactions to production, quality and engineering -------------------------------------
    def record_progress(self, ctx: Context, stage: str, at: datetime, source: UUID,
                        lot_no: str | None = None, quantity: int | None = None) -> None:
        """R-O3: the live status of the order; a report already recorded changes nothing."""
        if source in self.reported:
            return
        self.trigger(ev.OrderProgressRecorded, ctx, order_no=self.order_no, stage=stage, at=at,
                     source_event_id=source, lot_no=lot_no, quantity=quantity)

    def record_delay(self, ctx: Context, *, kind: str, reason: str, previous: datetime,
                     new: datetime, timely: bool, source: UUID) -> None:
        """R-S7 for orders: the assistant learns of the delay, and it is an exception (R-O3)
        that must reach the customer, the salesperson and the CS supervisor."""
        if source in self.reported:
            return
        number = self._delay_no()
        self.trigger(ev.OrderDelayRecorded, ctx, order_no=self.order_no, kind=kind, reason=reason,
                     previous_promised_at=previous, new_promised_at=new, timely=timely,
                     source_event_id=source)
        self.trigger(ev.OrderExceptionReported, ctx, order_no=self.order_no,
                     exception_no=number, kind=ExceptionKind.DELAY,
                     description=f"{reason} ({previous.isoformat()} -> {new.isoformat()})",
                     recipients=tuple(Recipient), source_event_id=source)

    def request_penalty(self, ctx: Context, promised_at: datetime, source: UUID) -> None:
        """R-S7: a promised time missed without timely notice: one penalty request."""
        if source in self.reported or promised_at in self.penalised:
            return
        self.trigger(ev.OrderPenaltyRequested, ctx, order_no=self.order_no,
                     promised_at=promised_at, source_event_id=source)

    def _delay_no(self) -> str:
        """The delay's exception number: the next ``DELAY-<n>`` nobody used already."""
        n = self.delays + 1
        while f"DELAY-{n}" in self.exceptions:
            n += 1
        return f"DELAY-{n}"

    def _expect(self, rule: str, statuses: set[str], en: str, zh: str) -> None:
        if self.status not in statuses:
            raise RuleBroken(rule, f"{en} (order {self.order_no} is {self.status})",
                             f"{zh}（订单 {self.order_no} 当前状态：{_STATUS_ZH[self.status]}）")

    # -- state changes ------------------------------------------------------------------------
    def when_OrderReceived(self, e: ev.OrderReceived) -> None:
        self.order_no, self.customer, self.salesperson = e.order_no, e.customer, e.salesperson
        self.lines, self.requested_date = e.lines, e.requested_date
        self.quotation_request_no, self.status = e.quotation_request_no, "received"
        self.ordered = sum(line.quantity for line in e.lines)

    def when_OrderImported(self, e: ev.OrderImported) -> None:
        take_import(self, e)

    def when_OrderArchived(self, e: ev.OrderArchived) -> None:
        self.status = "archived"

    def when_InternalOrderIssued(self, e: ev.InternalOrderIssued) -> None:
        self.internal_order_no, self.status = e.internal_order_no, "internal_order_issued"

    def when_OrderProgressRecorded(self, e: ev.OrderProgressRecorded) -> None:
        self.reported = self.reported | {e.source_event_id}
        if e.stage == "promised":
            self.promised_at = e.at
        elif e.lot_no is not None:
            lot = self.lots.setdefault(e.lot_no, Lot())
            lot.quantity = e.quantity or lot.quantity
            lot.completions += e.stage == "lot_completed"
            lot.failures += e.stage == "lot_failed"
            lot.passed = lot.passed or e.stage == "lot_passed"

    def when_DeliveryDateNotified(self, e: ev.DeliveryDateNotified) -> None:
        self.notified = self.notified | {e.promised_at}

    def when_OrderExceptionReported(self, e: ev.OrderExceptionReported) -> None:
        self.exceptions[e.exception_no] = frozenset()

    def when_OrderExceptionDelivered(self, e: ev.OrderExceptionDelivered) -> None:
        self.exceptions[e.exception_no] = self.exceptions[e.exception_no] | {e.recipient}

    def when_OrderDelayRecorded(self, e: ev.OrderDelayRecorded) -> None:
        self.reported = self.reported | {e.source_event_id}
        self.promised_at, self.delays = e.new_promised_at, self.delays + 1

    def when_OrderPenaltyRequested(self, e: ev.OrderPenaltyRequested) -> None:
        self.reported = self.reported | {e.source_event_id}
        self.penalised = self.penalised | {e.promised_at}
