"""R-S7 for customer orders: PMC's delay notices and the decision of a missed order promise,
with the same history and 4-hour test as samples (``services.production.promises``)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from events import production as prod
from events.envelope import Role
from services.domain import Forbidden, RuleBroken
from tests.unit.builders import ctx
from tests.unit.company import Company
from tests.unit.test_production_orders import received

GRACE = timedelta(seconds=5)  # the relay's timer grace: a timer fires this long after its time


# -- delay notices ------------------------------------------------------------
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


# -- the promise's timer -------------------------------------------------------
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
