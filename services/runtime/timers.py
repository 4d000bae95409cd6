"""Timers of stored events as JetStream message schedules (NATS 2.12+), for the relay.

An event that starts a timer says so (``DomainEvent.timers()``). The relay schedules its timers
before it publishes the page holding the event, with ``Nats-Msg-Id: timer:<event id>:<name>:<key>``
so a page sent again schedules nothing twice. When the time comes the server puts a ``TimerDue``
on ``salesflow.timers.due.<name>``, which the owning service consumes like any other stream.

A timer fires ``grace`` after its time, rounded up to the second, so that events that happened
just before it have arrived; an ``exact`` timer (an SLA alert, decided from the record's own
clock marks) fires at its time, rounded up to the millisecond (nats-server 2.12+ reads fractional
seconds in ``@at`` and fires within about 0.15 s, never before). A service whose clock runs
``offset`` ahead of the wall clock (``SALESFLOW_CLOCK_OFFSET_SECONDS``) has its timers fire at the
matching real time.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import math
from datetime import UTC, datetime, timedelta

from eventsourcing.persistence import Notification
from nats.js import JetStreamContext

from contracts.timers import HEADER_TIMER, TIMERS_STREAM, TimerDue, schedule_subject
from events.envelope import DomainEvent, Timer
from events.registry import REGISTRY

log = logging.getLogger(__name__)

# JetStream reads "@at" times as RFC 3339; keep well inside what every parser represents.
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


class TimerScheduler:
    """Publishes the message schedules of one department's events."""

    def __init__(self, js: JetStreamContext, department: str, grace_seconds: float,
                 offset_seconds: float = 0.0) -> None:
        self.js, self.department = js, department
        self.grace = timedelta(seconds=grace_seconds)
        self.offset = timedelta(seconds=offset_seconds)

    async def schedule(self, page: list[Notification], timeout: float) -> int:
        futures = []
        for n in page:
            if not _has_timers(n.topic):
                continue
            event = REGISTRY.decode_json(n.topic, n.state)
            for timer in event.timers():
                schedule = self.message(event, timer)
                if schedule is None:
                    continue
                subject, body, headers = schedule
                futures.append(await self.js.publish_async(subject, body, headers=headers,
                                                           stream=TIMERS_STREAM))
        if futures:
            await asyncio.wait_for(asyncio.gather(*futures), timeout)
        return len(futures)

    def message(self, event: DomainEvent, timer: Timer) -> tuple[str, bytes, dict[str, str]] | None:
        """The schedule for one timer; None (and an error in the log) for a time out of range.

        Commands bound their dates, so this guards only against stored data from before that:
        one such event must never stop the relay."""
        try:
            fire_at = timer.due_at - self.offset + (timedelta() if timer.exact else self.grace)
            if fire_at >= LATEST:
                raise OverflowError(f"{fire_at.isoformat()} is too far ahead")
            at = fire_stamp(fire_at, exact=timer.exact)
        except (OverflowError, OSError, ValueError) as error:
            log.error("timer %s of event %s (%s) cannot be scheduled: %s", timer.name,
                      event.event_id, type(event).__name__, error)
            return None
        due = TimerDue(name=timer.name, key=timer.key, due_at=timer.due_at,
                       record_no=event.record_no, source_event_id=event.event_id,
                       correlation_id=event.correlation_id)
        headers = {
            "Nats-Msg-Id": f"timer:{event.event_id}:{timer.name}:{timer.key}",
            "Nats-Schedule": f"@at {at}",
            "Nats-Schedule-Target": TimerDue.subject_for(timer.name),
            HEADER_TIMER: timer.name,
        }
        return (schedule_subject(self.department, timer.name, timer.key),
                due.model_dump_json().encode(), headers)


def fire_stamp(fire_at: datetime, *, exact: bool) -> str:
    """``@at`` time of a schedule, never before ``fire_at``: whole seconds, or milliseconds for
    an exact timer."""
    if exact:
        micros = fire_at.astimezone(UTC).replace(tzinfo=None) - datetime(1970, 1, 1)
        millis = math.ceil(micros / timedelta(milliseconds=1))
        stamp = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
        return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"
    stamp = datetime.fromtimestamp(math.ceil(fire_at.timestamp()), UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.cache
def _has_timers(topic: str) -> bool:
    cls = REGISTRY.cls(topic.rpartition(".v")[0])
    return cls.timers is not DomainEvent.timers


class LocalTimers:
    """Timers fired by this process instead of by JetStream (``SALESFLOW_TIMERS=local``), for a
    NATS server without message schedules.

    It takes the same pages as ``TimerScheduler`` and keeps one pending timer per name and key
    (a later one replaces it, as a schedule on the same subject would). When one falls due it
    publishes the ``TimerDue`` into ``SALESFLOW_TIMERS`` on ``salesflow.timers.due.<name>``,
    where the owning service's consumer takes it exactly as a fired schedule, with tracking;
    ``Nats-Msg-Id: timerdue:<event id>:<name>:<key>`` keeps a timer fired twice (a restart)
    from landing twice. Nothing of it survives the process: ``rebuild`` finds the timers again
    in the store when the service becomes active; those already past fire at once (their
    reactions are idempotent: a decided promise, an alert raised, a report issued stay so).
    """

    def __init__(self, js: JetStreamContext, department: str, grace_seconds: float,
                 offset_seconds: float = 0.0) -> None:
        self.js, self.department = js, department
        self.grace = timedelta(seconds=grace_seconds)
        self.offset = timedelta(seconds=offset_seconds)
        self.pending: dict[tuple[str, str], asyncio.TimerHandle] = {}
        self.fired = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def schedule(self, page: list[Notification], timeout: float) -> int:
        count = 0
        for n in page:
            if _has_timers(n.topic):
                count += self.add_all(REGISTRY.decode_json(n.topic, n.state))
        return count

    def add_all(self, event: DomainEvent) -> int:
        timers = event.timers()
        for timer in timers:
            self.add(event, timer)
        return len(timers)

    def add(self, event: DomainEvent, timer: Timer) -> None:
        fire_at = timer.due_at - self.offset + (timedelta() if timer.exact else self.grace)
        loop = asyncio.get_running_loop()
        delay = max(0.0, (fire_at - datetime.now(UTC)).total_seconds())
        key = (timer.name, timer.key)
        if (earlier := self.pending.pop(key, None)) is not None:
            earlier.cancel()
        self.pending[key] = loop.call_later(delay, self._fire, event, timer)

    def rebuild(self, notifications: list[Notification]) -> int:
        """The timers of every stored event (in store order, so the latest per key wins)."""
        for n in notifications:
            if _has_timers(n.topic):
                self.add_all(REGISTRY.decode_json(n.topic, n.state))
        return len(self.pending)

    def stop(self) -> None:
        for handle in self.pending.values():
            handle.cancel()
        self.pending.clear()
        for task in self._tasks:
            task.cancel()

    def _fire(self, event: DomainEvent, timer: Timer) -> None:
        self.pending.pop((timer.name, timer.key), None)
        task = asyncio.get_running_loop().create_task(self._publish(event, timer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _publish(self, event: DomainEvent, timer: Timer, attempts: int = 30) -> None:
        due = TimerDue(name=timer.name, key=timer.key, due_at=timer.due_at,
                       record_no=event.record_no, source_event_id=event.event_id,
                       correlation_id=event.correlation_id)
        headers = {"Nats-Msg-Id": f"timerdue:{event.event_id}:{timer.name}:{timer.key}",
                   HEADER_TIMER: timer.name}
        for attempt in range(1, attempts + 1):
            try:
                await self.js.publish(TimerDue.subject_for(timer.name),
                                      due.model_dump_json().encode(), headers=headers,
                                      stream=TIMERS_STREAM)
                self.fired += 1
                return
            except Exception as error:  # noqa: BLE001 - NATS away: try again shortly
                log.warning("local timer %s %s not published (%s); retrying", timer.name,
                            timer.key, type(error).__name__)
                await asyncio.sleep(min(2.0 * attempt, 10.0))
        log.error("local timer %s %s of event %s given up after %d attempts", timer.name,
                  timer.key, event.event_id, attempts)
