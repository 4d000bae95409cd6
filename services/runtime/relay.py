"""The outbox relay: the store's notification log, in order, to the department's stream.

The position is recorded (as eventsourcing tracking named ``relay:<stream>``) only after
JetStream acknowledged every message of a page; a crash in between republishes the page and
the stream's dedupe (``Nats-Msg-Id: <service>:<notification id>``) drops the repeats.
"""
from __future__ import annotations

import asyncio
import functools
import math
from datetime import UTC, datetime, timedelta
import logging

from eventsourcing.persistence import IntegrityError, Notification, Tracking
from nats.js import JetStreamContext

from contracts.subjects import HEADER_DEPARTMENT, HEADER_TYPE, stream_name
from contracts.timers import HEADER_TIMER, TIMERS_STREAM, TimerDue, schedule_subject
from events.envelope import DomainEvent, Timer
from events.registry import REGISTRY
from services.runtime.store import DepartmentApplication

log = logging.getLogger(__name__)


class Relay:
    """Publishes new stored events of one application; wake it with ``poke`` after a save."""

    def __init__(self, app: DepartmentApplication, js: JetStreamContext, *, batch: int = 500,
                 idle: float = 0.5, ack_timeout: float = 10.0, timer_grace: float = 5.0,
                 timers: bool = True) -> None:
        self.app, self.js, self.batch, self.idle, self.ack_timeout = app, js, batch, idle, ack_timeout
        self.timer_grace = timedelta(seconds=timer_grace)
        self.timers = timers  # False when the server has no message schedules
        self.department = app.name
        self.stream = stream_name(app.name)
        self.tracking_name = f"relay:{self.stream}"
        self.published = 0
        self._wake = asyncio.Event()

    def poke(self) -> None:
        self._wake.set()

    @property
    def position(self) -> int:
        return self.app.tracked_position(self.tracking_name)

    async def run(self) -> None:
        position = await asyncio.to_thread(lambda: self.position)
        while True:
            try:
                position = await self.publish_after(position)
            except asyncio.CancelledError:
                raise
            except Exception:  # NATS down or slow: keep the position and try again
                log.warning("relay of %s could not publish; retrying", self.department, exc_info=True)
                await asyncio.sleep(1.0)

    async def publish_after(self, position: int) -> int:
        """Publish one page after ``position``; wait for new events when there are none."""
        self._wake.clear()
        page = await asyncio.to_thread(
            self.app.process_recorder.select_notifications, position + 1, self.batch
        )
        if not page:
            try:
                await asyncio.wait_for(self._wake.wait(), self.idle)
            except TimeoutError:
                pass
            return position
        await self.publish_page(page)
        last = page[-1].id
        await asyncio.to_thread(self._record, last)
        self.published += len(page)
        return last

    async def publish_page(self, page: list[Notification]) -> None:
        futures = []
        for n in page:
            headers = {
                "Nats-Msg-Id": f"{self.department}:{n.id}",
                HEADER_TYPE: n.topic,
                HEADER_DEPARTMENT: self.department,
            }
            futures.append(await self.js.publish_async(
                self._subject(n.topic), n.state, headers=headers, stream=self.stream))
            if self.timers and self._has_timers(n.topic):
                event = REGISTRY.decode_json(n.topic, n.state)
                for timer in event.timers():
                    subject, body, headers = self._schedule(n.id, event, timer)
                    futures.append(await self.js.publish_async(
                        subject, body, headers=headers, stream=TIMERS_STREAM))
        await asyncio.wait_for(asyncio.gather(*futures), self.ack_timeout)

    def _schedule(self, notification_id: int, event: DomainEvent,
                  timer: Timer) -> tuple[str, bytes, dict[str, str]]:
        """A JetStream message schedule that fires ``TimerDue`` into the timers stream.

        Its Msg-Id makes a republished page schedule nothing twice."""
        fire_at = math.ceil((timer.due_at + self.timer_grace).timestamp())
        stamp = datetime.fromtimestamp(fire_at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        due = TimerDue(name=timer.name, key=timer.key, due_at=timer.due_at,
                       record_no=event.record_no, source_event_id=event.event_id,
                       correlation_id=event.correlation_id)
        headers = {
            "Nats-Msg-Id": f"timer:{self.department}:{notification_id}:{timer.name}:{timer.key}",
            "Nats-Schedule": f"@at {stamp}",
            "Nats-Schedule-Target": TimerDue.subject_for(timer.name),
            HEADER_TIMER: timer.name,
        }
        return schedule_subject(self.department, timer.name, timer.key), \
            due.model_dump_json().encode(), headers

    @staticmethod
    @functools.cache
    def _has_timers(topic: str) -> bool:
        cls = REGISTRY.cls(topic.rpartition(".v")[0])
        return cls.timers is not DomainEvent.timers

    @staticmethod
    @functools.cache
    def _subject(topic: str) -> str:
        return REGISTRY.cls(topic.rpartition(".v")[0]).subject()

    def _record(self, last: int) -> None:
        try:
            self.app.process_recorder.insert_tracking(Tracking(self.tracking_name, last))
        except IntegrityError:
            pass  # another instance of this service already recorded this position
