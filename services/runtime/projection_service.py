"""The projections process: consumes every department's stream, answers queries, rebuilds.

The read models themselves live in ``projections/``; this module only runs them.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any

from faststream.nats import NatsBroker
from nats.js import JetStreamContext

from contracts.calendar import WorkingCalendar
from contracts.queries import HistoryQuery, RebuildReply, SampleMonthQuery, SamplesQuery
from contracts.subjects import (
    CTL_REBUILD,
    CTL_REBUILD_PROGRESS,
    DEPARTMENTS,
    PROJECTIONS,
    QUERY_HISTORY,
    QUERY_SAMPLE_MONTH,
    QUERY_SAMPLES,
    stream_name,
    status_subject,
)
from projections.projector import Projector
from projections.sample_month import analyse
from projections.store import ViewStore
from services.runtime import customer_queries
from services.runtime.connect import connect
from services.runtime.consumer import StreamConsumer
from services.runtime.lifecycle import until_signalled
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams

log = logging.getLogger(__name__)


class Projections:
    """Four stream consumers feeding one ViewStore; stop, reset and restart them to rebuild."""

    def __init__(self, js: JetStreamContext, store: ViewStore, settings: Settings) -> None:
        self.js, self.store, self.settings = js, store, settings
        self.projector = Projector(store)
        self.consumers: list[StreamConsumer] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.consumers = [
            StreamConsumer(self.js, consumer=PROJECTIONS, source=d.value, filter_subjects=[],
                           handle=self.projector.handle,
                           position=lambda s: asyncio.to_thread(self.store.position, s),
                           settings=self.settings)
            for d in DEPARTMENTS
        ]
        for consumer in self.consumers:
            await consumer.start()
        self.tasks = [asyncio.create_task(c.run(), name=c.durable) for c in self.consumers]

    async def stop(self) -> None:
        """Let every consumer finish the batch it is applying, then stop."""
        for consumer in self.consumers:
            consumer.stop()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def backlog(self) -> int:
        """Messages not yet applied, over all streams."""
        total = 0
        for consumer in self.consumers:
            info = await self.js.consumer_info(consumer.stream, consumer.durable)
            total += info.num_pending + info.num_ack_pending
        return total

    async def rebuild(self, progress: Callable[[dict[str, Any]], Awaitable[None]]) -> RebuildReply:
        started = time.perf_counter()
        await self.stop()
        await asyncio.to_thread(self.projector.reset)
        total = 0
        for d in DEPARTMENTS:
            total += (await self.js.stream_info(stream_name(d))).state.messages
        await self.start()
        while (left := await self.backlog()) > 0:
            await progress({"total": total, "done": max(total - left, 0)})
            await asyncio.sleep(0.2)
        seconds = time.perf_counter() - started
        await progress({"total": total, "done": total})
        rows = await asyncio.to_thread(self.projector.models.samples.rows, self.store)
        return RebuildReply(events=total, seconds=round(seconds, 3), rows=len(rows))

    def status(self) -> dict[str, Any]:
        return {"service": PROJECTIONS, "pid": os.getpid(),
                "consumers": {c.durable: {"processed": c.processed, "dead_lettered": c.dead_lettered}
                              for c in self.consumers}}


async def serve(settings: Settings, stopped: Callable[[], Awaitable[None]] | None = None) -> None:
    url = settings.resolved_nats_url()
    nc = await connect(url, "salesflow-projections")
    js = nc.jetstream(timeout=10.0)
    await ensure_streams(js, settings)
    store = await asyncio.to_thread(ViewStore, settings.store_env(PROJECTIONS))
    projections = Projections(js, store, settings)
    models = projections.projector.models
    broker = NatsBroker(url, logger=None, graceful_timeout=5.0)
    lock = asyncio.Lock()

    @broker.subscriber(QUERY_SAMPLES, queue=PROJECTIONS, title="Sample Record Summary")
    async def on_samples(query: SamplesQuery) -> bytes:
        rows = await asyncio.to_thread(models.samples.rows, store, query.customer, query.status,
                                       query.month)
        return json.dumps(rows).encode()

    calendar = WorkingCalendar.from_env(os.environ)

    @broker.subscriber(QUERY_SAMPLE_MONTH, queue=PROJECTIONS, title="Month-end sample analysis")
    async def on_sample_month(query: SampleMonthQuery) -> bytes:
        def answer() -> dict[str, Any]:
            rows = models.samples.rows(store, month=query.month)
            return {**analyse(query.month, rows, calendar),
                    "notes": models.month_notes.notes(store, query.month)}

        return json.dumps(await asyncio.to_thread(answer), ensure_ascii=False).encode()

    @broker.subscriber(QUERY_HISTORY, queue=PROJECTIONS, title="Audit trail of one record")
    async def on_history(query: HistoryQuery) -> bytes:
        return json.dumps(await asyncio.to_thread(models.audit.history, store, query.record_no)).encode()

    customer_queries.register(broker, store, models.customers)

    @broker.subscriber(CTL_REBUILD, title="Rebuild every read model from the streams")
    async def on_rebuild() -> bytes:
        async def progress(state: dict[str, Any]) -> None:
            await nc.publish(CTL_REBUILD_PROGRESS, json.dumps(state).encode())

        async with lock:
            reply = await projections.rebuild(progress)
        return reply.model_dump_json().encode()

    @broker.subscriber(status_subject(PROJECTIONS))
    async def on_status() -> bytes:
        return json.dumps(projections.status()).encode()

    await projections.start()
    await broker.start()
    log.info("projections ready (pid %d)", os.getpid())
    try:
        await (stopped() if stopped else until_signalled())
    finally:
        await broker.stop()
        await projections.stop()
        await nc.drain()
        await asyncio.to_thread(store.close)
