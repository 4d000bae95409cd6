"""Sales records what production, quality and engineering report on an order (R-O3's live status,
R-O4's lots), and production's promises on it (R-S7 for orders): once per cause event, also
after the record moved on; production's promise events of samples still reach the sample."""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from contracts.commands import orders
from events import engineering as eng
from events import production as prod
from events import quality
from events import sales
from events.envelope import DomainEvent, Role
from events.sales.order import ExceptionKind
from services.domain import NotFound, RuleBroken
from services.sales.wiring import SPEC as SALES
from tests.unit.company import Company
from tests.unit.test_reactions_idempotent import twice

# The guard test of test_reactions_idempotent.py counts these reactions as covered here.
REACTIONS_COVERED: dict[str, set[type[DomainEvent] | str]] = {
    "sales": {prod.LotCompleted, quality.InspectionPassed, quality.InspectionFailed,
              eng.ProcessInstructionsIssued},
}


def order_path() -> tuple[Company, dict[str, Any]]:
    """One order: promised, instructions issued, lot L-1 failed, reworked and passed, L-2 of
    3000 passed, a late delay notice, the first promise missed; none of it recorded by sales."""
    company = Company()
    company.order_issued()
    c: dict[str, Any] = {}
    c["promised"] = company.on_order(prod.DeliveryPromised, promises="order",
                                     promised_at=company.at(30), quantity=5000)
    c["instructions"] = company.on_order(eng.ProcessInstructionsIssued, document_no="WI-1",
                                         revision=1, filename="wi.pdf",
                                         media_type="application/pdf", sha256="a" * 64, size=9)
    c["completed"] = company.on_order(prod.LotCompleted, lot_no="L-1", quantity=2000)
    c["failed"] = company.on_order(quality.InspectionFailed, lot_no="L-1", quantity=2000,
                                   findings="burr")
    c["reworked"] = company.on_order(prod.LotCompleted, lot_no="L-1", quantity=2000, attempt=2)
    c["passed"] = company.on_order(quality.InspectionPassed, lot_no="L-1", quantity=2000,
                                   attempt=2)
    c["delayed"] = company.on_order(
        prod.DelayNotified, promises="order", kind="delay", reason="film late",
        previous_promised_at=company.at(30), new_promised_at=company.at(50),
        working_hours_before=2.0, timely=False)
    c["missed"] = company.on_order(prod.DeliveryPromiseMissed, promises="order",
                                   promised_at=company.at(30), notice_given=True)
    return company, c


def ship_everything(company: Company, c: dict[str, Any]) -> None:
    """The record moves on: every lot reported, L-1 and L-2 noted and shipped."""
    done = {e.source_event_id for e in company.of_type(company.sales, sales.OrderProgressRecorded)}
    company.report_on_order(*(e for e in (c["promised"], c["instructions"], c["completed"],
                                          c["failed"], c["reworked"], c["passed"])
                              if e.event_id not in done))
    company.report_on_order(company.on_order(prod.LotCompleted, lot_no="L-2", quantity=3000),
                            company.on_order(quality.InspectionPassed, lot_no="L-2",
                                             quantity=3000))
    company.order_command(orders.IssueShippingNote, order_no="O-1", note_no="N-1",
                          lots=["L-1", "L-2"])
    company.order_command(orders.ArrangeShipment, Role.SALESPERSON, order_no="O-1",
                          note_no="N-1", method="courier", carrier="SF")
    company.order_command(orders.ConfirmShipment, Role.SALESPERSON, order_no="O-1", note_no="N-1")


def company_reaction(cause: DomainEvent) -> str:
    """The name of the sales reaction wired for ``cause``'s type."""
    return SALES.reactions[type(cause)].__name__


# A cause in ``order_path`` -> (stage, lot) sales records for it.
REPORTS = {"promised": ("promised", None), "instructions": ("instructions_issued", None),
           "completed": ("lot_completed", "L-1"), "failed": ("lot_failed", "L-1"),
           "passed": ("lot_passed", "L-1")}


@pytest.mark.parametrize("name", REPORTS)
def test_sales_records_each_report_on_an_order_once(name: str) -> None:
    """rule: R-O3 — the assistant follows the order's status; R-O4 — lots and inspections."""
    company, c = order_path()
    reaction = getattr(company.sales, company_reaction(c[name]))
    twice(company, reaction, c[name], lambda: ship_everything(company, c))
    [recorded] = [e for e in company.of_type(company.sales, sales.OrderProgressRecorded)
                  if e.source_event_id == c[name].event_id]
    stage, lot_no = REPORTS[name]
    assert (recorded.stage, recorded.lot_no) == (stage, lot_no)
    if name == "promised":
        assert (recorded.at, recorded.quantity) == (company.at(30), 5000)


def test_sales_records_each_order_delay_notice_once_as_a_delay_exception() -> None:
    """rule: R-S7 — the assistant learns of the delay, to tell the customer; R-O3 — and it is
    an exception for the customer, the salesperson and the CS supervisor."""
    company, c = order_path()
    company.report_on_order(c["promised"])
    twice(company, company.sales.on_delay_notified, c["delayed"],
          lambda: ship_everything(company, c))
    [delay] = company.of_type(company.sales, sales.OrderDelayRecorded)
    assert (delay.new_promised_at, delay.timely) == (company.at(50), False)
    [exception] = company.of_type(company.sales, sales.OrderExceptionReported)
    assert (exception.kind, exception.source_event_id) == (ExceptionKind.DELAY,
                                                           c["delayed"].event_id)
    assert exception.exception_no == "DELAY-1" and "film late" in exception.description
    assert company.sales.order("O-1").promised_at == company.at(50)


def test_sales_requests_one_penalty_per_missed_order_promise() -> None:
    """rule: R-S7 — an order promise missed without timely notice: one penalty request."""
    company, c = order_path()
    company.report_on_order(c["promised"], c["delayed"])
    twice(company, company.sales.on_promise_missed, c["missed"],
          lambda: ship_everything(company, c))
    again = c["missed"].model_copy(update={"event_id": uuid.uuid4()})  # same promise, new event
    assert company.deliver(company.sales.on_promise_missed, again) == []
    [penalty] = company.of_type(company.sales, sales.OrderPenaltyRequested)
    assert (penalty.promised_at, penalty.source_event_id) == (company.at(30),
                                                              c["missed"].event_id)


def test_each_delay_is_its_own_exception_numbered_after_those_already_reported() -> None:
    """rule: R-O3 — an exception is reported once; a delay never reuses a number."""
    company, c = order_path()
    company.order_command(orders.ReportOrderException, Role.PMC_PLANNER, order_no="O-1",
                          exception_no="DELAY-2", kind="delay", description="told by phone")
    company.report_on_order(c["delayed"])
    later = company.on_order(prod.DelayNotified, promises="order", kind="quality",
                             reason="rework", previous_promised_at=company.at(50),
                             new_promised_at=company.at(70), working_hours_before=9.0,
                             timely=True)
    company.report_on_order(later)
    numbers = [e.exception_no for e in company.of_type(company.sales, sales.OrderExceptionReported)]
    assert numbers == ["DELAY-2", "DELAY-1", "DELAY-3"]


def test_promises_of_samples_and_of_orders_each_reach_their_own_record() -> None:
    """rule: R-S7 — one promise event type for both; ``promises`` says which record."""
    company, c = order_path()
    company.in_production("S-1")
    sample_promise = company.promise(company.at(2))
    company.report_to_sales(sample_promise, c["promised"])
    sample = company.of_type(company.sales, sales.SampleProgressRecorded)[-1]
    assert sample.source_event_id == sample_promise.event_id and sample.stage == "promised"
    [order] = company.of_type(company.sales, sales.OrderProgressRecorded)
    assert order.source_event_id == c["promised"].event_id
    assert company.sales.sample("S-1").promised_at == company.at(2)
    assert company.sales.order("O-1").promised_at == company.at(30)


@pytest.mark.parametrize("name", ["promised", "completed", "passed", "delayed", "missed"])
def test_a_report_on_an_order_sales_does_not_know_is_not_found_and_stores_nothing(
        name: str) -> None:
    """rule: R-O3 — as for samples, the consumer dead-letters an event it cannot apply."""
    company, c = order_path()
    stray = c[name].model_copy(update={"order_no": "O-404"})
    reaction = getattr(company.sales, company_reaction(stray))
    before = len(company.events(company.sales))
    with pytest.raises(NotFound) as refused:
        reaction(stray, Tracking("SALESFLOW_PRODUCTION", 99))
    assert refused.value.field == "order_no" and "O-404" in refused.value.en
    assert len(company.events(company.sales)) == before


def test_a_shipping_note_follows_the_pass_quality_reported() -> None:
    """rule: R-O4 — production completion, inspection passed, then the shipping note."""
    company, c = order_path()
    company.report_on_order(c["completed"], c["failed"], c["reworked"])
    with pytest.raises(RuleBroken) as refused:
        company.order_command(orders.IssueShippingNote, order_no="O-1", note_no="N-1",
                              lots=["L-1"])
    assert (refused.value.rule, refused.value.field) == ("R-O4", "lots")
    company.now += timedelta(hours=1)
    company.report_on_order(c["passed"])
    company.order_command(orders.IssueShippingNote, order_no="O-1", note_no="N-1", lots=["L-1"])
    [note] = company.of_type(company.sales, sales.ShippingNoteIssued)
    assert (note.lots, note.quantity) == (("L-1",), 2000)
