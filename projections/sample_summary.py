"""The Sample Record Summary (打样记录汇总表): one row per sample, folded from every department.

The fold is pure and independent of how the four streams interleave: each column is written by
one event type, and the status only moves forward along ``STAGES``. So a rebuild, whatever
order it reads the streams in, gives exactly the rows the live projection holds.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from events import engineering as eng
from events import production as prod
from events import sales
from events.envelope import DomainEvent

Row = dict[str, Any]
ZERO = timedelta(0)

STAGES: tuple[str, ...] = (
    "requested", "costed", "quoted", "signed", "price_approved", "application_opened",
    "application_approved", "job_opened", "scheduled", "in_production", "promised", "completed",
    "returned",
)
STATUS_ZH = {
    "requested": "已申请", "costed": "已核价", "quoted": "已报价", "signed": "报价已签核",
    "price_approved": "价格已确认", "application_opened": "已开申请单", "application_approved": "申请单已审核",
    "job_opened": "工程已接单", "scheduled": "已排打样", "in_production": "生产中", "promised": "已承诺交期",
    "completed": "样品完成", "returned": "已交回业务",
}
COLUMNS: tuple[str, ...] = (
    "request_no", "requested_at", "customer", "salesperson", "assistant", "product", "part_no",
    "materials_complete", "missing_materials", "die_difficulty", "bom_ref", "quotation_no",
    "unit_price", "currency", "price_status", "price_approved_at", "application_no", "application_status",
    "scheduled_for", "documents_received_at", "promised_at", "completed_at", "returned_at",
    "status", "late",
)


def _iso(value: datetime | None) -> str | None:
    """UTC ISO text, so times compare as strings and read the same on every rebuild."""
    if value is None:
        return None
    return (value if value.utcoffset() == ZERO else value.astimezone(UTC)).isoformat()


def _materials(row: Row, materials: sales.MaterialSet) -> None:
    missing = materials.missing()
    row["materials_complete"], row["missing_materials"] = not missing, ", ".join(missing)


def _requested(row: Row, e: sales.SampleRequested) -> None:
    row.update(requested_at=_iso(e.timestamp), customer=e.customer, salesperson=e.salesperson,
               assistant=e.assistant, product=e.product, part_no=e.part_no)
    _materials(row, e.materials)


def _costed(row: Row, e: sales.SampleCosted) -> None:
    row.update(bom_ref=e.bom_ref, die_difficulty=e.die_difficulty.value)


def _quoted(row: Row, e: sales.QuotationPrepared) -> None:
    row.update(quotation_no=e.quotation_no, unit_price=str(e.unit_price), currency=e.currency)


def _promised(row: Row, e: prod.DeliveryPromised) -> None:
    row["promised_at"] = _iso(e.promised_at)


def _completed(row: Row, e: prod.SampleCompleted) -> None:
    row["completed_at"] = _iso(e.timestamp)


# event type -> (stage it proves, how it fills the row)
FOLD: dict[type[DomainEvent], tuple[str | None, Callable[[Row, Any], None]]] = {
    sales.SampleRequested: ("requested", _requested),
    sales.SampleMaterialsUpdated: (None, lambda r, e: _materials(r, e.materials)),
    sales.SampleCosted: ("costed", _costed),
    sales.QuotationPrepared: ("quoted", _quoted),
    sales.QuotationSigned: ("signed", lambda r, e: r.update(price_status="signed")),
    sales.PriceApproved: ("price_approved", lambda r, e: r.update(price_approved_at=_iso(e.timestamp))),
    sales.SampleApplicationOpened: ("application_opened",
                                    lambda r, e: r.update(application_no=e.application_no)),
    sales.SampleApplicationApproved: ("application_approved", lambda r, e: None),
    eng.SamplingJobOpened: ("job_opened", lambda r, e: None),
    eng.SamplingScheduled: ("scheduled", lambda r, e: r.update(scheduled_for=_iso(e.scheduled_for))),
    prod.SampleDocumentsReceived: ("in_production",
                                   lambda r, e: r.update(documents_received_at=_iso(e.timestamp))),
    prod.DeliveryPromised: ("promised", _promised),
    prod.SampleCompleted: ("completed", _completed),
    eng.SampleReturnedToSales: ("returned", lambda r, e: r.update(returned_at=_iso(e.timestamp))),
}


def new_row(request_no: str) -> Row:
    row: Row = dict.fromkeys(COLUMNS)
    row.update(request_no=request_no, status=None, stage_index=-1)
    return row


def apply(row: Row, event: DomainEvent) -> bool:
    """Fold one event into its row; False when the event does not concern this table."""
    entry = FOLD.get(type(event))
    if entry is None:
        return False
    stage, fill = entry
    fill(row, event)
    if stage is not None and STAGES.index(stage) > row["stage_index"]:
        row["stage_index"], row["status"] = STAGES.index(stage), stage
    _derive(row)
    return True


def _derive(row: Row) -> None:
    """Columns computed from others, so they do not depend on the order events arrived in."""
    index = row["stage_index"]
    row["price_status"] = (
        "approved" if index >= STAGES.index("price_approved")
        else "signed" if index >= STAGES.index("signed")
        else "quoted" if index >= STAGES.index("quoted") else "pending"
    )
    row["application_status"] = (
        "approved" if index >= STAGES.index("application_approved")
        else "opened" if index >= STAGES.index("application_opened") else None
    )
    row["status_zh"] = STATUS_ZH.get(row["status"] or "", "")
    done, promised = row["completed_at"], row["promised_at"]
    row["late"] = bool(done and promised and done > promised)
