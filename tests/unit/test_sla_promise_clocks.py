"""The clocks of a delivery promise (R-S7, R-O4), of samples and orders alike: the notice due 4
working hours ahead of each promised time, delivery by the latest promise; and the penalty of a
missed promise. The calendar of tests.sla_events (Monday to Saturday, 08:00-12:00 and 13:00-17:00,
Shanghai; 2 November 2026 is a Monday)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from events import production as prod
from events import sales
from events.envelope import DomainEvent
from projections.sla.engine import ClockState
from tests.sla_events import (
    CALENDAR,
    completed,
    delay,
    local,
    promised,
    run,
    runs,
    shipped,
)
from tests.unit.company import Company

S = ClockState
HOLIDAY_MONDAY = replace(CALENDAR, extra_holidays=frozenset({date(2026, 11, 9)}))


# -- SLA-DELAY-NOTICE (R-S7) --------------------------------------------------------------------

FIRST = local(4, 12)  # Wednesday 12:00: a delay is told by Wednesday 08:00
SECOND = local(6, 17)


@pytest.mark.parametrize(("order", "stop", "now", "state"), [
    (False, "notice", local(3, 10), S.MET),
    (True, "notice", local(3, 10), S.MET),
    (False, "completed", local(3, 16), S.MET),
    (True, "shipped", local(3, 16), S.MET),
    (False, None, local(3, 15), S.AT_RISK),
    (True, None, local(4, 9), S.BREACHED),
    (False, "notice", local(4, 10), S.BREACHED_THEN_MET),
])
def test_delay_notice_states(order: bool, stop: str | None, now: datetime, state: S) -> None:
    """rule: R-S7 — a delay is told at least 4 working hours before the promised time
    (Wednesday 12:00 → by Wednesday 08:00; at risk from 80 % of the 15 working hours from the
    promise: Tuesday 14:00); a completion (a full shipment of an order) stops the clock."""
    no = "O-1" if order else "S-1"
    events: list[DomainEvent] = [promised(no, local(2, 9), FIRST, order=order)]
    if stop == "notice":
        events.append(delay(no, now, FIRST, SECOND, order=order))
    elif stop == "completed":
        events.append(completed(no, now))
    elif stop == "shipped":
        events.append(shipped(no, now))
    first = next(r for r in runs(events, "SLA-DELAY-NOTICE", no, now + timedelta(minutes=1))
                 if r.run.endswith(str(int(FIRST.timestamp()))))
    assert (first.due, first.at_risk_at, first.state) == (local(4, 8), local(3, 14), state)


def test_a_delay_notice_starts_the_notice_clock_of_the_new_time() -> None:
    """rule: R-S7 — the new promised time may be delayed again, told 4 working hours ahead."""
    events = [promised("S-1", local(2, 9), FIRST), delay("S-1", local(3, 10), FIRST, SECOND)]
    old, new = runs(events, "SLA-DELAY-NOTICE", "S-1", local(3, 11))
    assert (old.state, new.state, new.due) == (S.MET, S.RUNNING, local(6, 13))


def test_delay_notice_across_a_holiday() -> None:
    """rule: R-S7 — promise Tuesday 10 November 10:00: told by Monday 15:00; with Monday a
    holiday, by Saturday 15:00 (Tuesday 08-10 and Saturday 15-17)."""
    events = [promised("S-1", local(2, 9), local(10, 10))]
    assert run(events, "SLA-DELAY-NOTICE", "S-1", local(2, 10)).due == local(9, 15)
    assert run(events, "SLA-DELAY-NOTICE", "S-1", local(2, 10), HOLIDAY_MONDAY).due == local(7, 15)


# -- SLA-DELIVERY (R-S7, R-O4) ------------------------------------------------------------------

@pytest.mark.parametrize(("order", "stop", "now", "state"), [
    (False, local(4, 11), local(4, 17), S.MET),
    (True, local(4, 11), local(4, 17), S.MET),
    (False, None, local(4, 9), S.AT_RISK),
    (True, None, local(4, 12.5), S.BREACHED),
    (False, local(4, 13), local(4, 17), S.BREACHED_THEN_MET),
])
def test_delivery_states(order: bool, stop: datetime | None, now: datetime, state: S) -> None:
    """rule: R-S7 rule: R-O4 — done by the promised time (Wednesday 12:00; at risk from 80 % of
    the 19 working hours from the promise: Wednesday 08:12): a sample completed, an order
    shipped in full."""
    no = "O-1" if order else "S-1"
    events: list[DomainEvent] = [promised(no, local(2, 9), FIRST, order=order)]
    if stop:
        events.append(shipped(no, stop) if order else completed(no, stop))
    status = run(events, "SLA-DELIVERY", no, now)
    assert (status.due, status.at_risk_at, status.state) == (FIRST, local(4, 8.2), state)


def test_delivery_is_due_by_the_latest_promise_and_a_partial_shipment_does_not_stop_it() -> None:
    """rule: R-S7 rule: R-O4 — a delay notice moves the promised time; half shipped is not
    delivered."""
    events = [promised("O-1", local(2, 9), FIRST, order=True),
              delay("O-1", local(3, 10), FIRST, SECOND, order=True),
              shipped("O-1", local(5, 10), total=5)]
    status = run(events, "SLA-DELIVERY", "O-1", local(6, 16.5))
    assert (status.due, status.state) == (SECOND, S.AT_RISK)
    done = run([*events, shipped("O-1", local(6, 16.9), total=10)], "SLA-DELIVERY", "O-1",
               local(7, 9))
    assert done.state == S.MET


# -- the penalty of a missed promise (R-S7) -----------------------------------------------------

def _notice_at(notice_after: float) -> tuple[Company, prod.DeliveryPromised, prod.DelayNotified]:
    """A sample promised for Tuesday 15:00 in Shanghai (T0 is Monday 17:00), a delay notified
    ``notice_after`` hours after T0, to Friday; the new time is then met."""
    company = Company()
    causes = company.in_production()
    promise = company.promise(company.at(22))
    company.report_to_sales(causes["scheduled"], causes["received"], promise)
    company.now = company.at(notice_after)
    notice = company.notify_delay(company.at(96))
    company.now = company.at(60)
    company.complete()
    return company, promise, notice


def test_a_notice_exactly_4_working_hours_ahead_across_lunch_spares_the_penalty() -> None:
    """rule: R-S7 — told Tuesday 10:00 of a promise for Tuesday 15:00 (10-12 and 13-15: exactly
    4 working hours): timely, no missed promise, no penalty; the notice clock is met."""
    company, promise, notice = _notice_at(17)
    assert notice.timely and notice.working_hours_before == 4.0
    company.now = promise.promised_at + timedelta(seconds=5)
    assert company.deliver(company.production.on_promise_due, company.fired(promise)) == []
    assert company.of_type(company.production, prod.DeliveryPromiseMissed) == []
    assert company.of_type(company.sales, sales.PenaltyRequested) == []
    [first, _] = runs([promise, notice], "SLA-DELAY-NOTICE", "S-1", company.now)
    assert first.state == S.MET


def test_a_notice_a_minute_short_of_4_working_hours_is_a_penalty_requested_once() -> None:
    """rule: R-S7 — told Tuesday 10:01: 3.98 working hours ahead; the promise is missed without
    timely notice, recorded once however often its timer fires, and one penalty is requested;
    the notice clock says breached then met."""
    company, promise, notice = _notice_at(17 + 1 / 60)
    assert not notice.timely
    company.now = promise.promised_at + timedelta(seconds=5)
    [missed] = company.deliver(company.production.on_promise_due, company.fired(promise))
    assert company.deliver(company.production.on_promise_due, company.fired(promise)) == []
    assert isinstance(missed, prod.DeliveryPromiseMissed) and missed.notice_given
    assert len(company.deliver(company.sales.on_promise_missed, missed)) == 1
    assert company.deliver(company.sales.on_promise_missed, missed) == []
    assert len(company.of_type(company.sales, sales.PenaltyRequested)) == 1
    [first, _] = runs([promise, notice], "SLA-DELAY-NOTICE", "S-1", company.now)
    assert first.state == S.BREACHED_THEN_MET
