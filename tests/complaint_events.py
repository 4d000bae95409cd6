"""Events of complaints (R-C1 to R-C7) made straight from their classes, as the services record
them: sales' ``complaint`` record, and each department's ``complaint_desk`` record (a complaint
redirected into sales, an escalation investigated), for the Complaint Summary's tests."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from events import engineering as eng
from events import production as prod
from events import quality as qc
from events.envelope import DomainEvent, Role
from events.sales import complaint as sc
from projections import complaint_summary
from tests.projection_events import Aggregate

COMPLAINT_T0 = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Shanghai
DESK_EVENTS: dict[str, tuple[type[DomainEvent], ...]] = {
    "production": prod.COMPLAINT_EVENTS, "quality": qc.COMPLAINT_EVENTS,
    "engineering": eng.COMPLAINT_EVENTS}  # each: redirected, investigation opened, analysed


class _Reached(Exception):
    """The complaint reached the step a path was asked to stop at."""


def complaint_path(no: str, *, customer: str = "ACME", salesperson: str = "bob",
                   category: str = "burr", severity: str = "complex",
                   responsible: str | None = "quality", start: datetime = COMPLAINT_T0,
                   redirected_from: str | None = None, reopened: int = 0, visit: bool = False,
                   until: str = "closed", closed_at: datetime | None = None,
                   ) -> dict[str, list[DomainEvent]]:
    """Every event of one complaint, by department, each department's in its own order, a minute
    apart from ``start``: intake (first recorded by ``redirected_from``'s desk ten minutes before,
    with the salesperson named only at registration then), forwarding, registration, a photo, a
    call, the severity judged (``responsible`` unless minor), the form filled and signed; a minor
    complaint answered by sales, any other escalated to ``responsible`` which investigates and
    analyses, sales recording the measures and technical support replying; a visit with
    ``visit``; ``reopened`` dissatisfied follow-ups each handled again; a satisfied follow-up,
    verification, the form archived and the complaint closed at ``closed_at`` (default 30 hours
    after ``start``). Every sales entry, once the salesperson is known, is delivered to them
    (R-C5). The path stops after the first event whose step is ``until``."""
    clock = [start - timedelta(minutes=1)]  # the intake is at ``start``

    def tick() -> datetime:
        clock[0] += timedelta(minutes=1)
        return clock[0]

    sales = Aggregate("complaint", no)
    streams: dict[str, list[DomainEvent]] = {"sales": [], "production": [], "quality": [],
                                             "engineering": []}
    known: list[str] = []  # the salesperson, once sales knows them

    def record(cls: type[DomainEvent], role: Role, user: str = "tina", /, **facts: Any) -> DomainEvent:
        event = sales(cls, tick(), role, user, complaint_no=no, **facts)
        streams["sales"].append(event)
        who = getattr(event, "salesperson", None) if cls in (sc.ComplaintReceived,
                                                             sc.ComplaintRegistered) else None
        if who and not known:
            known.append(who)
        if known:
            streams["sales"].append(sales(sc.ComplaintEntryDelivered, event.timestamp, Role.SYSTEM,
                                          complaint_no=no, to=known[0], entry=cls.__name__,
                                          entry_event_id=event.event_id))
        satisfied = cls is sc.ComplaintFollowUpRecorded and facts["satisfied"]
        if (complaint_summary.STEPS.get(cls) or ("satisfied" if satisfied else None)) == until:
            raise _Reached
        return event

    desks = {"production": Role.PMC_PLANNER, "quality": Role.QUALITY_ENGINEER,
             "engineering": Role.ENGINEER}
    desk_records: dict[str, Aggregate] = {}

    def desk(kind: int, department: str, role: Role, at: datetime | None = None,
             **facts: Any) -> DomainEvent:
        aggregate = desk_records.setdefault(department,
                                            Aggregate(f"{department}_complaint_desk", no))
        event = aggregate(DESK_EVENTS[department][kind], at or clock[0], role,
                          f"{department}-desk", complaint_no=no, **facts)
        streams[department].append(event)
        return event

    try:
        source = None
        if redirected_from:
            source = desk(0, redirected_from, desks[redirected_from], start - timedelta(minutes=10),
                          channel="fax", customer=customer, summary="edges fray",
                          how="forwarded_to_technical_support")
        record(sc.ComplaintReceived, Role.SYSTEM if source else Role.SALES_ASSISTANT,
               "system" if source else "amy", channel="fax" if source else "phone",
               customer=customer, summary="edges fray",
               salesperson=None if source else salesperson,
               redirected_from=redirected_from, source_event_id=source.event_id if source else None)
        record(sc.ComplaintForwarded, Role.SALES_ASSISTANT, "amy", to="tina")
        record(sc.ComplaintRegistered, Role.TECHNICAL_SUPPORT, customer=customer,
               salesperson=salesperson, product_model="GK-7", shipping_date=date(2026, 10, 20),
               batch="B-1020", problem="edges fray", category=category, order_no=f"O-{no}")
        record(sc.ComplaintFileAttached, Role.TECHNICAL_SUPPORT, filename="edge.jpg",
               media_type="image/jpeg", sha256="a" * 64, size=2048)
        record(sc.CustomerContacted, Role.TECHNICAL_SUPPORT, note="samples of the lot on the way")
        record(sc.ComplaintSeverityJudged, Role.TECHNICAL_SUPPORT, severity=severity,
               responsible=None if severity == "minor" else responsible)
        record(sc.ComplaintFormFilled, Role.TECHNICAL_SUPPORT, form_no=f"F-{no}",
               handling="check the die")
        record(sc.ComplaintFormSigned, Role.CS_SUPERVISOR, "sue", form_no=f"F-{no}")

        def handle() -> None:
            if severity == "minor" or responsible is None:
                record(sc.ComplaintReplied, Role.SALESPERSON, salesperson, reply="credit note",
                       by="sales")
                return
            escalated = record(sc.ComplaintEscalated, Role.TECHNICAL_SUPPORT,
                               responsible=responsible,
                               purpose="data" if severity == "needs_data" else "handling",
                               form_no=f"F-{no}", customer=customer, product_model="GK-7",
                               problem="edges fray", batch="B-1020")
            desk(1, responsible, Role.SYSTEM, purpose=getattr(escalated, "purpose"),
                 form_no=f"F-{no}", customer=customer, product_model="GK-7",
                 problem="edges fray", batch="B-1020", source_event_id=escalated.event_id)
            tick()
            analysed = desk(2, responsible, desks[responsible], cause="blunt die",
                            measures="re-sharpen every 5000 hits")
            record(sc.ComplaintMeasuresRecorded, Role.SYSTEM, "system", responsible=responsible,
                   cause="blunt die", measures="re-sharpen every 5000 hits",
                   source_event_id=analysed.event_id)
            record(sc.ComplaintReplied, Role.TECHNICAL_SUPPORT, reply="die re-sharpened",
                   by="technical_support")

        handle()
        if visit:
            record(sc.ComplaintVisitScheduled, Role.TECHNICAL_SUPPORT, visit_on=date(2026, 11, 10),
                   technical_support="tina", salesperson=salesperson, quality="qiu")
            record(sc.ComplaintVisitRecorded, Role.TECHNICAL_SUPPORT, findings="worn die on line 2")
        for _ in range(reopened):
            record(sc.ComplaintFollowUpRecorded, Role.TECHNICAL_SUPPORT, satisfied=False,
                   note="still fraying", new_requirement="100% inspection")
            record(sc.ComplaintReopened, Role.TECHNICAL_SUPPORT, reason="still fraying")
            handle()
        record(sc.ComplaintFollowUpRecorded, Role.TECHNICAL_SUPPORT, satisfied=True, note="fine now")
        record(sc.SatisfactionVerified, Role.CS_SUPERVISOR, "sue")
        record(sc.ComplaintFormArchived, Role.TECHNICAL_SUPPORT, form_no=f"F-{no}")
        clock[0] = (closed_at or start + timedelta(hours=30)) - timedelta(minutes=1)
        record(sc.ComplaintClosed, Role.CS_SUPERVISOR, "sue")
    except _Reached:
        pass
    return {name: events for name, events in streams.items() if events}


def complaint_note(month: str, *texts: str) -> list[DomainEvent]:
    """Technical support's notes under the month's complaint analysis (R-C6), a minute apart."""
    notes = Aggregate("complaint_month", month)
    return [notes(sc.ComplaintMonthNoted, COMPLAINT_T0 + timedelta(minutes=n),
                  Role.TECHNICAL_SUPPORT, "tina", month=month, text=text)
            for n, text in enumerate(texts)]
