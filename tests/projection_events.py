"""Events of whole sample paths and customers, made by the aggregates, for projection tests.

They are applied straight to a ``Projector`` (unit tests) or published straight into the
department streams (integration tests), so the projections are tested without the services.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from eventsourcing.persistence import Tracking

from contracts.calendar import WorkingCalendar
from contracts.subjects import HEADER_TYPE, stream_name
from events.customers import ContactDepartment, CustomerContact, DocumentCategory, WindowContact
from events import engineering as eng
from events import production as prod
from events import quality as qc
from events.envelope import Actor, DomainEvent, OrderLine, Role
from events.sales import complaint as sc
from events.sales import order as so
from projections import complaint_summary
from projections.model import Item
from services.engineering.sampling_job import SamplingJob, job_id
from services.production.sample_work_order import SampleWorkOrder, work_order_id
from services.sales.customer import Customer, customer_id
from services.sales.month import SampleMonth, month_id
from tests.unit.builders import T0, ctx, sample_at

STAGES = ("scheduled", "in_production", "promised", "completed", "returned")


def sample_path(no: str, trials: Sequence[str] = ("ok",), *, delayed: bool = False,
                start: datetime = T0) -> list[DomainEvent]:
    """Every event of one sample, each department's in its own order: one round per trial
    result (an NG trial is followed by an agreed fix and a new round)."""
    def at(hours: float) -> datetime:
        return start + timedelta(hours=hours)

    record = sample_at("application_approved", request_no=no)
    job, order = SamplingJob(id=job_id(no)), SampleWorkOrder(id=work_order_id(no))
    sales = record.collect_events()
    events: list[DomainEvent] = []
    for round_no, result in enumerate(trials, start=1):
        base = 200.0 * (round_no - 1)
        job.open(ctx(Role.SYSTEM, at=at(base)), sales[-1])  # type: ignore[arg-type]
        job.schedule(ctx(Role.ENGINEER, at=at(base + 1)), at(base + 2))
        engineering = job.collect_events()
        order.receive_documents(ctx(Role.SYSTEM, at=at(base + 1)), engineering[-1])  # type: ignore[arg-type]
        order.promise(ctx(Role.PMC_PLANNER, at=at(base + 1)), at(base + 40))
        if delayed:
            order.notify_delay(ctx(Role.PMC_PLANNER, at=at(base + 2)), kind="delay",
                               reason="die re-cut", new_promised_at=at(base + 60),
                               calendar=WorkingCalendar())
        order.complete(ctx(Role.PRODUCTION_SUPERVISOR, at=at(base + 30)))
        production = order.collect_events()
        job.receive_finished(ctx(Role.SYSTEM, at=at(base + 30)), production[-1])  # type: ignore[arg-type]
        job.return_sample(ctx(Role.ENGINEER, at=at(base + 31)))
        engineering += job.collect_events()
        for hours, stage in enumerate(STAGES):
            record.record_progress(ctx(Role.SYSTEM, at=at(base + 31)), stage, at(base + hours),
                                   uuid.uuid4(), record.round)
        record.ship(ctx(Role.SALES_ASSISTANT, at=at(base + 32)), "courier", "SF", f"SF-{no}")
        record.confirm_receipt(ctx(Role.SALESPERSON, at=at(base + 50)), at(base + 50).date(),
                               at(base + 50).date())
        record.record_trial(ctx(Role.SALESPERSON, at=at(base + 120)), result,
                            "burr on the edge" if result == "ng" else None, "")
        if result == "ng" and round_no < len(trials):
            record.agree_ng_fix(ctx(Role.SALESPERSON, at=at(base + 121)), cause="burr",
                                fix="sharpen the die", departments=["production"],
                                customer_reply="new sample next week")
            record.start_new_round(ctx(Role.SALES_ASSISTANT, at=at(base + 122)))
            record.open_application(ctx(Role.SALES_ASSISTANT, at=at(base + 122)),
                                    f"A-{no}-{round_no + 1}")
            record.approve_application(ctx(Role.CS_SUPERVISOR, at=at(base + 123)))
        sales += record.collect_events()
        events += engineering + production
    return sales + events


def customer_events(no: str, documents: int = 1) -> list[DomainEvent]:
    """A customer submitted, confirmed, with one disclosure approved, its window sent, and
    ``documents`` documents on file (R-S1, R-S2)."""
    def person(name: str, role: Role | None, dept: ContactDepartment) -> WindowContact:
        return WindowContact(name=name, role=role, department=dept, duty="duties", phone="0755-1")

    customer = Customer(id=customer_id(no))
    customer.submit(ctx(Role.SALESPERSON, "bob"), customer_no=no, name=f"Customer {no}",
                    contact=CustomerContact(person="Mr. Wu", phone="021-1"))
    customer.confirm(ctx(Role.SALES_MANAGER, "max"), "amy")
    customer.approve_disclosure(ctx(Role.SALES_MANAGER, "max"), ContactDepartment.QUALITY, "Zhao")
    customer.send_window(ctx(Role.SALES_ASSISTANT, "amy"), [
        person("Mia", Role.MARKETING_MANAGER, ContactDepartment.SALES),
        person("Sue", Role.CS_SUPERVISOR, ContactDepartment.SALES),
        person("Amy", Role.SALES_ASSISTANT, ContactDepartment.SALES),
        person("Tina", Role.TECHNICAL_SUPPORT, ContactDepartment.SALES),
        person("Li", None, ContactDepartment.QUALITY)])
    for n in range(documents):
        customer.file_document(ctx(Role.SALES_ASSISTANT, "amy"), category=DocumentCategory.ENGINEERING_DRAWING,
                               title=f"Drawing {n}", filename=f"d{n}.pdf",
                               media_type="application/pdf", filed_on=date(2026, 11, 2),
                               sha256=f"{n:064x}", size=100 + n)
    return customer.collect_events()


def month_note(month: str, text: str) -> list[DomainEvent]:
    notes = SampleMonth(id=month_id(month))
    notes.note(ctx(Role.SALES_ASSISTANT, "amy"), month, text)
    return notes.collect_events()


def by_stream(events: Iterable[DomainEvent], first: int = 1) -> dict[str, list[Item]]:
    """The events as each department's stream delivers them: items with stream positions."""
    streams: dict[str, list[Item]] = {}
    for event in events:
        stream = stream_name(event.department)
        items = streams.setdefault(stream, [])
        items.append((event, Tracking(stream, first + len(items)), event.model_dump_json().encode()))
    return streams


async def publish(js: object, events: Iterable[DomainEvent], msg_id: str = "{event_id}") -> None:
    """Publish events into their department's stream as the relay does; ``msg_id`` shapes the
    dedupe id (a different one lets a duplicate through, as after the dedupe window)."""
    for event in events:
        await js.publish(event.subject(), event.model_dump_json().encode(),  # type: ignore[attr-defined]
                         headers={HEADER_TYPE: event.type_key(),
                                  "Nats-Msg-Id": msg_id.format(event_id=event.event_id)})


# --- Customer orders (R-O1 to R-O6): events made straight from their classes ------------------
# The order aggregates are built in parallel with the Order Summary, so these events are written
# as the services record them (one originator per aggregate, versions counting up).
ORDER_T0 = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Shanghai


class Aggregate:
    """Numbers the events of one aggregate as its store would."""

    def __init__(self, kind: str, no: str) -> None:
        self.id = uuid.uuid5(uuid.NAMESPACE_URL, f"salesflow:{kind}:{no}")
        self.version = 0
        self.correlation = uuid.uuid5(uuid.NAMESPACE_URL, f"salesflow:order:{no}")

    def __call__(self, cls: type[E], when: datetime, role: Role, user: str = "someone", /,
                 **facts: Any) -> E:
        self.version += 1
        return cls(originator_id=self.id, originator_version=self.version, timestamp=when,
                   event_id=uuid.uuid4(), actor=Actor(user=user, role=role),
                   correlation_id=self.correlation, **facts)


E = TypeVar("E", bound=DomainEvent)
Lot = tuple[str, int, int]  # lot no., quantity, failed inspections before it passes


def order_path(no: str, *, customer: str = "ACME", salesperson: str = "bob",
               start: datetime = ORDER_T0, lots: Sequence[Lot] = (("L1", 600, 0), ("L2", 400, 1)),
               shipments: Sequence[Sequence[str]] = (("L1",), ("L2",)), delayed: bool = False,
               missed: bool = False, exception_closed: bool = False, made: float = 20,
               ordered: int | None = None, replied: float = 2, told: float = 4,
               promised: float = 72) -> dict[str, list[DomainEvent]]:
    """Every event of one customer order, by department, each department's in its own order:
    intake, internal order, PMC's promise (a timely delay notice with ``delayed``; a missed
    promise with a penalty request with ``missed``), the customer told, process instructions
    (two revisions), materials handed over, one material-shortage exception (delivered to every
    recipient with ``exception_closed``), lots made from hour ``made`` on and inspected (each
    failing as often as asked, then passing) and one shipping note per entry of ``shipments``;
    the order is for ``ordered`` pieces (default: what the lots hold). PMC replies at hour
    ``replied`` promising hour ``promised``; the customer is told at hour ``told``."""
    def at(hours: float) -> datetime:
        return start + timedelta(hours=hours)

    sales, production = Aggregate("order", no), Aggregate("production_order", no)
    engineering = Aggregate("process_instructions", no)
    inspections = {lot: Aggregate("inspection", f"{no}.{lot}") for lot, _, _ in lots}
    ordered = ordered or sum(quantity for _, quantity, _ in lots)
    line = OrderLine(product="gasket", part_no="P-1", quantity=ordered)
    received = sales(so.OrderReceived, at(0), Role.SALESPERSON, salesperson, order_no=no,
                     po_no=f"PO-{no}", customer=customer, lines=(line,),
                     requested_date=at(240).date(), salesperson=salesperson, assistant="amy")
    s: list[DomainEvent] = [received, sales(so.OrderArchived, at(0.5), Role.SALES_ASSISTANT, "amy",
                                            order_no=no)]
    issued = sales(so.InternalOrderIssued, at(1), Role.SALES_ASSISTANT, "amy", order_no=no,
                   internal_order_no=f"I-{no}", customer=customer, lines=(line,),
                   requested_date=at(240).date())
    s.append(issued)
    p: list[DomainEvent] = [production(prod.InternalOrderReceived, at(1), Role.SYSTEM, order_no=no,
                                       internal_order_no=f"I-{no}", customer=customer, lines=(line,),
                                       requested_date=at(240).date(), source_event_id=issued.event_id)]
    promise = at(promised)
    p.append(production(prod.DeliveryPromised, at(replied), Role.PMC_PLANNER, promises="order",
                        order_no=no, promised_at=promise, quantity=ordered, note="materials ok"))
    s.append(sales(so.OrderProgressRecorded, at(replied), Role.SYSTEM, order_no=no, stage="promised",
                   at=promise, source_event_id=p[-1].event_id))
    s.append(sales(so.DeliveryDateNotified, at(told), Role.SALES_ASSISTANT, "amy", order_no=no,
                   promised_at=promise, channel="phone"))
    if delayed:
        later = promise + timedelta(hours=24)
        p.append(production(prod.DelayNotified, at(5), Role.PMC_PLANNER, promises="order",
                            order_no=no, kind="delay", reason="film late",
                            previous_promised_at=promise, new_promised_at=later,
                            working_hours_before=30.0, timely=True))
        s.append(sales(so.OrderDelayRecorded, at(5), Role.SYSTEM, order_no=no, kind="delay",
                       reason="film late", previous_promised_at=promise, new_promised_at=later,
                       timely=True, source_event_id=p[-1].event_id))
        s.append(sales(so.OrderExceptionReported, at(5), Role.SYSTEM, order_no=no,
                       exception_no=f"X-{no}-D", kind=so.ExceptionKind.DELAY,
                       description="film late", recipients=tuple(so.Recipient),
                       source_event_id=p[-1].event_id))
        promise = later
        s.append(sales(so.DeliveryDateNotified, at(6), Role.SALES_ASSISTANT, "amy", order_no=no,
                       promised_at=promise, channel="email"))
    e: list[DomainEvent] = [
        engineering(eng.ProcessInstructionsRequested, at(1), Role.SYSTEM, order_no=no,
                    internal_order_no=f"I-{no}", customer=customer, lines=(line,),
                    source_event_id=issued.event_id)]
    for revision in (1, 2):
        e.append(engineering(eng.ProcessInstructionsIssued, at(2 + revision), Role.ENGINEER,
                             order_no=no, document_no=f"WI-{no}", revision=revision,
                             filename="wi.pdf", media_type="application/pdf",
                             sha256=f"{revision:064x}", size=100))
    s.append(sales(so.CustomerMaterialsTransferred, at(6.5), Role.SALES_ASSISTANT, "amy",
                   order_no=no, items=("original sample", "liner film"), received_by="Zhou"))
    s.append(sales(so.OrderExceptionReported, at(7), Role.PMC_PLANNER, order_no=no,
                   exception_no=f"X-{no}", kind=so.ExceptionKind.MATERIAL_SHORTAGE,
                   description="adhesive short", recipients=tuple(so.Recipient)))
    for recipient in list(so.Recipient)[:None if exception_closed else 2]:
        s.append(sales(so.OrderExceptionDelivered, at(7.5), Role.SALES_ASSISTANT, "amy", order_no=no,
                       exception_no=f"X-{no}", recipient=recipient, to="someone", channel="phone"))
    q: list[DomainEvent] = []
    for n, (lot, quantity, failures) in enumerate(lots):
        for attempt in range(1, failures + 2):
            done = at(made + 10 * n + 3 * attempt)
            p.append(production(prod.LotCompleted, done, Role.PRODUCTION_SUPERVISOR, order_no=no,
                                lot_no=lot, quantity=quantity, attempt=attempt))
            inspection = inspections[lot]
            q.append(inspection(qc.InspectionRequested, done, Role.SYSTEM, order_no=no, lot_no=lot,
                                attempt=attempt, quantity=quantity, source_event_id=p[-1].event_id))
            if attempt <= failures:
                q.append(inspection(qc.InspectionFailed, done + timedelta(hours=1), Role.QC_INSPECTOR,
                                    order_no=no, lot_no=lot, attempt=attempt, quantity=quantity,
                                    findings="burr on the edge"))
                p.append(production(prod.ReworkStarted, done + timedelta(hours=1), Role.SYSTEM,
                                    order_no=no, lot_no=lot, findings="burr on the edge",
                                    attempt=attempt, source_event_id=q[-1].event_id))
            else:
                q.append(inspection(qc.InspectionPassed, done + timedelta(hours=1), Role.QC_INSPECTOR,
                                    order_no=no, lot_no=lot, attempt=attempt, quantity=quantity))
    if missed:
        p.append(production(prod.DeliveryPromiseMissed, promise, Role.SYSTEM, promises="order",
                            order_no=no, promised_at=promise, notice_given=False))
        s.append(sales(so.OrderPenaltyRequested, promise, Role.SYSTEM, order_no=no,
                       promised_at=promise, source_event_id=p[-1].event_id))
    quantities = {lot: quantity for lot, quantity, _ in lots}
    shipped = 0
    for n, on_note in enumerate(shipments, start=1):
        note, quantity = f"N-{no}-{n}", sum(quantities[lot] for lot in on_note)
        when = at(100 + 10 * n)
        s.append(sales(so.ShippingNoteIssued, when, Role.SALES_ASSISTANT, "amy", order_no=no,
                       note_no=note, lots=tuple(on_note), quantity=quantity, salesperson=salesperson))
        for copy in so.ShippingCopy:
            s.append(sales(so.ShippingNoteCopyIssued, when, Role.SALES_ASSISTANT, "amy",
                           order_no=no, note_no=note, copy_name=copy, holder=f"{copy.value} desk"))
        s.append(sales(so.ShipmentArranged, when + timedelta(hours=1), Role.SALESPERSON, salesperson,
                       order_no=no, note_no=note, method="courier", carrier="SF",
                       tracking_no=f"SF-{note}"))
        shipped += quantity
        s.append(sales(so.OrderShipped, when + timedelta(hours=2), Role.SALESPERSON, salesperson,
                       order_no=no, note_no=note, quantity=quantity, shipped_total=shipped,
                       ordered_total=ordered))
    return {"sales": s, "production": p, "quality": q, "engineering": e}


def order_note(month: str, text: str) -> list[DomainEvent]:
    """The assistant's month-end note under the Order Summary (R-O6)."""
    return [Aggregate("order_month", month)(so.OrderMonthNoted, ORDER_T0, Role.SALES_ASSISTANT, "amy",
                                            month=month, text=text)]


# --- Complaints (R-C1 to R-C7): events made straight from their classes ------------------------
# The complaint aggregates are built in parallel with the Complaint Summary, so these events are
# written as the services record them: sales' ``complaint`` record, and each department's
# ``complaint_desk`` record (a complaint redirected into sales, an escalation investigated).
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
