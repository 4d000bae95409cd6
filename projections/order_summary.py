"""The Order Summary (订单汇总表): one row per customer order, folded from every department (R-O3).

Rows do not depend on how the four streams interleave. Each stream keeps its own order, so an
event may build on earlier events of its own department (the latest promise is production's last
word; an exception is reported before it is delivered). Facts from different departments are
kept apart — a lot's tries are keyed by attempt, production's completion and quality's verdict
each fill their own half — and everything that combines them (quantities, completion, lateness,
status) is computed again from those facts after every event, never from the arrival order.
Sales' own copies of other departments' steps (``OrderProgressRecorded``, ``OrderDelayRecorded``)
are left out: the departments' events are the facts.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from events import engineering as eng
from events import production as prod
from events import quality as qc
from events.envelope import DomainEvent
from events.sales import order as so
from projections.order_import import fold_imported
from projections.sample_summary import _iso  # one time format for every summary table

Row = dict[str, Any]

# Statuses in the order an order lives through them; the shown one is derived by ``_status``.
STATUS_ZH: dict[str, str] = {
    "received": "已接单", "archived": "已归档", "internal_order_issued": "已下内部订单",
    "pmc_received": "PMC已接单", "promised": "PMC已回复交期", "customer_notified": "已通知客户交期",
    "inspecting": "待检验", "rework": "返工中", "passed": "检验合格", "note_issued": "已开出货单",
    "shipment_arranged": "已安排出货", "partly_shipped": "部分出货", "shipped": "已出货",
}
COLUMNS: tuple[str, ...] = (
    "order_no", "po_no", "received_at", "customer", "customer_no", "salesperson", "assistant",
    "lines", "products", "ordered_qty", "requested_date", "quotation_request_no", "files",
    "archived_at", "internal_order_no", "issued_at", "pmc_received_at", "promises",
    "first_promised_at", "pmc_replied_at", "promised_at", "first_told_at", "customer_told_at",
    "customer_told_promised_at", "customer_told_latest", "instructions_requested_at", "instructions_revision",
    "instructions_document_no", "instructions_issued_at", "materials",
    "completed_qty", "passed_qty", "lot_count", "inspected_lots", "reworked_lots", "completed_at",
    "shipping_note_nos", "shipped_qty", "shipped_at", "delivered_at", "shipped_method", "carrier",
    "tracking_no", "exception_count", "exceptions_open", "exception_kinds", "delay_notices",
    "delay_timely", "promises_missed", "penalty_requested_at", "penalties", "late",
    "delivered_on_time", "status", "status_zh",
    # issue 12: an imported row's source, and the old table's QC and exception cells
    "imported", "import_source", "qc_result", "exceptions_note",
)


def _received(row: Row, e: so.OrderReceived) -> None:
    lines = [line.model_dump() for line in e.lines]
    row.update(po_no=e.po_no, received_at=_iso(e.timestamp), customer=e.customer,
               customer_no=e.customer_no, salesperson=e.salesperson, assistant=e.assistant,
               lines=lines, ordered_qty=sum(line["quantity"] for line in lines),
               products=", ".join(f"{line['product']} ({line['part_no']})" for line in lines),
               requested_date=e.requested_date.isoformat(),
               quotation_request_no=e.quotation_request_no, files=len(e.files))


def _exception(row: Row, e: so.OrderExceptionReported) -> None:
    row["exceptions"][e.exception_no] = {
        "kind": e.kind.value, "description": e.description, "reported_at": _iso(e.timestamp),
        "reported_by": e.actor.user, "recipients": [r.value for r in e.recipients],
        "delivered": []}


def _delivered(row: Row, e: so.OrderExceptionDelivered) -> None:
    delivered = row["exceptions"].setdefault(e.exception_no, {
        "kind": None, "description": None, "reported_at": None, "reported_by": None,
        "recipients": [], "delivered": []})["delivered"]
    if e.recipient.value not in delivered:
        delivered.append(e.recipient.value)


def _note(row: Row, note_no: str) -> dict[str, Any]:
    note: dict[str, Any] = row["shipping_notes"].setdefault(note_no, {
        "lots": [], "quantity": None, "issued_at": None, "copies": {}, "method": None,
        "carrier": None, "tracking_no": None, "arranged_at": None, "shipped_qty": 0,
        "shipped_at": None})
    return note


def _note_issued(row: Row, e: so.ShippingNoteIssued) -> None:
    _note(row, e.note_no).update(lots=list(e.lots), quantity=e.quantity,
                                 issued_at=_iso(e.timestamp))


def _arranged(row: Row, e: so.ShipmentArranged) -> None:
    _note(row, e.note_no).update(method=e.method, carrier=e.carrier, tracking_no=e.tracking_no,
                                 arranged_at=_iso(e.timestamp))
    row.update(shipped_method=e.method, carrier=e.carrier, tracking_no=e.tracking_no)


def _shipped(row: Row, e: so.OrderShipped) -> None:
    _note(row, e.note_no).update(shipped_qty=e.quantity, shipped_at=_iso(e.timestamp))


def _promised(row: Row, e: prod.DeliveryPromised) -> None:
    row["promises"].append({"promised_at": _iso(e.promised_at), "at": _iso(e.timestamp),
                            "quantity": e.quantity, "note": e.note})
    if row["first_promised_at"] is None:
        row.update(first_promised_at=_iso(e.promised_at), pmc_replied_at=_iso(e.timestamp))
    row["promised_at"] = _iso(e.promised_at)  # production's stream is in order: its last word


def _delay(row: Row, e: prod.DelayNotified) -> None:
    row["delays"].append({"at": _iso(e.timestamp), "kind": e.kind, "reason": e.reason,
                          "previous_promised_at": _iso(e.previous_promised_at),
                          "new_promised_at": _iso(e.new_promised_at), "timely": e.timely})
    row["promised_at"] = _iso(e.new_promised_at)


def _try(row: Row, lot_no: str, attempt: int) -> dict[str, Any]:
    lot = row["lots"].setdefault(lot_no, {"tries": {}})
    tried: dict[str, Any] = lot["tries"].setdefault(str(attempt), {
        "quantity": None, "completed_at": None, "result": None, "inspected_at": None,
        "findings": None})
    return tried


def _lot_completed(row: Row, e: prod.LotCompleted) -> None:
    _try(row, e.lot_no, e.attempt).update(quantity=e.quantity, completed_at=_iso(e.timestamp))


def _inspected(result: str | None) -> Fill:
    def fill(row: Row, e: qc.InspectionEvent) -> None:
        tried = _try(row, e.lot_no, e.attempt)
        tried["quantity"] = tried["quantity"] or getattr(e, "quantity", None)
        if result is not None:
            tried.update(result=result, inspected_at=_iso(e.timestamp),
                         findings=getattr(e, "findings", None))
    return fill


def _instructions(row: Row, e: eng.ProcessInstructionsIssued) -> None:
    if e.revision > (row["instructions_revision"] or 0):
        row.update(instructions_revision=e.revision, instructions_document_no=e.document_no,
                   instructions_issued_at=_iso(e.timestamp))


Fill = Callable[[Row, Any], None]
FOLD: dict[type[DomainEvent], Fill] = {
    so.OrderReceived: _received,
    so.OrderImported: fold_imported,
    so.OrderArchived: lambda r, e: r.update(archived_at=_iso(e.timestamp)),
    so.InternalOrderIssued: lambda r, e: r.update(internal_order_no=e.internal_order_no,
                                                  issued_at=_iso(e.timestamp)),
    so.DeliveryDateNotified: lambda r, e: r["notices"].append(
        {"at": _iso(e.timestamp), "promised_at": _iso(e.promised_at), "channel": e.channel}),
    so.CustomerMaterialsTransferred: lambda r, e: r["materials"].append(
        {"items": list(e.items), "received_by": e.received_by, "at": _iso(e.timestamp)}),
    so.OrderExceptionReported: _exception,
    so.OrderExceptionDelivered: _delivered,
    so.OrderPenaltyRequested: lambda r, e: r["penalties"].append(
        {"promised_at": _iso(e.promised_at), "at": _iso(e.timestamp)}),
    so.ShippingNoteIssued: _note_issued,
    so.ShippingNoteCopyIssued: lambda r, e: _note(r, e.note_no)["copies"].update(
        {e.copy_name.value: e.holder}),
    so.ShipmentArranged: _arranged,
    so.OrderShipped: _shipped,
    prod.InternalOrderReceived: lambda r, e: r.update(pmc_received_at=_iso(e.timestamp)),
    prod.DeliveryPromised: _promised,
    prod.DelayNotified: _delay,
    prod.DeliveryPromiseMissed: lambda r, e: r["promises_missed"].append(_iso(e.promised_at)),
    prod.LotCompleted: _lot_completed,
    qc.InspectionRequested: _inspected(None),
    qc.InspectionPassed: _inspected("passed"),
    qc.InspectionFailed: _inspected("failed"),
    eng.ProcessInstructionsRequested: lambda r, e: r.update(
        instructions_requested_at=_iso(e.timestamp)),
    eng.ProcessInstructionsIssued: _instructions,
}


def concerns(event: DomainEvent) -> bool:
    """Whether ``event`` belongs in the Order Summary (promises of samples do not)."""
    return (type(event) in FOLD and bool(event.record_no)
            and getattr(event, "promises", "order") == "order")


def new_row(order_no: str) -> Row:
    row: Row = dict.fromkeys(COLUMNS)
    row.update(order_no=order_no, promises=[], notices=[], materials=[], lots={}, shipping_notes={},
               exceptions={}, delays=[], promises_missed=[], penalties=[])
    _derive(row)
    return row


def apply(row: Row, event: DomainEvent) -> bool:
    """Fold one event into its row; False when the event does not concern this table."""
    if not concerns(event):
        return False
    FOLD[type(event)](row, event)
    _derive(row)
    return True


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _derive(row: Row) -> None:
    """Columns computed from the facts of every department, whatever order they arrived in."""
    lots = {no: _lot(lot["tries"]) | {"tries": lot["tries"]}
            for no, lot in sorted(row["lots"].items())}
    row["lots"] = lots
    ordered = row["ordered_qty"] or 0
    row.update(lot_count=len(lots), completed_qty=sum(lot["quantity"] or 0 for lot in lots.values()),
               passed_qty=sum(lot["quantity"] or 0 for lot in lots.values()
                              if lot["result"] == "passed"),
               inspected_lots=sum(1 for lot in lots.values() if lot["inspections"]),
               reworked_lots=sum(1 for lot in lots.values() if lot["failed"]))
    row["completed_at"] = _reached(ordered, [(lot["done_at"], lot["quantity"] or 0)
                                             for lot in lots.values()])
    notes = row["shipping_notes"]
    row["shipping_note_nos"] = ", ".join(notes)
    row["shipped_qty"] = sum(n["shipped_qty"] for n in notes.values())
    shipped = [n["shipped_at"] for n in notes.values() if n["shipped_at"]]
    row["shipped_at"] = max(shipped, key=_when) if shipped else None
    row["delivered_at"] = _reached(ordered, [(n["shipped_at"], n["shipped_qty"])
                                             for n in notes.values()])
    exceptions = row["exceptions"].values()
    row.update(exception_count=len(row["exceptions"]),
               exceptions_open=sum(1 for x in exceptions if set(x["recipients"]) - set(x["delivered"])),
               exception_kinds=", ".join(sorted({x["kind"] for x in exceptions if x["kind"]})),
               delay_notices=len(row["delays"]),
               delay_timely=all(d["timely"] for d in row["delays"]) if row["delays"] else None,
               penalty_requested_at=row["penalties"][-1]["at"] if row["penalties"] else None)
    promised, notices = row["promised_at"], row["notices"]
    row.update(first_told_at=notices[0]["at"] if notices else None,
               customer_told_at=notices[-1]["at"] if notices else None,
               customer_told_promised_at=notices[-1]["promised_at"] if notices else None)
    row["customer_told_latest"] = (None if not (promised and notices)
                                   else _when(notices[-1]["promised_at"]) == _when(promised))
    row["late"] = bool(promised and row["completed_at"]
                       and _when(row["completed_at"]) > _when(promised))
    row["delivered_on_time"] = (None if not (promised and row["delivered_at"])
                                else _when(row["delivered_at"]) <= _when(promised))
    row["status"] = _status(row)
    row["status_zh"] = STATUS_ZH.get(row["status"] or "", "")


def _lot(tries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One lot as the table shows it: its latest try decides quantity, result and readiness."""
    latest = tries[max(tries, key=int)]
    quantities = [t["quantity"] for _, t in sorted(tries.items(), key=lambda kv: int(kv[0]))
                  if t["quantity"]]
    failures = [t for t in tries.values() if t["result"] == "failed"]
    return {"quantity": quantities[-1] if quantities else None, "attempts": max(map(int, tries)),
            "result": latest["result"], "done_at": latest["completed_at"],
            "inspections": sum(1 for t in tries.values() if t["result"]),
            "failed": len(failures),
            "findings": failures[-1]["findings"] if failures else None}


def _reached(target: int, steps: list[tuple[str | None, int]]) -> str | None:
    """When the quantities of the timed ``steps``, taken in time order, first add up to
    ``target`` (None if they do not, or nothing is ordered yet)."""
    total = 0
    for at, quantity in sorted((s for s in steps if s[0]), key=lambda s: _when(s[0] or "")):
        total += quantity
        if target and total >= target:
            return at
    return None


def _status(row: Row) -> str | None:
    """The live status: the furthest step of shipping, else of inspection, else of intake."""
    lots, notes = row["lots"].values(), row["shipping_notes"].values()
    ordered, shipped = row["ordered_qty"] or 0, row["shipped_qty"]
    checks: tuple[tuple[str, bool], ...] = (
        ("shipped", bool(ordered) and shipped >= ordered),
        ("partly_shipped", shipped > 0),
        ("shipment_arranged", any(n["arranged_at"] for n in notes)),
        ("note_issued", any(n["issued_at"] for n in notes)),
        ("rework", any(lot["result"] == "failed" for lot in lots)),
        ("inspecting", any(lot["result"] is None for lot in lots)),
        ("passed", bool(lots)),
        ("customer_notified", bool(row["customer_told_at"])),
        ("promised", bool(row["promises"])),
        ("pmc_received", bool(row["pmc_received_at"])),
        ("internal_order_issued", bool(row["issued_at"])),
        ("archived", bool(row["archived_at"])),
        ("received", bool(row["received_at"])),
    )
    return next((status for status, reached in checks if reached), None)
