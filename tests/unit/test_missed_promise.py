"""R-S7: production decides a missed promise from its own history; sales requests the penalty.

The decision no longer depends on how sales' consumers of production, engineering and the
timers interleave, or on whether sales was running when the promised time passed."""
from __future__ import annotations

from datetime import timedelta

from contracts.timers import TimerDue
from events import production as prod
from events import sales
from events.envelope import Role
from tests.unit.builders import ctx
from tests.unit.company import Company

GRACE = timedelta(seconds=5)  # the relay's timer grace: a timer fires this long after its time


def promised(hours: float) -> tuple[Company, prod.DeliveryPromised]:
    company = Company()
    causes = company.in_production()
    promise = company.promise(company.at(hours))
    company.report_to_sales(causes["scheduled"], causes["received"], promise)
    return company, promise


def test_a_sample_completed_by_its_promised_time_misses_nothing_even_if_sales_has_not_seen_it() -> None:
    """rule: R-S7 — only a promised time missed makes sales request a penalty.

    Sales' view still says "promised" (its production consumer lags, or it was down): that no
    longer matters, production decides from its own ordered history."""
    company, promise = promised(5)
    company.now = company.at(4)
    company.complete()
    company.now = promise.promised_at + GRACE
    assert company.deliver(company.production.on_promise_due, company.fired(promise)) == []
    assert company.sales.sample("S-1").status == "promised"  # sales never saw the completion
    assert company.of_type(company.sales, sales.PenaltyRequested) == []


def test_a_promise_missed_without_notice_is_recorded_once_and_sales_requests_one_penalty() -> None:
    """rule: R-S7 — missed without notice: the sales department requests a penalty against
    production."""
    company, promise = promised(5)
    company.now = promise.promised_at + GRACE
    [missed] = company.deliver(company.production.on_promise_due, company.fired(promise))
    assert isinstance(missed, prod.DeliveryPromiseMissed)
    assert (missed.promised_at, missed.round, missed.notice_given) == (promise.promised_at, 1, False)
    assert missed.completed_at is None and missed.causation_id == promise.event_id
    assert company.deliver(company.production.on_promise_due, company.fired(promise)) == []
    [penalty] = company.deliver(company.sales.on_promise_missed, missed)
    assert isinstance(penalty, sales.PenaltyRequested) and penalty.against == "production"
    assert (penalty.promised_at, penalty.round) == (promise.promised_at, 1)
    assert penalty.source_event_id == penalty.causation_id == missed.event_id
    assert company.deliver(company.sales.on_promise_missed, missed) == []


def test_a_completion_after_the_promised_time_is_a_miss_that_names_its_completion() -> None:
    """rule: R-S7"""
    company, promise = promised(5)
    company.now = promise.promised_at + timedelta(seconds=1)
    completed = company.complete()
    company.now = promise.promised_at + GRACE
    [missed] = company.deliver(company.production.on_promise_due, company.fired(promise))
    assert isinstance(missed, prod.DeliveryPromiseMissed)
    assert missed.completed_at == completed.timestamp


def test_a_timely_delay_notice_supersedes_the_promise_and_its_new_time_is_checked_instead() -> None:
    """rule: R-S7 — a special case told at least 4 hours before, with a new time."""
    company, promise = promised(48)  # Wednesday 17:00 in Shanghai: 16 working hours ahead
    notice = company.notify_delay(company.at(72))
    assert notice.timely
    company.now = promise.promised_at + GRACE
    assert company.deliver(company.production.on_promise_due, company.fired(promise)) == []
    company.now = company.at(60)
    company.complete()
    company.now = notice.new_promised_at + GRACE
    assert company.deliver(company.production.on_promise_due, company.fired(notice)) == []
    assert company.of_type(company.production, prod.DeliveryPromiseMissed) == []


def test_the_new_time_of_a_timely_notice_can_be_missed_in_turn() -> None:
    """rule: R-S7"""
    company, promise = promised(48)
    notice = company.notify_delay(company.at(72))
    company.now = notice.new_promised_at + GRACE
    company.deliver(company.production.on_promise_due, company.fired(promise))
    [missed] = company.deliver(company.production.on_promise_due, company.fired(notice))
    assert isinstance(missed, prod.DeliveryPromiseMissed)
    assert missed.promised_at == notice.new_promised_at and not missed.notice_given


def test_a_late_delay_notice_does_not_spare_the_penalty() -> None:
    """rule: R-S7 — the notice must come at least 4 working hours before the promised time."""
    company, promise = promised(2)  # T0 is 17:00 in Shanghai: no working hour left before it
    notice = company.notify_delay(company.at(30))
    assert not notice.timely
    company.now = company.at(20)
    company.complete()  # in time for the new promise, but the first one was missed
    [missed] = company.deliver(company.production.on_promise_due, company.fired(promise))
    assert isinstance(missed, prod.DeliveryPromiseMissed) and missed.notice_given
    assert missed.promised_at == promise.promised_at
    company.now = notice.new_promised_at + GRACE
    assert company.deliver(company.production.on_promise_due, company.fired(notice)) == []
    assert len(company.deliver(company.sales.on_promise_missed, missed)) == 1


def test_each_round_is_decided_on_that_rounds_history_whenever_its_timer_is_consumed() -> None:
    """rule: R-S7 rule: R-S6 — a new sample round after an NG trial has its own promise.

    The timers of round 1 are consumed only after round 2 started (production was down):
    the superseded round-1 promise is no miss, the missed one is, and round 2 is decided alone."""
    company = Company()
    first = company.in_production()
    superseded = company.promise(company.at(48))
    company.now = company.at(24)
    notice = company.notify_delay(company.at(60))  # timely: 8 working hours ahead
    company.now = company.at(61)
    completed = company.complete()
    company.deliver(company.engineering.on_sample_completed, completed)
    returned = company.return_sample()
    company.report_to_sales(first["scheduled"], first["received"], superseded, completed, returned)
    company.second_round()
    round_two = company.promise(company.at(100))
    company.now = company.at(101)
    assert company.deliver(company.production.on_promise_due, company.fired(superseded)) == []
    [missed_one] = company.deliver(company.production.on_promise_due, company.fired(notice))
    [missed_two] = company.deliver(company.production.on_promise_due, company.fired(round_two))
    assert isinstance(missed_one, prod.DeliveryPromiseMissed)
    assert isinstance(missed_two, prod.DeliveryPromiseMissed)
    assert (missed_one.round, missed_one.promised_at) == (1, notice.new_promised_at)
    assert missed_one.completed_at == completed.timestamp
    assert (missed_two.round, missed_two.promised_at, missed_two.completed_at) == \
        (2, round_two.promised_at, None)
    for missed in (missed_one, missed_two):  # sales, in round 2 by now, requests both
        [penalty] = company.deliver(company.sales.on_promise_missed, missed)
        assert isinstance(penalty, sales.PenaltyRequested)
        assert (penalty.round, penalty.promised_at) == (missed.round, missed.promised_at)


def test_a_timer_for_a_time_production_never_promised_decides_nothing() -> None:
    """rule: R-S7"""
    company, promise = promised(5)
    company.now = company.at(10)
    forged = company.fired(promise).model_copy(update={"due_at": company.at(6)})
    assert company.deliver(company.production.on_promise_due, forged) == []


def test_production_promises_and_delay_notices_start_one_timer_each_and_sales_none() -> None:
    """rule: R-S7 — each promised time gets its own timer, owned by production."""
    company, promise = promised(48)
    notice = company.notify_delay(company.at(72))
    [first], [second] = promise.timers(), notice.timers()
    assert first.name == second.name == prod.PROMISE_TIMER
    assert (first.due_at, second.due_at) == (company.at(48), company.at(72))
    assert first.key.startswith("S-1.1.") and first.key != second.key
    assert all(e.timers() == [] for e in company.events(company.sales))


def test_an_old_sales_promise_timer_is_decided_by_production_and_ignored_by_sales() -> None:
    """rule: R-S7 — sales' own promise timers of earlier versions may still fire, e.g. for a
    promise made just before the upgrade: production decides them like its own, once."""
    company, promise = promised(5)
    old = TimerDue(name=prod.SALES_PROMISE_TIMER,
                   key=f"S-1.1.{int(promise.promised_at.timestamp())}", due_at=promise.promised_at,
                   record_no="S-1", source_event_id=promise.event_id,
                   correlation_id=promise.correlation_id)
    company.now = company.at(6)
    assert company.deliver(company.sales.on_promise_due, old) == []
    assert company.deliver(company.sales.on_promise_due, old) == []
    [missed] = company.deliver(company.production.on_promise_due, old)
    assert isinstance(missed, prod.DeliveryPromiseMissed) and missed.promised_at == promise.promised_at
    assert company.deliver(company.production.on_promise_due, company.fired(promise)) == []


def test_a_penalty_stored_before_production_decided_is_not_requested_again() -> None:
    """rule: R-S7 — a penalty sales requested by itself (earlier versions) counts: production's
    decision on the same promise, e.g. after a stream is replayed, adds none."""
    company, promise = promised(5)
    record = company.sales.sample("S-1")
    record.trigger(sales.PenaltyRequested, ctx(Role.SYSTEM, at=company.at(5)), request_no="S-1",
                   promised_at=promise.promised_at, round=1)  # as c0b078a stored it
    company.sales.store(record)
    company.now = company.at(6)
    [missed] = company.deliver(company.production.on_promise_due, company.fired(promise))
    assert isinstance(missed, prod.DeliveryPromiseMissed)
    assert company.deliver(company.sales.on_promise_missed, missed) == []
