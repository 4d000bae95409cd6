"""The outbox relay: the store's notification log, in order, to the department's stream.

The position is recorded (as eventsourcing tracking named ``relay:<stream>``) only after
JetStream acknowledged every message of a page; a crash in between republishes the page and
the stream's dedupe (``Nats-Msg-Id: <service>:<notification id>``) drops the repeats.
"""
from __future__ import annotations

import asyncio
import functools
import logging

from eventsourcing.persistence import IntegrityError, Notification, Tracking
from nats.js import JetStreamContext

from contracts.subjects import HEADER_DEPARTMENT, HEADER_TYPE, stream_name
from events.registry import REGISTRY
from services.runtime.store import DepartmentApplication

log = logging.getLogger(__name__)


class Relay:
    """Publishes new stored events of one application; wake it with ``poke`` after a save."""

    def __init__(self, app: DepartmentApplication, js: JetStreamContext, *, batch: int = 500,
                 idle: float = 0.5, ack_timeout: float = 10.0) -> None:
        self.app, self.js, self.batch, self.idle, self.ack_timeout = app, js, batch, idle, ack_timeout
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
        await asyncio.wait_for(asyncio.gather(*futures), self.ack_timeout)

    @staticmethod
    @functools.cache
    def _subject(topic: str) -> str:
        return REGISTRY.cls(topic.rpartition(".v")[0]).subject()

    def _record(self, last: int) -> None:
        try:
            self.app.process_recorder.insert_tracking(Tracking(self.tracking_name, last))
        except IntegrityError:
            pass  # another instance of this service already recorded this position
