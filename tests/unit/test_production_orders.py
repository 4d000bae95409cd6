"""Production's side of a customer order: the internal order reaches PMC, PMC promises, lots are
completed and reworked after a failed inspection (R-O2, R-O4). Delays and missed promises of
orders: ``test_production_order_promises.py``."""
from __future__ import annotations

import json
import pytest

from events import production as prod
from events.envelope import Role
from services.domain import Forbidden, RuleBroken
from services.production.wiring import SPEC
from services.runtime.commands import CommandBus
from tests.unit.builders import ctx
from tests.unit.company import Company

def received(quantity: int = 5000) -> Company:
    company = Company()
    company.production_receives(quantity=quantity)
    return company


# -- R-O2: the internal order and PMC's promise ------------------------------------------------
def test_the_internal_order_reaches_pmc_with_its_lines_and_its_cause() -> None:
    """rule: R-O2 — the assistant gives the internal order to PMC; its reply clock starts."""
    company = Company()
    issued = company.internal_order_issued(quantity=3000)
    [got] = company.deliver(company.production.on_internal_order_issued, issued)
    assert isinstance(got, prod.InternalOrderReceived)
    assert (got.order_no, got.internal_order_no, got.customer) == ("O-1", "IO-1", "ACME")
    assert got.lines == issued.lines and got.requested_date == issued.requested_date
    assert got.source_event_id == got.causation_id == issued.event_id
    assert got.correlation_id == issued.correlation_id and got.actor.role == Role.SYSTEM
    assert company.production.production_order("O-1").ordered == 3000


def test_pmc_promises_the_order_once_with_its_quantity_and_a_timer_of_its_own() -> None:
    """rule: R-O2 — PMC works out the materials and replies with a delivery date."""
    company = received()
    order = company.production.production_order("O-1")
    order.promise(ctx(Role.PMC_PLANNER, at=company.now), company.at(30), None, "film in stock")
    [promised] = order.collect_events()
    assert isinstance(promised, prod.DeliveryPromised)
    assert (promised.promises, promised.order_no, promised.request_no) == ("order", "O-1", None)
    assert (promised.quantity, promised.note, promised.record_no) == (5000, "film in stock", "O-1")
    [timer] = promised.timers()
    assert (timer.name, timer.due_at) == (prod.ORDER_PROMISE_TIMER, company.at(30))
    assert timer.key == f"O-1.{int(company.at(30).timestamp())}"
    with pytest.raises(RuleBroken) as again:
        order.promise(ctx(Role.PMC_PLANNER, at=company.now), company.at(40), None, None)
    assert again.value.rule == "R-O2" and "delay notice" in again.value.en


def test_a_production_supervisor_may_promise_a_part_of_the_order() -> None:
    """rule: R-O2"""
    company = received()
    order = company.production.production_order("O-1")
    order.promise(ctx(Role.PRODUCTION_SUPERVISOR, at=company.now), company.at(30), 2000, None)
    assert order.collect_events()[0].quantity == 2000  # type: ignore[attr-defined]


def test_only_pmc_or_the_production_supervisor_promises_an_order() -> None:
    """rule: R-O2"""
    company = received()
    for role in (Role.SALES_ASSISTANT, Role.QC_INSPECTOR, Role.ENGINEER):
        with pytest.raises(Forbidden) as refused:
            company.production.production_order("O-1").promise(
                ctx(role, at=company.now), company.at(30), None, None)
        assert refused.value.rule == "R-O2"


def test_no_promise_before_the_internal_order_arrives() -> None:
    """rule: R-O2 — PMC replies to an internal order it received."""
    company = Company()
    with pytest.raises(RuleBroken) as refused:
        company.pmc_promises(company.at(30))
    assert refused.value.rule == "R-O2" and refused.value.field is None


def test_a_promise_lies_in_the_future_and_covers_at_most_the_ordered_quantity() -> None:
    """rule: R-O2"""
    company = received()
    order = company.production.production_order("O-1")
    with pytest.raises(RuleBroken) as past:
        order.promise(ctx(Role.PMC_PLANNER, at=company.now), company.now, None, None)
    assert (past.value.rule, past.value.field) == ("R-O2", "promised_at")
    with pytest.raises(RuleBroken) as more:
        order.promise(ctx(Role.PMC_PLANNER, at=company.now), company.at(30), 5001, None)
    assert (more.value.rule, more.value.field) == ("R-O2", "quantity")
    assert order.collect_events() == []


# -- R-O4: lots and rework ---------------------------------------------------------------------
def test_lots_are_completed_up_to_the_ordered_quantity() -> None:
    """rule: R-O4 — production finishes the order, in one lot or several."""
    company = received()
    first = company.lot_completed("L-1", 2000)
    assert (first.order_no, first.lot_no, first.quantity, first.attempt) == ("O-1", "L-1", 2000, 1)
    company.lot_completed("L-2", 2500)
    with pytest.raises(RuleBroken) as over:
        company.lot_completed("L-3", 501)
    assert (over.value.rule, over.value.field) == ("R-O4", "quantity")
    assert "500" in over.value.en and "500" in over.value.zh
    assert company.lot_completed("L-3", 500).quantity == 500
    with pytest.raises(RuleBroken) as nothing_left:
        company.lot_completed("L-4", 1)
    assert (nothing_left.value.rule, nothing_left.value.field) == ("R-O4", "quantity")


def test_lots_may_be_completed_before_the_promise_but_not_before_the_internal_order() -> None:
    """rule: R-O4 rule: R-O2"""
    company = Company()
    with pytest.raises(RuleBroken) as early:
        company.lot_completed()
    assert early.value.rule == "R-O4"
    company.production_receives()
    assert company.lot_completed().attempt == 1


def test_only_the_production_supervisor_reports_a_lot_completed() -> None:
    """rule: R-O4"""
    company = received()
    for role in (Role.PMC_PLANNER, Role.QC_INSPECTOR, Role.SALES_ASSISTANT):
        with pytest.raises(Forbidden) as refused:
            company.production.production_order("O-1").complete_lot(
                ctx(role, at=company.now), "L-1", 10)
        assert refused.value.rule == "R-O4"


def test_a_lot_is_completed_again_only_after_quality_failed_it() -> None:
    """rule: R-O4 — a failed lot goes back to production for rework; the next attempt goes to
    quality again."""
    company = received()
    company.lot_completed("L-1", 2000)
    with pytest.raises(RuleBroken) as again:
        company.lot_completed("L-1", 2000)
    assert (again.value.rule, again.value.field) == ("R-O4", "lot_no")
    causes = company.lot_failed_and_reworked()
    rework = causes["rework"]
    assert isinstance(rework, prod.ReworkStarted)
    assert (rework.lot_no, rework.attempt, rework.findings) == ("L-1", 1, "burr")
    assert rework.source_event_id == rework.causation_id == causes["failed"].event_id
    with pytest.raises(RuleBroken) as other_quantity:
        company.lot_completed("L-1", 1500)
    assert (other_quantity.value.rule, other_quantity.value.field) == ("R-O4", "quantity")
    second = company.lot_completed("L-1", 2000)
    assert (second.attempt, second.quantity) == (2, 2000)
    assert company.lot_completed("L-2", 3000).attempt == 1  # the rework took no quantity


def test_a_failure_of_an_attempt_already_reworked_starts_no_second_rework() -> None:
    """rule: R-O4"""
    company = received()
    company.lot_completed("L-1", 2000)
    first = company.lot_failed_and_reworked()["failed"]
    company.lot_completed("L-1", 2000)
    assert company.deliver(company.production.on_inspection_failed, first) == []
    assert len(company.of_type(company.production, prod.ReworkStarted)) == 1


# -- through production's command bus --------------------------------------------------------
@pytest.mark.parametrize("name, body, rule", [
    ("promise_order_delivery", {"promised_at": "2026-11-05T09:00:00+00:00"}, "R-O2"),
    ("complete_lot", {"lot_no": "L-1", "quantity": 10}, "R-O4"),
    ("notify_order_delay", {"kind": "delay", "reason": "x",
                            "new_promised_at": "2026-11-05T09:00:00+00:00"}, "R-S7"),
])
async def test_commands_for_an_order_production_never_received_break_the_order_of_steps(
        name: str, body: dict[str, object], rule: str) -> None:
    """rule: R-O2 rule: R-O4 rule: R-S7 — refused by the rule, not as a missing record, and
    nothing is stored."""
    company = Company()
    bus = CommandBus(company.production, SPEC.commands)
    role = "production_supervisor" if name == "complete_lot" else "pmc_planner"
    reply = await bus.handle(name, json.dumps({"actor": {"user": "pam", "role": role},
                                               "order_no": "O-9", **body}).encode())
    assert reply.error is not None and (reply.error.kind, reply.error.rule) == ("rule", rule)
    assert company.events(company.production) == []


async def test_an_over_quantity_lot_is_refused_by_the_command_bus_naming_the_field() -> None:
    """rule: R-O4"""
    company = received(quantity=100)
    bus = CommandBus(company.production, SPEC.commands)
    reply = await bus.handle("complete_lot", json.dumps({
        "actor": {"user": "pete", "role": "production_supervisor"}, "order_no": "O-1",
        "lot_no": "L-1", "quantity": 101}).encode())
    assert reply.error is not None
    assert (reply.error.kind, reply.error.rule, reply.error.field) == ("rule", "R-O4", "quantity")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply.error.message_zh)
