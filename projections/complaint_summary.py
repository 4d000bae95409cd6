"""The Complaint Summary (客诉投诉汇总表): one row per complaint, folded from sales and from the
complaint desks of production, quality and engineering (R-C2, R-C3, R-C5).

Rows do not depend on how the four streams interleave. Sales' events arrive in order on one
stream and tell the complaint's story (intake, registration, judgement, form, escalation, the
measures sales recorded, replies, follow-ups, reopenings, verification, closing): the handling
``step`` is the step of sales' latest event that moves it. A department's own events (the
complaint redirected into sales, its investigations opened, its analyses) are kept in that
department's entry of ``departments``, in its stream's order, and never write a sales column.
Where both tell the same fact (the department a complaint came from, its customer before sales
took it in) the sales fact wins and the department's only fills the gap: computed again after
every event, so the answer is the same whichever arrived first. ``received_at`` is sales' alone:
a complaint belongs to the month sales took it in (``ComplaintReceived`` opens the row).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from events import complaint_desk as desk
from events import engineering as eng
from events import production as prod
from events import quality as qc
from events.envelope import DomainEvent
from events.sales import complaint as sc
from projections.sample_summary import _iso  # one time format for every summary table

Row = dict[str, Any]

# The handling steps in the order a complaint lives through them (reopened: back to handling),
# and ``redirected``: a department recorded the complaint, sales has not taken it in yet.
STATUS_ZH: dict[str, str] = {
    "redirected": "他部门转来待接收", "received": "已接收", "forwarded": "已转技术支持",
    "registered": "已登记", "judged": "已判定严重度", "form_filled": "已填处理单",
    "form_signed": "处理单已签核", "escalated": "已转责任部门", "measures_recorded": "已录改善对策",
    "replied": "已回复客户", "reopened": "重新处理", "satisfied": "客户满意",
    "verified": "满意度已确认", "closed": "已结案",
}
COLUMNS: tuple[str, ...] = (
    "complaint_no", "channel", "received_by", "received_at", "summary", "redirected_from",
    "customer", "salesperson", "forwarded_to", "forwarded_at", "registered_at", "product_model",
    "shipping_date", "batch", "problem", "category", "order_no", "shipping_note_no", "files",
    "contacts", "severity", "responsible", "judged_at", "form_no", "form_handling", "form_status",
    "form_filled_at", "form_signed_at", "form_signed_by", "form_archived_at", "escalated_at",
    "escalation_purpose", "escalations", "departments", "investigation_opened_at", "analysed_at",
    "measures", "measures_text", "replies", "replied_at", "follow_ups", "satisfied",
    "new_requirement", "reopen_count", "verified_at", "verified_by", "closed_at", "visit_on",
    "visit_people", "visit_findings", "visit_recorded_at", "entries_delivered", "delivered_to",
    "last_delivered_at", "step", "status", "status_zh", "imported", "imported_form",
)
# The step each sales event moves the handling to; other sales events leave it where it is.
STEPS: dict[type[DomainEvent], str] = {
    sc.ComplaintReceived: "received", sc.ComplaintForwarded: "forwarded",
    sc.ComplaintRegistered: "registered", sc.ComplaintSeverityJudged: "judged",
    sc.ComplaintFormFilled: "form_filled", sc.ComplaintFormSigned: "form_signed",
    sc.ComplaintEscalated: "escalated", sc.ComplaintMeasuresRecorded: "measures_recorded",
    sc.ComplaintReplied: "replied", sc.ComplaintReopened: "reopened",
    sc.SatisfactionVerified: "verified", sc.ComplaintClosed: "closed",
}


def _received(row: Row, e: sc.ComplaintReceived) -> None:
    if row["received_at"] is not None:  # sales takes a complaint in once; its first word stands
        return
    row.update(channel=e.channel, received_by=e.actor.user, received_at=_iso(e.timestamp),
               summary=e.summary, customer=e.customer, salesperson=e.salesperson,
               redirected_from=e.redirected_from.value if e.redirected_from else None)


def _registered(row: Row, e: sc.ComplaintRegistered) -> None:
    row.update(registered_at=_iso(e.timestamp), customer=e.customer, salesperson=e.salesperson,
               product_model=e.product_model, batch=e.batch, problem=e.problem,
               shipping_date=e.shipping_date.isoformat() if e.shipping_date else None,
               category=e.category, order_no=e.order_no, shipping_note_no=e.shipping_note_no)


def _imported(row: Row, e: sc.ComplaintImported) -> None:
    """A row of the old Complaint Summary (issue 12): its values as they were, marked imported
    with the file, sheet and row and who imported it. Times the old table did not keep (when
    the form was filled or signed, when satisfaction was verified) stay empty; a closed one
    counts as verified when it was closed."""
    closed = _iso(e.closed_at) if e.closed_at else None
    row.update(channel=e.channel, received_by=e.received_by, received_at=_iso(e.timestamp),
               summary=e.problem, customer=e.customer, salesperson=e.salesperson,
               product_model=e.product_model, batch=e.batch, problem=e.problem,
               shipping_date=e.shipping_date.isoformat() if e.shipping_date else None,
               category=e.category, order_no=e.order_no, form_no=e.form_no,
               severity=e.severity.value if e.severity else None,
               responsible=e.responsible.value if e.responsible else None,
               form_signed_by=e.form_signed_by, satisfied=e.satisfied,
               new_requirement=e.new_requirement, closed_at=closed,
               verified_at=closed if e.stage == "closed" else None, step=e.stage,
               imported={"by": e.actor.user, "at": _iso(e.recorded),
                         **e.source.model_dump(mode="json")},
               imported_form=("filled" if e.stage == "form_filled" else "signed"
                              if e.form_no and e.stage in IMPORTED_SIGNED else None))
    if e.measures:
        row["measures"].append({"responsible": row["responsible"], "cause": None,
                                "measures": e.measures, "at": None})
    if e.reply or e.replied_at:
        row["replies"].append({"by": None, "reply": e.reply, "user": None,
                               "at": _iso(e.replied_at) if e.replied_at else None})


# The imported stages whose Complaint Handling Form was signed (R-C2).
IMPORTED_SIGNED = frozenset({"form_signed", "escalated", "measures_recorded", "replied",
                             "reopened", "satisfied", "verified", "closed"})


def _judged(row: Row, e: sc.ComplaintSeverityJudged) -> None:
    row.update(severity=e.severity.value, judged_at=_iso(e.timestamp),
               responsible=e.responsible.value if e.responsible else None)


def _escalated(row: Row, e: sc.ComplaintEscalated) -> None:
    row.update(escalated_at=_iso(e.timestamp), escalation_purpose=e.purpose,
               responsible=e.responsible.value, escalations=row["escalations"] + 1)


def _follow_up(row: Row, e: sc.ComplaintFollowUpRecorded) -> None:
    row["follow_ups"].append({"at": _iso(e.timestamp), "by": e.actor.user, "satisfied": e.satisfied,
                              "note": e.note, "new_requirement": e.new_requirement})
    row["satisfied"] = e.satisfied
    if e.new_requirement:
        row["new_requirement"] = e.new_requirement
    # A dissatisfied customer's ComplaintReopened follows and moves the step; a satisfied word
    # after the CS supervisor's verification (continuous follow-up, R-C7) does not undo it.
    if e.satisfied and row["step"] not in ("verified", "closed"):
        row["step"] = "satisfied"


def _delivered(row: Row, e: sc.ComplaintEntryDelivered) -> None:
    row.update(entries_delivered=row["entries_delivered"] + 1, delivered_to=e.to,
               last_delivered_at=_iso(e.timestamp))


def _desk(row: Row, e: desk.DeskEvent) -> dict[str, Any]:
    entry: dict[str, Any] = row["departments"].setdefault(e.department.value, {
        "redirected": None, "investigations": [], "analyses": []})
    return entry


def _redirected(row: Row, e: desk.Redirected) -> None:
    _desk(row, e)["redirected"] = {"at": _iso(e.timestamp), "by": e.actor.user, "how": e.how,
                                   "channel": e.channel, "customer": e.customer,
                                   "summary": e.summary}


def _investigation(row: Row, e: desk.InvestigationOpened) -> None:
    _desk(row, e)["investigations"].append({"at": _iso(e.timestamp), "purpose": e.purpose,
                                            "form_no": e.form_no})


def _analysed(row: Row, e: desk.Analysed) -> None:
    _desk(row, e)["analyses"].append({"at": _iso(e.timestamp), "by": e.actor.user,
                                      "cause": e.cause, "measures": e.measures})


Fill = Callable[[Row, Any], None]
SALES: dict[type[DomainEvent], Fill] = {
    sc.ComplaintReceived: _received,
    sc.ComplaintImported: _imported,
    sc.ComplaintForwarded: lambda r, e: r.update(forwarded_to=e.to, forwarded_at=_iso(e.timestamp)),
    sc.ComplaintRegistered: _registered,
    sc.ComplaintFileAttached: lambda r, e: r["files"].append(
        {"filename": e.filename, "media_type": e.media_type, "sha256": e.sha256, "size": e.size,
         "at": _iso(e.timestamp)}),
    sc.CustomerContacted: lambda r, e: r.update(contacts=r["contacts"] + 1),
    sc.ComplaintSeverityJudged: _judged,
    sc.ComplaintFormFilled: lambda r, e: r.update(form_no=e.form_no, form_handling=e.handling,
                                                  form_filled_at=_iso(e.timestamp)),
    sc.ComplaintFormSigned: lambda r, e: r.update(form_signed_at=_iso(e.timestamp),
                                                  form_signed_by=e.actor.user),
    sc.ComplaintEscalated: _escalated,
    sc.ComplaintMeasuresRecorded: lambda r, e: r["measures"].append(
        {"responsible": e.responsible.value, "cause": e.cause, "measures": e.measures,
         "at": _iso(e.timestamp)}),
    sc.ComplaintReplied: lambda r, e: r["replies"].append(
        {"by": e.by, "reply": e.reply, "at": _iso(e.timestamp), "user": e.actor.user}),
    sc.ComplaintFollowUpRecorded: _follow_up,
    sc.ComplaintReopened: lambda r, e: r.update(reopen_count=r["reopen_count"] + 1),
    sc.SatisfactionVerified: lambda r, e: r.update(verified_at=_iso(e.timestamp),
                                                   verified_by=e.actor.user),
    sc.ComplaintClosed: lambda r, e: r.update(closed_at=_iso(e.timestamp)),
    sc.ComplaintVisitScheduled: lambda r, e: r.update(
        visit_on=e.visit_on.isoformat(), visit_people={
            "technical_support": e.technical_support, "salesperson": e.salesperson,
            "quality": e.quality}),
    sc.ComplaintVisitRecorded: lambda r, e: r.update(visit_findings=e.findings,
                                                     visit_recorded_at=_iso(e.timestamp)),
    sc.ComplaintFormArchived: lambda r, e: r.update(form_archived_at=_iso(e.timestamp)),
    sc.ComplaintEntryDelivered: _delivered,
}
DESKS: dict[type[DomainEvent], Fill] = {
    cls: fill for module in (prod, qc, eng) for cls in module.COMPLAINT_EVENTS
    for base, fill in ((desk.Redirected, _redirected), (desk.InvestigationOpened, _investigation),
                       (desk.Analysed, _analysed)) if issubclass(cls, base)
}
FOLD: dict[type[DomainEvent], Fill] = {**SALES, **DESKS}


def concerns(event: DomainEvent) -> bool:
    """Whether ``event`` belongs in the Complaint Summary (the month's notes do not)."""
    return type(event) in FOLD and bool(event.record_no)


def new_row(complaint_no: str) -> Row:
    row: Row = dict.fromkeys(COLUMNS)
    row.update(complaint_no=complaint_no, files=[], contacts=0, escalations=0, departments={},
               measures=[], replies=[], follow_ups=[], reopen_count=0, entries_delivered=0)
    _derive(row)
    return row


def apply(row: Row, event: DomainEvent) -> bool:
    """Fold one event into its row; False when the event does not concern this table."""
    if not concerns(event):
        return False
    FOLD[type(event)](row, event)
    step = STEPS.get(type(event))
    if step is not None:
        row["step"] = step
    _derive(row)
    return True


def _latest(times: list[str]) -> str | None:
    return max(times, key=datetime.fromisoformat) if times else None


def _derive(row: Row) -> None:
    """Columns that combine sales' facts with the departments', whatever order they came in."""
    row["departments"] = dict(sorted(row["departments"].items()))
    desks = row["departments"]
    redirects = [(name, d["redirected"]) for name, d in desks.items() if d["redirected"]]
    if redirects and row["received_at"] is None:  # the department's word, until sales takes it in
        first = redirects[0][1]
        row.update(channel=first["channel"], summary=first["summary"], customer=first["customer"])
    if redirects and row["redirected_from"] is None:
        row["redirected_from"] = redirects[0][0]
    row["investigation_opened_at"] = _latest([i["at"] for d in desks.values()
                                              for i in d["investigations"]])
    row["analysed_at"] = _latest([a["at"] for d in desks.values() for a in d["analyses"]])
    row["measures_text"] = row["measures"][-1]["measures"] if row["measures"] else None
    row["replied_at"] = row["replies"][-1]["at"] if row["replies"] else None
    row["form_status"] = ("archived" if row["form_archived_at"] else "signed"
                          if row["form_signed_at"] else "filled" if row["form_filled_at"]
                          else row["imported_form"])
    row["status"] = row["step"] or ("redirected" if redirects else None)
    row["status_zh"] = STATUS_ZH.get(row["status"] or "", "")
