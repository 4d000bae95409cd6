"""Local timers: one pending timer per name and key, fired as a ``TimerDue`` into the timers
stream with a message id that makes a second firing land once."""
from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.timers import TIMERS_STREAM, TimerDue
from events.envelope import Actor, Role, Timer
from events.sla import SlaClockMarked
from services.runtime.timers import LocalTimers


class FakeJetStream:
    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, str], str | None]] = []

    async def publish(self, subject: str, payload: bytes, headers: dict[str, str],
                      stream: str | None = None) -> Any:
        self.published.append((subject, headers, stream))
        TimerDue.model_validate_json(payload)


def marked(due_in: float) -> SlaClockMarked:
    now = datetime.now(UTC)
    due = now + timedelta(seconds=due_in)
    return SlaClockMarked(
        originator_id=uuid.uuid4(), originator_version=1, timestamp=now, event_id=uuid.uuid4(),
        actor=Actor(user="salesflow", role=Role.SYSTEM), correlation_id=uuid.uuid4(),
        clock="SLA-COMPLAINT-INTAKE", record="K-1", run="1", mark="start", at=now,
        source_event_id=str(uuid.uuid4()), source_type="ComplaintReceived",
        due_at=due, at_risk_at=due - timedelta(seconds=0.1))


async def test_a_later_timer_with_the_same_key_replaces_the_earlier_and_fires_once() -> None:
    """rule: R-C2 — a new deadline for the same run (a pause, a new promise) replaces the old."""
    js = FakeJetStream()
    timers = LocalTimers(js, "sla", grace_seconds=5.0)  # type: ignore[arg-type]
    first, second = marked(0.2), marked(0.4)
    assert timers.add_all(first) == 2 and timers.add_all(second) == 2
    assert len(timers.pending) == 2  # at risk + breach, one each for the run
    await asyncio.sleep(0.8)
    subjects = sorted(subject for subject, _, _ in js.published)
    assert subjects == [TimerDue.subject_for("sla_at_risk"), TimerDue.subject_for("sla_breached")]
    assert all(stream == TIMERS_STREAM for _, _, stream in js.published)
    assert all(h["Nats-Msg-Id"].startswith(f"timerdue:{second.event_id}:") for _, h, _ in js.published)
    assert timers.fired == 2 and not timers.pending


async def test_a_past_timer_fires_at_once_and_stop_cancels_the_pending_ones() -> None:
    js = FakeJetStream()
    timers = LocalTimers(js, "sla", grace_seconds=0.0)  # type: ignore[arg-type]
    timers.add(marked(-60.0), Timer(name="sla_breached", key="SLA-X.K-1.1",
                                   due_at=datetime.now(UTC) - timedelta(seconds=60), exact=True))
    timers.add(marked(60.0), Timer(name="sla_breached", key="SLA-X.K-2.1",
                                  due_at=datetime.now(UTC) + timedelta(seconds=60), exact=True))
    await asyncio.sleep(0.1)
    assert len(js.published) == 1 and len(timers.pending) == 1
    timers.stop()
    assert not timers.pending
