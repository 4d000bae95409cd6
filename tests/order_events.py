"""Events of customer orders (R-O1 to R-O6) made straight from their classes, as the services
record them, for the Order Summary's tests."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from events import engineering as eng
from events import production as prod
from events import quality as qc
from events.envelope import DomainEvent, OrderLine, Role
from events.sales import order as so
from tests.projection_events import Aggregate

ORDER_T0 = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)  # Tuesday 09:00 in Shanghai
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
