"""Production's side of a customer order: the internal order reaches PMC, PMC promises, lots are
completed and reworked after a failed inspection (R-O2, R-O4), promises are delayed or missed
as for samples (R-S7)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from events import production as prod
from events.envelope import Role
from services.domain import Forbidden, RuleBroken
from services.production.wiring import SPEC
from services.runtime.commands import CommandBus
from tests.unit.builders import ctx
from tests.unit.company import Company

GRACE = timedelta(seconds=5)  # the relay's timer grace: a timer fires this long after its time


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


# -- R-S7 for orders: delay notices ------------------------------------------------------------
def test_a_delay_notice_of_an_order_says_whether_it_came_in_time() -> None:
    """rule: R-S7 — told at least 4 working hours before the promised time, with a new one."""
    company = received()
    company.pmc_promises(company.at(48))  # Wednesday 17:00 in Shanghai: 16 working hours ahead
    notice = company.pmc_delays(company.at(72))
    assert (notice.promises, notice.order_no, notice.timely) == ("order", "O-1", True)
    assert (notice.previous_promised_at, notice.new_promised_at) == (company.at(48), company.at(72))
    assert notice.working_hours_before == 16.0
    [timer] = notice.timers()
    assert (timer.name, timer.due_at) == (prod.ORDER_PROMISE_TIMER, company.at(72))
    company.now = company.at(71)
    assert not company.pmc_delays(company.at(96)).timely


def test_only_pmc_or_the_production_supervisor_gives_a_delay_notice() -> None:
    """rule: R-S7"""
    company = received()
    company.pmc_promises(company.at(48))
    with pytest.raises(Forbidden) as refused:
        company.production.production_order("O-1").notify_delay(
            ctx(Role.SALES_ASSISTANT, at=company.now), kind="delay", reason="x",
            new_promised_at=company.at(72), calendar=company.production.calendar)
    assert refused.value.rule == "R-S7"


def test_no_delay_notice_before_a_promise_or_to_a_past_time() -> None:
    """rule: R-S7 — a delay changes a promised time."""
    company = received()
    with pytest.raises(RuleBroken) as early:
        company.pmc_delays(company.at(72))
    assert early.value.rule == "R-S7"
    company.pmc_promises(company.at(48))
    with pytest.raises(RuleBroken) as past:
        company.pmc_delays(company.now)
    assert (past.value.rule, past.value.field) == ("R-S7", "new_promised_at")


def test_an_order_made_in_full_is_not_delayed_unless_a_lot_is_back_for_rework() -> None:
    """rule: R-S7 rule: R-O4 — a failed lot is a quality problem production tells the assistant."""
    company = received()
    company.pmc_promises(company.at(48))
    company.lot_completed("L-1", 5000)
    with pytest.raises(RuleBroken) as done:
        company.pmc_delays(company.at(72))
    assert done.value.rule == "R-S7" and "made in full" in done.value.en
    company.lot_failed_and_reworked()
    assert company.pmc_delays(company.at(72)).timely


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


# -- R-S7 for orders: the promise's timer -------------------------------------------------------
def due(company: Company, promise: prod.DeliveryPromised | prod.DelayNotified,
        ) -> list[prod.DeliveryPromiseMissed]:
    events = company.deliver(company.production.on_order_promise_due, company.fired(promise))
    assert all(isinstance(e, prod.DeliveryPromiseMissed) for e in events)
    return events  # type: ignore[return-value]


def test_an_order_not_made_in_full_by_its_promised_time_is_a_missed_promise_once() -> None:
    """rule: R-S7 — missed without notice: sales will request a penalty against production."""
    company = received()
    promise = company.pmc_promises(company.at(30))
    company.lot_completed("L-1", 4000)
    company.now = promise.promised_at + GRACE
    [missed] = due(company, promise)
    assert (missed.promises, missed.order_no, missed.request_no) == ("order", "O-1", None)
    assert (missed.promised_at, missed.notice_given, missed.completed_at) == \
        (promise.promised_at, False, None)
    assert missed.causation_id == promise.event_id and missed.record_no == "O-1"
    assert due(company, promise) == []


def test_an_order_made_in_full_by_its_promised_time_misses_nothing_even_if_a_lot_failed() -> None:
    """rule: R-S7 rule: R-O4 — the first completion keeps the promise; rework is quality's
    matter, told by a delay notice if it moves the date."""
    company = received()
    promise = company.pmc_promises(company.at(30))
    company.lot_completed("L-1", 2000)
    company.lot_completed("L-2", 3000)
    company.lot_failed_and_reworked("L-2")
    company.now = promise.promised_at + GRACE
    assert due(company, promise) == []


def test_a_partial_promise_is_kept_by_making_its_quantity() -> None:
    """rule: R-S7 rule: R-O2"""
    company = received()
    promise = company.pmc_promises(company.at(30), quantity=2000)
    company.lot_completed("L-1", 2000)
    company.now = promise.promised_at + GRACE
    assert due(company, promise) == []


def test_an_order_finished_after_its_promised_time_is_a_miss_that_names_when() -> None:
    """rule: R-S7"""
    company = received()
    promise = company.pmc_promises(company.at(30))
    company.now = promise.promised_at + timedelta(seconds=1)
    last = company.lot_completed("L-1", 5000)
    company.now = promise.promised_at + GRACE
    [missed] = due(company, promise)
    assert missed.completed_at == last.timestamp


def test_a_timely_delay_notice_supersedes_the_order_promise_and_its_new_time_is_checked() -> None:
    """rule: R-S7 — a special case told at least 4 working hours before, with a new time."""
    company = received()
    promise = company.pmc_promises(company.at(48))
    notice = company.pmc_delays(company.at(72))
    company.now = promise.promised_at + GRACE
    assert due(company, promise) == []
    company.lot_completed("L-1", 5000)
    company.now = notice.new_promised_at + GRACE
    assert due(company, notice) == []
    assert company.of_type(company.production, prod.DeliveryPromiseMissed) == []


def test_the_new_time_of_a_timely_order_notice_can_be_missed_in_turn() -> None:
    """rule: R-S7"""
    company = received()
    promise = company.pmc_promises(company.at(48))
    notice = company.pmc_delays(company.at(72))
    company.now = notice.new_promised_at + GRACE
    assert due(company, promise) == []
    [missed] = due(company, notice)
    assert missed.promised_at == notice.new_promised_at and not missed.notice_given


def test_a_late_delay_notice_of_an_order_does_not_spare_the_penalty() -> None:
    """rule: R-S7 — the notice must come at least 4 working hours before the promised time."""
    company = received()
    promise = company.pmc_promises(company.at(2))  # 17:00 in Shanghai: no working hour left
    notice = company.pmc_delays(company.at(30))
    assert not notice.timely
    company.now = company.at(20)
    company.lot_completed("L-1", 5000)  # in time for the new promise, too late for the first
    [missed] = due(company, promise)
    assert missed.notice_given and missed.promised_at == promise.promised_at
    company.now = notice.new_promised_at + GRACE
    assert due(company, notice) == []


def test_an_order_timer_for_a_time_production_never_promised_decides_nothing() -> None:
    """rule: R-S7"""
    company = received()
    promise = company.pmc_promises(company.at(5))
    company.now = company.at(10)
    forged = company.fired(promise).model_copy(update={"due_at": company.at(6)})
    assert company.deliver(company.production.on_order_promise_due, forged) == []


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
