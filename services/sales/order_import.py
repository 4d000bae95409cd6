"""An order imported from the old Order Summary (订单汇总表, issue 12; R-O3: the assistant keeps
that table): the facts each stage needs, when a second import of the same row is a repeat, and
the state the order record takes so that the next live command of its stage is accepted.

Where an imported order goes on (live command accepted next):
- ``received`` → ``archive_order``; ``archived`` → ``issue_internal_order``;
- ``internal_order_issued`` → production's ``promise_order_delivery`` (production takes the order
  over from ``OrderImported``), then the live process;
- ``promised`` (in production) → ``notify_customer_of_delivery``, production's ``complete_lot``
  and ``notify_order_delay``, quality's ``inspect_lot``, then the shipping note and shipment;
- ``customer_notified`` → the same, without the notice;
- ``shipped`` is closed: no live command continues it.
History starts no SLA clock: the clocks start at the live events only.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from events.imports import ImportSource
from events.sales import order as ev
from services.domain import Conflict, RuleBroken
from services.sales.order_shipping import ShippingNote

if TYPE_CHECKING:
    from services.sales.order import OrderRecord

STAGES = ("received", "archived", "internal_order_issued", "promised", "customer_notified",
          "shipped")
# Each stage needs the facts of the steps it has been through (R-O2: a promise before the
# customer is told of it).
NEEDS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "promised": (("promised_at", "交期"),),
    "customer_notified": (("promised_at", "交期"), ("customer_told_at", "已告知客户时间")),
}
# The aggregate's status for each stage: production's steps are tracked by production.
STATUS = {"received": "received", "archived": "archived",
          "internal_order_issued": "internal_order_issued", "promised": "internal_order_issued",
          "customer_notified": "internal_order_issued", "shipped": "shipped"}


def reached(stage: str, step: str) -> bool:
    """Whether an order at ``stage`` has been through ``step``."""
    return STAGES.index(stage) >= STAGES.index(step)


def check_facts(order_no: str, facts: Mapping[str, Any]) -> None:
    """R-O3: an imported row holds the facts of the stage it claims."""
    stage = facts["stage"]
    for needed, zh in NEEDS.get(stage, ()):
        if facts.get(needed) is None:
            raise RuleBroken("R-O3", f"order {order_no} at stage {stage} needs its {needed}",
                             f"订单 {order_no} 的状态为 {stage}，需要填写{zh}（{needed}）",
                             field=needed)


def same_source(a: ImportSource, b: ImportSource) -> bool:
    return (a.file_sha256, a.sheet, a.row) == (b.file_sha256, b.sheet, b.row)


def repeat_or_refuse(record: OrderRecord, source: ImportSource, ordered_at: datetime,
                     facts: Mapping[str, Any]) -> None:
    """Importing an order that exists: a repeat of its import (same file and row, or the same
    order date and facts) changes nothing; anything else is refused, naming the order number."""
    wanted = {"ordered_at": ordered_at, **{name: facts.get(name) for name in FACTS}}
    if record.import_source is not None and (same_source(record.import_source, source)
                                             or record.imported == wanted):
        return
    how_en = "was imported with other facts" if record.import_source else "exists already"
    how_zh = "已以不同内容导入" if record.import_source else "已存在"
    raise Conflict("R-O3", f"order {record.order_no} {how_en}: the row is not imported again",
                   f"订单 {record.order_no} {how_zh}：该行不再导入", field="order_no")


def take_import(record: OrderRecord, e: ev.OrderImported) -> None:
    """The record's state after an import: where the live process picks the order up."""
    record.order_no, record.customer = e.order_no, e.customer
    record.salesperson, record.lines = e.salesperson or "", e.lines
    record.requested_date = (e.requested_date or (e.promised_at.date() if e.promised_at else None)
                             or e.timestamp.date())
    record.ordered = sum(line.quantity for line in e.lines)
    record.status = STATUS[e.stage]
    if reached(e.stage, "internal_order_issued"):
        record.internal_order_no = e.internal_order_no or e.order_no
    if reached(e.stage, "promised"):
        record.promised_at = e.promised_at
    if reached(e.stage, "customer_notified") and e.promised_at is not None:
        record.notified = record.notified | {e.promised_at}
    if e.stage == "shipped":
        record.shipped = record.ordered
        if e.shipping_note_no:
            record.notes[e.shipping_note_no] = ShippingNote(
                lots=(), quantity=record.ordered, arranged=True, shipped=True)
    record.import_source = e.source
    record.imported = imported_facts(e)


FACTS = ("stage", "po_no", "customer", "salesperson", "assistant", "lines", "product_text",
         "requested_date", "internal_order_no", "promised_at", "pmc_replied_at",
         "customer_told_at", "qc_result", "shipping_note_no", "shipped_at", "exceptions")


def imported_facts(e: ev.OrderImported) -> dict[str, Any]:
    """The facts of an import, as compared with a repeat (the order date included)."""
    return {"ordered_at": e.timestamp, **{name: getattr(e, name) for name in FACTS}}
