"""Order use cases of the sales application (R-O1 to R-O4, R-O6) and sales' reactions to what
production, quality and engineering report on an order (R-O3's live status, R-S7 for orders)."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Tracking

from contracts.commands import imports_orders
from contracts.commands import orders as cmd
from contracts.commands.base import Command
from contracts.replies import EventRef
from events import engineering, production, quality
from events.envelope import DomainEvent, OrderLine
from services.domain import Aggregate, Context, NotFound
from services.runtime.commands import UseCase
from services.sales.order import OrderRecord, order_id
from services.sales.order_month import OrderMonth, order_month_id
from services.sales.sample import SampleRecord, sample_id

if TYPE_CHECKING:
    from services.runtime.store import DepartmentApplication as _Application
    from services.sales.customer import Customer
else:
    _Application = object

A = TypeVar("A", bound=Aggregate)


class OrderUseCases(_Application):
    """Mixed into ``SalesApplication``: get, call, save, for the order record."""

    if TYPE_CHECKING:  # provided by CustomerUseCases
        def customer(self, customer_no: str) -> Customer: ...

    def order(self, order_no: str) -> OrderRecord:
        return self._get(OrderRecord, order_id(order_no), f"order {order_no}", f"订单 {order_no}",
                         "order_no")

    def _get(self, cls: type[A], aggregate_id: UUID, en: str, zh: str, field: str) -> A:
        try:
            return self.repository.get(aggregate_id, projector_func=cls.project)
        except AggregateNotFoundError:
            raise NotFound(None, f"{en} does not exist", f"{zh} 不存在", field=field) from None

    def receive_order(self, c: cmd.ReceiveOrder, ctx: Context) -> list[EventRef]:
        record = self.load_or_new(OrderRecord, order_id(c.order_no))
        # The customer's files must already be in their customer file (R-S2).
        filed = ({sha for _, sha in self.customer(c.customer_no).filed}
                 if c.files and c.customer_no is not None else set())
        record.receive(ctx, order_no=c.order_no, po_no=c.po_no, customer=c.customer,
                       customer_no=c.customer_no, lines=c.lines, requested_date=c.requested_date,
                       salesperson=c.salesperson, assistant=c.assistant,
                       quotation_request_no=c.quotation_request_no, files=c.files, filed=filed)
        return self.store(record)

    def import_order(self, c: imports_orders.ImportOrder, ctx: Context) -> list[EventRef]:
        """Issue 12: one row of the old Order Summary; its business time is the order date."""
        record = self.load_or_new(OrderRecord, order_id(c.order_no))
        facts = c.model_dump(exclude={"actor", "correlation_id", "command_id", "occurred_at",
                                      "source", "ordered_at", "product", "part_no", "quantity"})
        line = OrderLine(product=c.product, part_no=c.part_no or "-", quantity=c.quantity)
        text = f"{c.product} ({c.part_no})" if c.part_no else c.product
        record.import_row(replace(ctx, now=c.ordered_at, recorded_at=ctx.recorded, explicit=False),
                          c.source, lines=(line,), product_text=text, **facts)
        return self.store(record)

    def archive_order(self, c: cmd.ArchiveOrder, ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.archive(ctx, price_approved=self.price_approved(record.quotation_request_no))
        return self.store(record)

    def price_approved(self, request_no: str | None) -> bool:
        """Whether the quotation (5.1's sample record) an order names has its price approved."""
        if request_no is None:
            return False
        quotation = self._get(SampleRecord, sample_id(request_no),
                              f"quotation request {request_no}", f"报价申请 {request_no}",
                              "quotation_request_no")
        return quotation.price_approved

    def issue_internal_order(self, c: cmd.IssueInternalOrder, ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.issue_internal_order(ctx, c.internal_order_no)
        return self.store(record)

    def notify_customer_of_delivery(self, c: cmd.NotifyCustomerOfDelivery,
                                    ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.notify_customer(ctx, c.channel)
        return self.store(record)

    def transfer_customer_materials(self, c: cmd.TransferCustomerMaterials,
                                    ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.transfer_materials(ctx, c.items, c.received_by)
        return self.store(record)

    def report_order_exception(self, c: cmd.ReportOrderException, ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.report_exception(ctx, c.exception_no, c.kind, c.description)
        return self.store(record)

    def record_exception_delivered(self, c: cmd.RecordExceptionDelivered,
                                   ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.record_exception_delivered(ctx, c.exception_no, c.recipient, c.to, c.channel)
        return self.store(record)

    def issue_shipping_note(self, c: cmd.IssueShippingNote, ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.issue_shipping_note(ctx, c.note_no, c.lots)
        return self.store(record)

    def issue_shipping_note_copy(self, c: cmd.IssueShippingNoteCopy,
                                 ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.issue_note_copy(ctx, c.note_no, c.copy_name, c.holder)
        return self.store(record)

    def arrange_shipment(self, c: cmd.ArrangeShipment, ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.arrange_shipment(ctx, c.note_no, c.method, c.carrier, c.tracking_no)
        return self.store(record)

    def confirm_shipment(self, c: cmd.ConfirmShipment, ctx: Context) -> list[EventRef]:
        record = self.order(c.order_no)
        record.confirm_shipment(ctx, c.note_no)
        return self.store(record)

    def note_order_month(self, c: cmd.NoteOrderMonth, ctx: Context) -> list[EventRef]:
        month = self.load_or_new(OrderMonth, order_month_id(c.month))
        month.note(ctx, c.month, c.text)
        return self.store(month)

    # -- reactions (an order sales does not know is not found: the consumer dead-letters it) ---
    def on_order_progress(self, event: DomainEvent, tracking: Tracking) -> None:
        """R-O3: production's promise and lots, quality's verdicts, engineering's instructions."""
        stage, at, lot_no, quantity = ORDER_PROGRESS_OF[type(event)](event)
        record = self.order(event.record_no or "")
        record.record_progress(self.reaction_context(event), stage, at, event.event_id,
                               lot_no=lot_no, quantity=quantity)
        self.store(record, tracking=tracking)

    def on_order_delay(self, event: production.DelayNotified, tracking: Tracking) -> None:
        record = self.order(event.order_no or "")
        record.record_delay(self.reaction_context(event), kind=event.kind, reason=event.reason,
                            previous=event.previous_promised_at, new=event.new_promised_at,
                            timely=event.timely, source=event.event_id)
        self.store(record, tracking=tracking)

    def on_order_promise_missed(self, event: production.DeliveryPromiseMissed,
                                tracking: Tracking) -> None:
        """R-S7: production missed an order promise without timely notice: request a penalty."""
        record = self.order(event.order_no or "")
        record.request_penalty(self.reaction_context(event), event.promised_at, event.event_id)
        self.store(record, tracking=tracking)


# Another department's event -> (stage, when, lot, quantity) of the order's progress.
ORDER_PROGRESS_OF: Mapping[type[DomainEvent], Callable[[Any], tuple[str, Any, Any, Any]]] = {
    production.DeliveryPromised: lambda e: ("promised", e.promised_at, None, e.quantity),
    engineering.ProcessInstructionsIssued: lambda e: ("instructions_issued", e.timestamp, None,
                                                      None),
    production.LotCompleted: lambda e: ("lot_completed", e.timestamp, e.lot_no, e.quantity),
    quality.InspectionPassed: lambda e: ("lot_passed", e.timestamp, e.lot_no, e.quantity),
    quality.InspectionFailed: lambda e: ("lot_failed", e.timestamp, e.lot_no, e.quantity),
}

ORDER_COMMANDS: Mapping[type[Command], UseCase] = {
    imports_orders.ImportOrder: OrderUseCases.import_order,
    cmd.ReceiveOrder: OrderUseCases.receive_order,
    cmd.ArchiveOrder: OrderUseCases.archive_order,
    cmd.IssueInternalOrder: OrderUseCases.issue_internal_order,
    cmd.NotifyCustomerOfDelivery: OrderUseCases.notify_customer_of_delivery,
    cmd.TransferCustomerMaterials: OrderUseCases.transfer_customer_materials,
    cmd.ReportOrderException: OrderUseCases.report_order_exception,
    cmd.RecordExceptionDelivered: OrderUseCases.record_exception_delivered,
    cmd.IssueShippingNote: OrderUseCases.issue_shipping_note,
    cmd.IssueShippingNoteCopy: OrderUseCases.issue_shipping_note_copy,
    cmd.ArrangeShipment: OrderUseCases.arrange_shipment,
    cmd.ConfirmShipment: OrderUseCases.confirm_shipment,
    cmd.NoteOrderMonth: OrderUseCases.note_order_month,
}
