"""Every service-level clock of DOMAIN.md, evaluated from its events: met, at risk, breached,
breached then met, paused (where the clock pauses); its allowance across a lunch break, a
weekend, a holiday and a make-up working day; business time, not recording time.

The company calendar of these tests: Monday to Saturday, 08:00-12:00 and 13:00-17:00 in
Shanghai; 2 November 2026 is a Monday, 8 November a Sunday."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from events.envelope import DieDifficulty, DomainEvent
from projections.sla.clocks import CLOCKS
from projections.sla.engine import ClockState
from tests.sla_events import (
    CALENDAR,
    complaint,
    completed,
    documents,
    internal_order,
    local,
    paused,
    promised,
    receipt,
    registered,
    resumed,
    run,
    runs,
    told,
    trial,
)

S = ClockState
HOLIDAY_MONDAY = replace(CALENDAR, extra_holidays=frozenset({date(2026, 11, 9)}))
MAKE_UP_SUNDAY = replace(CALENDAR, extra_workdays=frozenset({date(2026, 11, 8)}))


def test_every_clock_of_domain_md_is_declared_and_tested() -> None:
    """rule: R-S3 rule: R-O2 rule: R-S7 rule: R-O4 rule: R-S6 rule: R-C2 — the per-record clocks
    of DOMAIN.md's table (SLA-DAILY-REPORT is the SLA service's report clock)."""
    assert {c.id for c in CLOCKS} == {
        "SLA-SAMPLE-MAKE", "SLA-PMC-REPLY", "SLA-CUSTOMER-DATE", "SLA-DELAY-NOTICE",
        "SLA-DELIVERY", "SLA-TRIAL-FOLLOWUP", "SLA-COMPLAINT-INTAKE"}


# -- SLA-SAMPLE-MAKE (R-S3) ---------------------------------------------------------------------

def make_sample(*more: DomainEvent) -> list[DomainEvent]:
    return [documents("S-1", local(2, 9)), *more]  # simple die: 12 working hours


@pytest.mark.parametrize(("stop", "now", "state"), [
    (local(3, 11), local(3, 18), S.MET),
    (None, local(3, 11), S.AT_RISK),
    (None, local(3, 15), S.BREACHED),
    (local(3, 15), local(3, 18), S.BREACHED_THEN_MET),
    (None, local(3, 10), S.RUNNING),
])
def test_sample_make_states(stop: datetime | None, now: datetime, state: S) -> None:
    """rule: R-S3 — a simple die: 12 working hours from the documents (Monday 09:00): Monday 7,
    Tuesday 08-12 and 13-14, so due Tuesday 14:00, at risk from 80 % (9.6 h: Tuesday 10:36)."""
    events = make_sample(*([completed("S-1", stop)] if stop else []))
    status = run(events, "SLA-SAMPLE-MAKE", "S-1", now)
    assert (status.due, status.at_risk_at) == (local(3, 14), local(3, 10.6))
    assert status.state == state and status.person == "pete"


def test_sample_make_pauses_while_waiting_for_the_customer() -> None:
    """rule: R-S3 — waiting for customer material stops the clock: paused Monday 10:00 to Tuesday
    10:00 (8 working hours), the deadline moves from Tuesday 14:00 to Wednesday 14:00."""
    events = make_sample(paused("S-1", local(2, 10)))
    during = run(events, "SLA-SAMPLE-MAKE", "S-1", local(2, 15))
    assert during.state == S.PAUSED and during.due is None and during.used_hours == 1.0
    later = run([*events, resumed("S-1", local(3, 10))], "SLA-SAMPLE-MAKE", "S-1", local(4, 9))
    assert later.state == S.RUNNING and later.paused_hours == 8.0
    assert later.due == local(4, 14) and later.used_hours == 1 + 2 + 4 + 1  # Mon 9-10, Tue 10-17, Wed 8-9
    met = run([*events, resumed("S-1", local(3, 10)), completed("S-1", local(4, 13.5))],
              "SLA-SAMPLE-MAKE", "S-1", local(5, 9))
    assert met.state == S.MET  # would be breached if the pause counted


def test_sample_make_allowance_by_die_difficulty() -> None:
    """rule: R-S3 — 12 / 24 / 48 working hours for simple / normal / complex dies; 48 hours from
    Monday 09:00 run over Saturday (a working day) and skip Sunday: Monday 9 November 09:00."""
    due = {die: run([documents(f"S-{die.value}", local(2, 9), die)], "SLA-SAMPLE-MAKE",
                    f"S-{die.value}", local(2, 10)).due for die in DieDifficulty}
    assert due == {DieDifficulty.SIMPLE: local(3, 14), DieDifficulty.NORMAL: local(5, 9),
                   DieDifficulty.COMPLEX: local(9, 9)}


def test_sample_make_across_a_weekend_a_holiday_and_a_make_up_day() -> None:
    """rule: R-S3 — 12 hours from Saturday 13:00: Saturday 4, Sunday off, Monday 8 → Monday
    17:00; Monday a holiday → Tuesday 17:00; Sunday a make-up working day → Sunday 17:00."""
    events = [documents("S-1", local(7, 13))]
    assert run(events, "SLA-SAMPLE-MAKE", "S-1", local(7, 14)).due == local(9, 17)
    assert run(events, "SLA-SAMPLE-MAKE", "S-1", local(7, 14), HOLIDAY_MONDAY).due == local(10, 17)
    assert run(events, "SLA-SAMPLE-MAKE", "S-1", local(7, 14), MAKE_UP_SUNDAY).due == local(8, 17)


def test_a_new_round_has_its_own_sample_make_run() -> None:
    """rule: R-S3 rule: R-S6 — each round of a sample is made again, in its own allowance."""
    events = [documents("S-1", local(2, 9)), completed("S-1", local(2, 15)),
              documents("S-1", local(5, 9), round_no=2)]
    first, second = runs(events, "SLA-SAMPLE-MAKE", "S-1", local(6, 14))
    assert (first.run, first.state, second.run, second.state) == ("1", S.MET, "2", S.BREACHED)


# -- SLA-PMC-REPLY (R-O2) -----------------------------------------------------------------------

@pytest.mark.parametrize(("stop", "now", "state"), [
    (local(2, 13.5), local(2, 17), S.MET),
    (None, local(2, 13 + 40 / 60), S.AT_RISK),
    (None, local(2, 14.01), S.BREACHED),
    (local(2, 15), local(2, 17), S.BREACHED_THEN_MET),
])
def test_pmc_reply_states_across_the_lunch_break(stop: datetime | None, now: datetime,
                                                 state: S) -> None:
    """rule: R-O2 — PMC replies within 2 working hours of receiving the internal order: from
    11:00, 11-12 and 13-14, so due 14:00 (not 13:00), at risk from 13:36."""
    events: list[DomainEvent] = [internal_order("O-1", local(2, 11))]
    if stop:
        events.append(promised("O-1", stop, local(6, 17), order=True))
    status = run(events, "SLA-PMC-REPLY", "O-1", now)
    assert (status.due, status.at_risk_at, status.state) == (local(2, 14), local(2, 13.6), state)


def test_a_sample_promise_does_not_answer_the_pmc_reply_clock_of_an_order() -> None:
    """rule: R-O2 — only an order's promise stops its reply clock."""
    events = [internal_order("O-1", local(2, 11)), promised("S-1", local(2, 12), local(6, 17))]
    assert run(events, "SLA-PMC-REPLY", "O-1", local(2, 15)).state == S.BREACHED


# -- SLA-CUSTOMER-DATE (R-O2) -------------------------------------------------------------------

PROMISE = local(16, 17)


@pytest.mark.parametrize(("stop", "now", "state"), [
    (local(9, 9), local(9, 17), S.MET),
    (None, local(9, 9.5), S.AT_RISK),
    (None, local(9, 10.5), S.BREACHED),
    (local(9, 11), local(9, 17), S.BREACHED_THEN_MET),
])
def test_customer_date_states_across_a_weekend(stop: datetime | None, now: datetime,
                                               state: S) -> None:
    """rule: R-O2 — the customer is told the date within 4 working hours of PMC's promise: from
    Saturday 15:00, Saturday 2 hours, Sunday off, Monday 08-10: due Monday 10:00 (at risk
    09:12)."""
    events: list[DomainEvent] = [promised("O-1", local(7, 15), PROMISE, order=True)]
    if stop:
        events.append(told("O-1", stop, PROMISE))
    status = run(events, "SLA-CUSTOMER-DATE", "O-1", now)
    assert (status.due, status.at_risk_at, status.state) == (local(9, 10), local(9, 9.2), state)


def test_customer_date_on_a_make_up_day_and_past_a_holiday() -> None:
    """rule: R-O2 — Sunday a make-up working day: due Sunday 10:00; Monday a holiday: Tuesday
    10:00."""
    events = [promised("O-1", local(7, 15), PROMISE, order=True)]
    assert run(events, "SLA-CUSTOMER-DATE", "O-1", local(7, 16), MAKE_UP_SUNDAY).due == local(8, 10)
    assert run(events, "SLA-CUSTOMER-DATE", "O-1", local(7, 16), HOLIDAY_MONDAY).due == local(10, 10)


# -- SLA-TRIAL-FOLLOWUP (R-S6) ------------------------------------------------------------------

@pytest.mark.parametrize(("stop", "now", "state"), [
    (local(6, 15), local(7, 9), S.MET),
    (None, local(6, 11), S.AT_RISK),
    (None, local(6, 17.5), S.BREACHED),
    (local(7, 9), local(7, 10), S.BREACHED_THEN_MET),
])
def test_trial_followup_states(stop: datetime | None, now: datetime, state: S) -> None:
    """rule: R-S6 — received Tuesday 3 November: followed up 3 calendar days later, by the end of
    that working day (Friday 17:00); at risk from 80 % of the 30 working hours from Tuesday
    10:00 (Friday 10:00)."""
    events: list[DomainEvent] = [receipt("S-1", local(3, 10), date(2026, 11, 3))]
    if stop:
        events.append(trial("S-1", stop))
    status = run(events, "SLA-TRIAL-FOLLOWUP", "S-1", now)
    assert (status.due, status.at_risk_at, status.state) == (local(6, 17), local(6, 10), state)


def test_trial_followup_falling_on_a_sunday_a_holiday_or_a_make_up_day() -> None:
    """rule: R-S6 — received Thursday 5 November: 3 days later is Sunday (off), so the end of
    Monday; Monday a holiday: Tuesday; Sunday a make-up working day: Sunday 17:00."""
    events = [receipt("S-1", local(5, 16), date(2026, 11, 5))]
    assert run(events, "SLA-TRIAL-FOLLOWUP", "S-1", local(6, 9)).due == local(9, 17)
    assert run(events, "SLA-TRIAL-FOLLOWUP", "S-1", local(6, 9), HOLIDAY_MONDAY).due == local(10, 17)
    assert run(events, "SLA-TRIAL-FOLLOWUP", "S-1", local(6, 9), MAKE_UP_SUNDAY).due == local(8, 17)


# -- SLA-COMPLAINT-INTAKE (R-C2) ----------------------------------------------------------------

@pytest.mark.parametrize(("stop", "now", "state"), [
    (local(2, 12), local(2, 17), S.MET),
    (None, local(2, 14 + 10 / 60), S.AT_RISK),
    (None, local(2, 14 + 31 / 60), S.BREACHED),
    (local(2, 15), local(2, 17), S.BREACHED_THEN_MET),
])
def test_complaint_intake_states_across_the_lunch_break(stop: datetime | None, now: datetime,
                                                        state: S) -> None:
    """rule: R-C2 — technical support registers a complaint within 2 working hours: from 11:30,
    11:30-12 and 13-14:30, so due 14:30 (at risk from 14:06)."""
    events: list[DomainEvent] = [complaint("K-1", local(2, 11.5))]
    if stop:
        events.append(registered("K-1", stop))
    status = run(events, "SLA-COMPLAINT-INTAKE", "K-1", now)
    assert (status.due, status.at_risk_at, status.state) == (local(2, 14.5), local(2, 14.1), state)
    assert status.person is None  # the desk answers, not whoever took the call


# -- business time ------------------------------------------------------------------------------

def test_clocks_count_from_when_it_happened_not_from_when_it_was_recorded() -> None:
    """rule: R-C2 rule: R-S3 — the customer called at 09:10, the complaint was typed in at 11:02:
    due 11:10, breached at 11:30; the documents arrived Monday 09:00, recorded Tuesday 09:00."""
    called = complaint("K-1", local(2, 9 + 10 / 60), recorded=local(2, 11 + 2 / 60))
    status = run([called], "SLA-COMPLAINT-INTAKE", "K-1", local(2, 11.5))
    assert (status.started, status.due, status.state) == (
        local(2, 9 + 10 / 60), local(2, 11 + 10 / 60), S.BREACHED)
    late = documents("S-1", local(2, 9), recorded=local(3, 9))
    made = run([late, completed("S-1", local(3, 13), recorded=local(3, 16))], "SLA-SAMPLE-MAKE",
               "S-1", local(3, 17))
    assert (made.due, made.stopped, made.state) == (local(3, 14), local(3, 13), S.MET)


def test_marks_delivered_in_any_order_give_the_same_state() -> None:
    """rule: R-S3 — the streams of production and sales interleave as they will; a pause recorded
    after the stop still counts where it happened."""
    events = make_sample(paused("S-1", local(2, 10)), resumed("S-1", local(3, 10)),
                         completed("S-1", local(4, 13.5)))
    forward = run(events, "SLA-SAMPLE-MAKE", "S-1", local(5, 9))
    assert run(list(reversed(events)), "SLA-SAMPLE-MAKE", "S-1", local(5, 9)) == forward
    assert run([*events, *events], "SLA-SAMPLE-MAKE", "S-1", local(5, 9)) == forward
