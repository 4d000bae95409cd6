"""The Sample Record Summary (打样记录汇总表): one row per sample, folded from every department.

Rows do not depend on how the four streams interleave. Sales' own events arrive in order, so
they set the sales status directly (quote loops included). Engineering and production events
only move the production status forward along ``(round, stage)``, and round-specific columns
are written only by events of the row's latest round. The shown status is the later of the two.
``trials`` lists every recorded trial of every round, in the order sales recorded them.
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
    "requested", "costed", "quoted", "signed", "sent", "price_rejected", "closed",
    "price_approved", "order_chasing", "round_started", "application_opened",
    "application_approved", "job_opened", "scheduled", "in_production", "promised", "completed",
    "returned", "shipped", "received", "trial_ok", "trial_ng", "ng_fix_agreed", "approval_signed",
)
# Statuses after which the order chase of a sample (R-S6) comes: it outranks them all.
STAGE_RANK = {stage: i for i, stage in enumerate(STAGES)} | {"order_chasing": len(STAGES)}
STATUS_ZH = {
    "requested": "已申请", "costed": "已核价", "quoted": "已报价", "signed": "报价已签核",
    "sent": "报价已发客户", "price_rejected": "客户拒价(已上报)", "closed": "已结案",
    "price_approved": "价格已确认", "order_chasing": "跟催订单", "round_started": "重新打样",
    "application_opened": "已开申请单", "application_approved": "申请单已审核",
    "job_opened": "工程已接单", "scheduled": "已排打样", "in_production": "生产中",
    "promised": "已承诺交期", "completed": "样品完成", "returned": "已交回业务", "shipped": "已寄样",
    "received": "客户已签收", "trial_ok": "试用OK", "trial_ng": "试用NG", "ng_fix_agreed": "NG已协商对策",
    "approval_signed": "承认书已签回",
}
# Columns of one sample round: cleared when a later round starts. (``delay_notices`` counts the
# round's notices: a stale round's notice is ignored, so a count across rounds would depend on
# how the streams interleave.)
ROUND_COLUMNS = ("application_no", "application_status", "scheduled_for", "documents_received_at", "promised_at",
                 "delay_reason", "delay_timely", "delay_notices", "completed_at", "returned_at", "shipped_method",
                 "courier", "tracking_no", "shipped_at", "received_on", "trial_due_on",
                 "trial_result", "trial_cause", "penalty_requested_at", "late")
COLUMNS: tuple[str, ...] = (
    "request_no", "purpose", "requested_at", "customer", "salesperson", "assistant", "product",
    "part_no", "materials_complete", "missing_materials", "die_difficulty", "bom_ref",
    "quotation_no", "unit_price", "currency", "price_status", "price_rejection", "escalation",
    "round", *ROUND_COLUMNS, "approval_ref", "ng_fix", "order_chase", "status",
)


def _iso(value: datetime | None) -> str | None:
    """UTC ISO text, so times compare as strings and read the same on every rebuild."""
    if value is None:
        return None
    return (value if value.utcoffset() == ZERO else value.astimezone(UTC)).isoformat()


def _requested(row: Row, e: sales.SampleRequested) -> None:
    row.update(requested_at=_iso(e.timestamp), customer=e.customer, salesperson=e.salesperson,
               assistant=e.assistant, product=e.product, part_no=e.part_no, purpose=e.purpose)
    _materials(row, e.materials)


def _materials(row: Row, materials: sales.MaterialSet) -> None:
    missing = materials.missing()
    row["materials_complete"], row["missing_materials"] = not missing, ", ".join(missing)


def _shipped(row: Row, e: sales.SampleShipped) -> None:
    row.update(shipped_method=e.method, courier=e.courier, tracking_no=e.tracking_no,
               shipped_at=_iso(e.timestamp))


def _received(row: Row, e: sales.SampleReceiptConfirmed) -> None:
    row.update(received_on=e.received_on.isoformat(),
               trial_due_on=(e.received_on + timedelta(days=3)).isoformat())


def _delay(row: Row, e: prod.DelayNotified) -> None:
    row.update(promised_at=_iso(e.new_promised_at), delay_reason=f"{e.kind}: {e.reason}",
               delay_timely=e.timely)
    row["delay_notices"] = (row["delay_notices"] or 0) + 1


def _imported(row: Row, e: sales.SampleImported) -> None:
    """A row of the old table (issue 12): its values as they were, marked with its source."""
    rank = STAGE_RANK[e.status]
    row.update(
        requested_at=_iso(e.timestamp), purpose="sample", customer=e.customer,
        salesperson=e.salesperson, assistant=e.assistant, product=e.product, part_no=e.part_no,
        die_difficulty=e.die_difficulty.value if e.die_difficulty else None,
        quotation_no=e.quotation_no, application_no=e.application_no,
        application_status=None if rank < STAGE_RANK["application_opened"] or e.status in (
            "order_chasing", "round_started") else "opened"
        if e.status == "application_opened" else "approved",
        scheduled_for=_iso(e.scheduled_for), promised_at=_iso(e.promised_at),
        completed_at=_iso(e.completed_at), shipped_method=e.shipped_method, courier=e.courier,
        tracking_no=e.tracking_no, trial_result=e.trial_result, trial_cause=e.trial_cause,
        approval_ref=e.approval_ref, imported={"file_name": e.source.file_name,
                                               "sheet": e.source.sheet, "row": e.source.row})
    if e.received_on is not None:
        row.update(received_on=e.received_on.isoformat(),
                   trial_due_on=(e.received_on + timedelta(days=3)).isoformat())
    if e.trial_result is not None:
        row["trials"].append({"round": e.round, "result": e.trial_result, "cause": e.trial_cause})


Fill = Callable[[Row, Any], None]
# Sales events (one stream, in order): stage they set, how they fill the row.
SALES: dict[type[DomainEvent], tuple[str | None, Fill]] = {
    sales.SampleRequested: ("requested", _requested),
    sales.SampleImported: (None, _imported),
    sales.SampleMaterialsUpdated: (None, lambda r, e: _materials(r, e.materials)),
    sales.SampleCosted: ("costed", lambda r, e: r.update(bom_ref=e.bom_ref,
                                                         die_difficulty=e.die_difficulty.value)),
    sales.QuotationPrepared: ("quoted", lambda r, e: r.update(
        quotation_no=e.quotation_no, unit_price=str(e.unit_price), currency=e.currency)),
    sales.QuotationSigned: ("signed", lambda r, e: None),
    sales.QuotationSent: ("sent", lambda r, e: None),
    sales.PriceApproved: ("price_approved", lambda r, e: None),
    sales.PriceRejected: ("price_rejected", lambda r, e: r.update(price_rejection=e.reason)),
    sales.PriceEscalationResolved: (None, lambda r, e: r.update(escalation=f"{e.decision}: {e.note}")),
    sales.OrderChaseStarted: ("order_chasing", lambda r, e: r.update(order_chase=_iso(e.timestamp))),
    sales.SampleApplicationOpened: ("application_opened", lambda r, e: r.update(
        application_no=e.application_no, application_status="opened")),
    sales.SampleApplicationApproved: ("application_approved",
                                      lambda r, e: r.update(application_status="approved")),
    sales.SampleShipped: ("shipped", _shipped),
    sales.SampleReceiptConfirmed: ("received", _received),
    sales.TrialRecorded: (None, lambda r, e: r.update(trial_result=e.result, trial_cause=e.cause)),
    sales.SampleApprovalSigned: ("approval_signed", lambda r, e: r.update(approval_ref=e.document_ref)),
    sales.NgFixAgreed: ("ng_fix_agreed", lambda r, e: r.update(ng_fix=e.fix)),
    sales.SampleRoundStarted: ("round_started", lambda r, e: None),
    sales.PenaltyRequested: (None, lambda r, e: r.update(penalty_requested_at=_iso(e.timestamp))),
}
# Engineering and production events (other streams): stage they prove, how they fill the row.
OPS: dict[type[DomainEvent], tuple[str | None, Fill]] = {
    eng.SamplingJobOpened: ("job_opened", lambda r, e: None),
    eng.SamplingScheduled: ("scheduled", lambda r, e: r.update(scheduled_for=_iso(e.scheduled_for))),
    prod.SampleDocumentsReceived: ("in_production",
                                   lambda r, e: r.update(documents_received_at=_iso(e.timestamp))),
    prod.DeliveryPromised: ("promised", lambda r, e: r.update(promised_at=_iso(e.promised_at))),
    prod.DelayNotified: (None, _delay),
    prod.SampleCompleted: ("completed", lambda r, e: r.update(completed_at=_iso(e.timestamp))),
    eng.SampleReturnedToSales: ("returned", lambda r, e: r.update(returned_at=_iso(e.timestamp))),
}
FOLD = SALES | OPS


def new_row(request_no: str) -> Row:
    row: Row = dict.fromkeys(COLUMNS)
    row.update(request_no=request_no, round=1, sales_key=[0, -1], ops_key=[0, -1], trials=[],
               imported=None)
    return row


def apply(row: Row, event: DomainEvent) -> bool:
    """Fold one event into its row; False when the event does not concern this table."""
    round_no = getattr(event, "round", None)
    if type(event) in SALES:
        stage, fill = SALES[type(event)]
        if isinstance(event, sales.TrialRecorded):
            # Every round's trial stays on record for the month analysis (R-S8), also once a
            # later round has cleared the round columns.
            row["trials"].append({"round": event.round, "result": event.result,
                                  "cause": event.cause})
        if isinstance(event, (sales.SampleRoundStarted, sales.SampleImported)):
            _start_round(row, event.round)
        elif round_no is not None and round_no < row["round"]:
            return True  # a stale round's detail
        fill(row, event)
        if isinstance(event, sales.TrialRecorded):
            stage = f"trial_{event.result}"
        elif isinstance(event, sales.SampleImported):
            stage = event.status
        elif isinstance(event, sales.PriceEscalationResolved) and event.decision == "close":
            stage = "closed"
        if stage is not None:
            row["sales_key"] = [row["round"], STAGE_RANK[stage]]
    elif type(event) in OPS:
        stage, fill = OPS[type(event)]
        round_no = round_no or 1
        if round_no > row["round"]:
            _start_round(row, round_no)
        if round_no < row["round"]:
            return True
        fill(row, event)
        if stage is not None:
            row["ops_key"] = max(row["ops_key"], [round_no, STAGE_RANK[stage]])
    else:
        return False
    _derive(row)
    return True


def _start_round(row: Row, round_no: int) -> None:
    if round_no > row["round"]:
        # An earlier round's production progress is forgotten with its columns: applied after
        # the new round started it is ignored as stale, so keeping it would make the row depend
        # on how the streams interleave (the shown status is the same either way).
        row.update(dict.fromkeys(ROUND_COLUMNS), round=round_no, ops_key=[0, -1])


def _derive(row: Row) -> None:
    """Columns computed from others, so they do not depend on the order events arrived in."""
    rank = max(row["sales_key"], row["ops_key"])[1]
    row["status"] = STAGES[rank] if rank < len(STAGES) else "order_chasing"
    row["status_zh"] = STATUS_ZH.get(row["status"] or "", "")
    signed = STAGE_RANK["signed"]
    row["price_status"] = (
        "approved" if rank >= STAGE_RANK["price_approved"] and row["status"] != "closed"
        else "rejected" if row["status"] in ("price_rejected", "closed")
        else "signed" if rank >= signed else "quoted" if rank >= STAGE_RANK["quoted"] else "pending")
    done, promised = row["completed_at"], row["promised_at"]
    row["late"] = bool(done and promised and done > promised)
