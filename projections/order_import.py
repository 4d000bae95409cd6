"""An order imported from the old Order Summary (issue 12) as its row shows it: the source row's
values, marked imported with the workbook, sheet and row; the live process's later events fold
on top (a promise or notice already folded is kept: each stream is in order, not the four)."""
from __future__ import annotations

from typing import Any

from events.sales import order as so
from projections.sample_summary import _iso

Row = dict[str, Any]
STAGES = ("received", "archived", "internal_order_issued", "promised", "customer_notified",
          "shipped")


def _reached(stage: str, step: str) -> bool:
    return STAGES.index(stage) >= STAGES.index(step)


def fold_imported(row: Row, e: so.OrderImported) -> None:
    lines = [line.model_dump() for line in e.lines]
    received = _iso(e.timestamp)
    row.update(po_no=e.po_no, received_at=received, customer=e.customer,
               salesperson=e.salesperson, assistant=e.assistant, lines=lines,
               ordered_qty=sum(line["quantity"] for line in lines), products=e.product_text,
               requested_date=e.requested_date.isoformat() if e.requested_date else None,
               qc_result=e.qc_result, exceptions_note=e.exceptions, imported=True,
               import_source=e.source.model_dump(), files=0)
    if _reached(e.stage, "archived"):
        row["archived_at"] = row["archived_at"] or received  # the old table kept no time
    if _reached(e.stage, "internal_order_issued"):
        row.update(internal_order_no=e.internal_order_no, issued_at=row["issued_at"] or received)
    if e.promised_at is not None:
        row["promised_at"] = row["promised_at"] or _iso(e.promised_at)
    if e.promised_at is not None and _reached(e.stage, "promised"):
        row["promises"].insert(0, {"promised_at": _iso(e.promised_at),
                                   "at": _iso(e.pmc_replied_at), "quantity": None,
                                   "note": "imported"})
        row.update(first_promised_at=_iso(e.promised_at), pmc_replied_at=_iso(e.pmc_replied_at))
    elif e.pmc_replied_at is not None:
        row["pmc_replied_at"] = _iso(e.pmc_replied_at)
    if e.customer_told_at is not None and e.promised_at is not None:
        row["notices"].insert(0, {"at": _iso(e.customer_told_at),
                                  "promised_at": _iso(e.promised_at), "channel": "imported"})
    if e.stage == "shipped":
        row["shipping_notes"][e.shipping_note_no or ""] = {
            "lots": [], "quantity": row["ordered_qty"], "issued_at": None, "copies": {},
            "method": None, "carrier": None, "tracking_no": None, "arranged_at": None,
            "shipped_qty": row["ordered_qty"], "shipped_at": _iso(e.shipped_at)}
