"""A sales order record brought to any step through its own commands (R-O1 to R-O4)."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest

from events.envelope import OrderLine, Role
from services.domain import Context, DomainError, RuleBroken
from services.sales.order import OrderRecord, order_id
from tests.unit.builders import ctx, later

LINES = (OrderLine(product="gasket", part_no="P-1", quantity=5000),)
PROMISED_AT = later(30)
STEPS = ("received", "archived", "internal_order_issued", "promised", "lots_passed", "noted",
         "arranged", "shipped")
SYSTEM = ctx(Role.SYSTEM, "salesflow")


def amy() -> Context:
    """The order's sales assistant."""
    return ctx(Role.SALES_ASSISTANT, "amy")


def bob() -> Context:
    """The order's salesperson."""
    return ctx(Role.SALESPERSON, "bob")


def report(record: OrderRecord, stage: str, lot_no: str | None = None,
           quantity: int | None = None) -> uuid.UUID:
    """Another department's report on the order, as sales' reaction records it; its cause id."""
    source = uuid.uuid4()
    at = PROMISED_AT if stage == "promised" else later(1)
    record.record_progress(SYSTEM, stage, at, source, lot_no=lot_no, quantity=quantity)
    return source


def receive(record: OrderRecord, order_no: str = "O-1", quotation_request_no: str | None = None,
            ) -> None:
    record.receive(bob(), order_no=order_no, po_no="PO-7",
                   customer="ACME", customer_no=None, lines=LINES,
                   requested_date=date(2026, 12, 1), salesperson="bob", assistant="amy",
                   quotation_request_no=quotation_request_no, files=())


def order_at(step: str, order_no: str = "O-1") -> OrderRecord:
    """Up to and including ``step``: two lots (L-1 of 2000, L-2 of 3000) pass inspection, and
    shipping note N-1 carries L-1 only, so its shipment is a partial one."""
    record = OrderRecord(id=order_id(order_no))
    steps = {
        "received": lambda: receive(record, order_no),
        "archived": lambda: record.archive(amy()),
        "internal_order_issued": lambda: record.issue_internal_order(amy(), "IO-1"),
        "promised": lambda: report(record, "promised", quantity=5000),
        "lots_passed": lambda: [report(record, stage, lot_no, quantity)
                                for lot_no, quantity in (("L-1", 2000), ("L-2", 3000))
                                for stage in ("lot_completed", "lot_passed")],
        "noted": lambda: record.issue_shipping_note(amy(), "N-1", ["L-1"]),
        "arranged": lambda: record.arrange_shipment(bob(), "N-1", "courier", "SF", "SF9"),
        "shipped": lambda: record.confirm_shipment(bob(), "N-1"),
    }
    for name in STEPS:
        steps[name]()
        if name == step:
            return record
    raise ValueError(step)


Command = Callable[[OrderRecord], None]


def refused(record: OrderRecord, command: Command, error: type[DomainError] = RuleBroken,
            ) -> DomainError:
    """``command`` is refused with ``error`` in both languages and records nothing."""
    record.collect_events()
    version = record.version
    with pytest.raises(error) as raised:
        command(record)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in raised.value.zh), raised.value.zh
    assert record.collect_events() == [] and record.version == version
    return raised.value
