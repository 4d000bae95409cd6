"""The chaos harness's check of R-S7 penalties (``chaos_checks.penalties``): a penalty for a
kept promise is wrong, a missed one without a penalty is missing, a promise whose timer may
not have fired is not judged yet, a timely delay notice replaces the old time. In memory, as
test_chaos_checks.py."""
from __future__ import annotations

from datetime import datetime, timedelta

from bench import chaos_checks as checks
from bench.chaos_evidence import StoredEvent
from tests.e2e.test_chaos_checks import NOW, event


def promise_trail(promised: datetime, completed: datetime | None,
                  penalty: bool) -> dict[str, list[StoredEvent]]:
    production = [event("production", 1, "DeliveryPromised", promised_at=promised.isoformat(), round=1)]
    if completed is not None:
        production.append(event("production", 2, "SampleCompleted", round=1,
                                timestamp=completed.isoformat()))
    sales = [event("sales", 1, "PenaltyRequested", cause=production[0].event_id,
                   promised_at=promised.isoformat(), round=1)] if penalty else []
    return {"production": production, "sales": sales}


def test_a_penalty_for_a_promise_kept_is_a_wrong_reaction() -> None:
    """rule: R-S7 — completed before the promised time: no penalty request."""
    promised = NOW - timedelta(minutes=1)
    found = checks.penalties(promise_trail(promised, promised - timedelta(seconds=2), True), NOW)
    [sentence] = found["wrong_reactions"].values()
    assert "PenaltyRequested for S-1 round 1 although completed" in sentence and "(R-S7)" in sentence


def test_a_promise_missed_without_a_penalty_is_a_missing_reaction() -> None:
    """rule: R-S7 — a promised time that passed without completion asks for a penalty."""
    promised = NOW - timedelta(minutes=1)
    found = checks.penalties(promise_trail(promised, None, False), NOW)
    assert len(found["missing_reactions"]) == 1
    assert not any(checks.penalties(promise_trail(promised, None, True), NOW).values())
    late = checks.penalties(promise_trail(promised, promised + timedelta(seconds=5), False), NOW)
    assert len(late["missing_reactions"]) == 1


def test_a_promise_whose_timer_may_not_have_fired_yet_is_not_judged() -> None:
    """rule: R-S7"""
    assert not any(checks.penalties(promise_trail(NOW - timedelta(seconds=1), None, False), NOW).values())


def test_a_timely_delay_notice_spares_the_old_promise() -> None:
    """rule: R-S7 — the old time is replaced; only the new one counts."""
    old, new = NOW - timedelta(hours=2), NOW + timedelta(hours=24)
    stores = promise_trail(old, None, False)
    stores["production"].append(event("production", 3, "DelayNotified", timely=True, round=1,
                                      previous_promised_at=old.isoformat(),
                                      new_promised_at=new.isoformat()))
    assert not any(checks.penalties(stores, NOW).values())
