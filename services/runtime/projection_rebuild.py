"""One rebuild of some read models, run beside the live consumers of the projections process.

It never stops the live consumers and never empties a live table: consumers of its own
(durables ``projections-rebuild-from-<department>``) fill new builds from each stream's start
while queries read the live builds; once the new builds stand at or past the live position in
every stream they are swapped in (``projections.rebuild.Run.finish``). Whatever happens, its
consumers are stopped and its durables deleted in a ``finally``, and builds not swapped in are
forgotten with their tables. An event it cannot apply stops it (no retry, no dead letter):
the live tables stay as they were.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nats.js import JetStreamContext

from contracts.queries import RebuildReply
from contracts.subjects import DEPARTMENTS, PROJECTIONS, stream_name
from projections.model import Item, ReadModel
from projections.projector import Projector
from projections.rebuild import Run
from services.runtime.consumer import StreamConsumer
from services.runtime.faults import is_outage
from services.runtime.settings import Settings

log = logging.getLogger(__name__)
Progress = Callable[[dict[str, Any]], Awaitable[None]]
REBUILD_CONSUMER = f"{PROJECTIONS}-rebuild"
GARBAGE_DELAY_SECONDS = 10.0  # replaced tables outlive the swap by this much (queries in flight)
POLL_SECONDS = 0.25


class RebuildFailed(Exception):
    """An event the rebuild cannot apply, or a consumer of it that ended."""


class Rebuild:
    """Fills new builds of ``models`` and swaps them in; ``state`` is its progress."""

    background: set[asyncio.Task[None]] = set()  # garbage collections still to come

    def __init__(self, js: JetStreamContext, settings: Settings, projector: Projector,
                 models: Sequence[ReadModel], live_keys: Callable[[], dict[str, str]]) -> None:
        self.js, self.settings, self.projector = js, settings, projector
        self.models, self.live_keys = list(models), live_keys
        self.state: dict[str, Any] = {"models": [m.name for m in models], "done": 0, "total": 0}
        self.failures: list[str] = []
        self._never = asyncio.Event()

    async def run(self, progress: Progress) -> RebuildReply:
        started = time.perf_counter()
        run = await asyncio.to_thread(Run.begin, self.projector, self.models)
        consumers = [
            StreamConsumer(self.js, consumer=REBUILD_CONSUMER, source=d.value, filter_subjects=[],
                           handle=lambda items: self._handle(run, items),
                           position=lambda key: asyncio.to_thread(run.position, key),
                           settings=self.settings)
            for d in DEPARTMENTS
        ]
        tasks: list[asyncio.Task[None]] = []
        try:
            for consumer in consumers:
                await consumer.start()
            tasks = [asyncio.create_task(c.run(), name=c.durable) for c in consumers]
            while not await self._step(run, tasks, progress):
                await asyncio.sleep(POLL_SECONDS)
        except BaseException:
            await asyncio.to_thread(run.abandon)
            raise
        finally:
            await self._stop(consumers, tasks)
        total = self.state["total"]
        self.state["done"] = total
        await progress(dict(self.state))
        later = asyncio.create_task(self._collect_garbage(run), name="rebuild-garbage")
        self.background.add(later)
        later.add_done_callback(self.background.discard)
        rows = await asyncio.to_thread(self.projector.models.samples.count, self.projector.store)
        return RebuildReply(events=total, seconds=round(time.perf_counter() - started, 3),
                            rows=rows, models=run.names)

    async def _handle(self, run: Run, items: Sequence[Item]) -> tuple[int, Exception | None]:
        if self.projector.store.postgres:
            applied, error = await asyncio.to_thread(self.projector.apply_isolating, items,
                                                     run.apply)
        else:
            applied, error = self.projector.apply_isolating(items, run.apply)
        if error is not None and not is_outage(error):
            event, tracking, _ = items[applied]
            self.failures.append(f"{type(event).__name__} at {tracking.application_name} "
                                 f"#{tracking.notification_id}: {type(error).__name__}: {error}")
            await self._never.wait()  # the run is stopped from ``_step``: no retry, no DLQ
        return applied, error

    async def _step(self, run: Run, tasks: Sequence[asyncio.Task[None]],
                    progress: Progress) -> bool:
        """Check for failures, report progress, and swap in once caught up (True when done)."""
        if self.failures:
            raise RebuildFailed(self.failures[0])
        ended = [t for t in tasks if t.done()]
        if ended:
            ended[0].result()
            raise RebuildFailed(f"its consumer {ended[0].get_name()} ended")
        keys = self.live_keys()
        done = total = 0
        caught_up = len(keys) == len(DEPARTMENTS)
        for department in DEPARTMENTS:
            last = (await self.js.stream_info(stream_name(department))).state.last_seq
            key = keys.get(department.value)
            mine = await asyncio.to_thread(run.position, key) if key else 0
            live = await asyncio.to_thread(self.projector.store.position, key) if key else 0
            done, total = done + min(mine, last), total + last
            caught_up = caught_up and mine >= live
        self.state.update(done=done, total=total)
        await progress(dict(self.state))
        return caught_up and await asyncio.to_thread(run.finish, list(keys.values()))

    async def _stop(self, consumers: Sequence[StreamConsumer],
                    tasks: Sequence[asyncio.Task[None]]) -> None:
        for consumer in consumers:
            consumer.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for consumer in consumers:
            try:
                await consumer.close()
                await self.js.delete_consumer(consumer.stream, consumer.durable)
            except Exception:  # noqa: BLE001 - gone already, or NATS away: reset next time
                log.debug("rebuild durable %s not deleted", consumer.durable, exc_info=True)

    @staticmethod
    async def _collect_garbage(run: Run) -> None:
        await asyncio.sleep(GARBAGE_DELAY_SECONDS)
        try:
            await asyncio.to_thread(run.collect_garbage)
        except Exception:  # noqa: BLE001 - store closed meanwhile: the next start collects it
            log.info("replaced read-model tables not dropped yet", exc_info=True)
