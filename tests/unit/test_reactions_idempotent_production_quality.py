"""The reactions of production and quality to customer orders are idempotent by the cause's
event id (see ``test_reactions_idempotent.py``, whose guard test reads ``REACTIONS_COVERED`` here)."""
from __future__ import annotations

from events import production as prod
from events import quality as qual
from events import sales
from events.envelope import DomainEvent
from tests.unit.company import Company
from tests.unit.test_reactions_idempotent import twice

REACTIONS_COVERED: dict[str, set[type[DomainEvent] | str]] = {
    "production": {sales.InternalOrderIssued, qual.InspectionFailed, prod.ORDER_PROMISE_TIMER},
    "quality": {prod.LotCompleted},
}


def test_production_receives_each_internal_order_once() -> None:
    """rule: R-O2 — the internal order reaches PMC, once."""
    company = Company()
    issued = company.internal_order_issued()
    twice(company, company.production.on_internal_order_issued, issued,
          lambda: company.pmc_promises(company.at(30)))
    assert len(company.of_type(company.production, prod.InternalOrderReceived)) == 1


def test_production_starts_one_rework_per_failed_inspection() -> None:
    """rule: R-O4 — a failed lot goes back to production for rework, once."""
    company = Company()
    company.production_receives()
    completed = company.lot_completed()
    company.deliver(company.quality.on_lot_completed, completed)
    failed = company.lot_inspected("fail")
    twice(company, company.production.on_inspection_failed, failed,
          lambda: company.lot_completed())
    assert len(company.of_type(company.production, prod.ReworkStarted)) == 1


def test_production_decides_each_order_promise_timer_once() -> None:
    """rule: R-S7 — an order's missed promise is recorded once."""
    company = Company()
    company.production_receives()
    promised = company.pmc_promises(company.at(2))
    company.now = company.at(3)
    twice(company, company.production.on_order_promise_due, company.fired(promised),
          lambda: company.lot_completed())
    assert len(company.of_type(company.production, prod.DeliveryPromiseMissed)) == 1


def test_quality_requests_one_inspection_per_completed_attempt() -> None:
    """rule: R-O4 — production's completion goes to quality, once per attempt."""
    company = Company()
    company.production_receives()
    completed = company.lot_completed()
    twice(company, company.quality.on_lot_completed, completed,
          lambda: company.lot_inspected("pass"))
    assert len(company.of_type(company.quality, qual.InspectionRequested)) == 1
