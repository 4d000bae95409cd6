"""R-O4 on the order record: the shipping note of lots that passed inspection, its three copies,
the shipment arranged and confirmed by the salesperson. Mixed into ``OrderRecord``."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from events.sales import order as ev
from events.sales.order import ShippingCopy
from services.domain import Context, RuleBroken
from services.sales.order_shipping import (
    ASSISTANT,
    SALESPERSON,
    Lot,
    ShippingNote,
    existing_note,
    note_quantity,
)

if TYPE_CHECKING:
    from events.envelope import DomainEvent

_COPY_ZH = {ShippingCopy.DELIVERY: "送货联", ShippingCopy.FINANCE: "财务联",
            ShippingCopy.SALES: "业务联"}


class ShipmentSteps:
    """Command methods and state changes of R-O4."""

    if TYPE_CHECKING:  # the record's, see ``OrderRecord``
        order_no: str
        salesperson: str
        status: str
        ordered: int
        shipped: int
        lots: dict[str, Lot]
        notes: dict[str, ShippingNote]

        def trigger(self, event_cls: type[DomainEvent], ctx: Context, **facts: Any) -> Any: ...

    def issue_shipping_note(self, ctx: Context, note_no: str, lots: Sequence[str]) -> None:
        ctx.require("R-O4", ASSISTANT, "issue a shipping note", "开立出货单")
        quantity = note_quantity(self.order_no, note_no, lots, self.lots, self.notes)
        self.trigger(ev.ShippingNoteIssued, ctx, order_no=self.order_no, note_no=note_no,
                     lots=tuple(lots), quantity=quantity, salesperson=self.salesperson)

    def issue_note_copy(self, ctx: Context, note_no: str, copy_name: ShippingCopy,
                        holder: str) -> None:
        ctx.require("R-O4", ASSISTANT, "issue a copy of a shipping note", "发放出货单")
        note = existing_note(self.order_no, note_no, self.notes)
        if copy_name in note.copies:
            raise RuleBroken("R-O4", f"the {copy_name.value} copy of shipping note {note_no} is "
                             f"already issued, to {note.copies[copy_name]}",
                             f"出货单 {note_no} 的{_COPY_ZH[copy_name]}已发给 {note.copies[copy_name]}",
                             field="copy_name")
        self.trigger(ev.ShippingNoteCopyIssued, ctx, order_no=self.order_no, note_no=note_no,
                     copy_name=copy_name, holder=holder)

    def arrange_shipment(self, ctx: Context, note_no: str, method: str, carrier: str,
                         tracking_no: str | None) -> None:
        ctx.require("R-O4", SALESPERSON, "arrange a shipment", "安排出货")
        if existing_note(self.order_no, note_no, self.notes).arranged:
            raise RuleBroken("R-O4", f"the shipment of note {note_no} is already arranged",
                             f"出货单 {note_no} 已安排出货", field="note_no")
        self.trigger(ev.ShipmentArranged, ctx, order_no=self.order_no, note_no=note_no,
                     method=method, carrier=carrier, tracking_no=tracking_no)

    def confirm_shipment(self, ctx: Context, note_no: str) -> None:
        ctx.require("R-O4", SALESPERSON, "confirm a shipment", "确认出货")
        note = existing_note(self.order_no, note_no, self.notes)
        if not note.arranged:
            raise RuleBroken("R-O4", f"the shipment of note {note_no} must be arranged before "
                             "it is confirmed", f"出货单 {note_no} 须先安排出货才能确认出货")
        if note.shipped:
            raise RuleBroken("R-O4", f"the goods of note {note_no} are already shipped",
                             f"出货单 {note_no} 的货物已出货", field="note_no")
        self.trigger(ev.OrderShipped, ctx, order_no=self.order_no, note_no=note_no,
                     quantity=note.quantity, shipped_total=self.shipped + note.quantity,
                     ordered_total=self.ordered)

    # -- state changes ------------------------------------------------------------------------
    def when_ShippingNoteIssued(self, e: ev.ShippingNoteIssued) -> None:
        self.notes[e.note_no] = ShippingNote(lots=e.lots, quantity=e.quantity)
        for lot_no in e.lots:
            self.lots[lot_no].note_no = e.note_no

    def when_ShippingNoteCopyIssued(self, e: ev.ShippingNoteCopyIssued) -> None:
        self.notes[e.note_no].copies[e.copy_name] = e.holder

    def when_ShipmentArranged(self, e: ev.ShipmentArranged) -> None:
        self.notes[e.note_no].arranged = True

    def when_OrderShipped(self, e: ev.OrderShipped) -> None:
        self.notes[e.note_no].shipped = True
        self.shipped = e.shipped_total
        self.status = "shipped" if self.shipped >= self.ordered else "partly_shipped"
