"""The projections process: consumes every department's stream, answers queries, rebuilds.

The read models themselves live in ``projections/``; this module only runs them. Rebuilds run
beside the live consumers (``projection_rebuild``): a read model whose stored build does not
match the code (schema version, zone) is rebuilt that way automatically when they start.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from faststream.nats import NatsBroker
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from pydantic import ValidationError

from contracts.calendar import WorkingCalendar
from contracts.queries import RebuildReply, RebuildRequest, query_error, refusal
from contracts.replies import ErrorBody
from contracts.subjects import (
    CTL_REBUILD,
    CTL_REBUILD_PROGRESS,
    DEPARTMENTS,
    PROJECTIONS,
    redrive_subject,
    status_subject,
)
from projections.projector import Projector
from projections.store import ViewStore
from services.runtime import customer_queries, dead_letters, projection_queries
from services.runtime.connect import broker_options, connect, server_list
from services.runtime.consumer import StreamConsumer
from services.runtime.lease import Lease, close_nats
from services.runtime.lifecycle import cancel_and_wait, until_signalled
from services.runtime.projection_rebuild import Progress, Rebuild, RebuildFailed
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams

log = logging.getLogger(__name__)


class RebuildRefused(Exception):
    """A rebuild that cannot start or did not finish; ``body`` is the reply."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body)
        self.body = body


class Projections:
    """Four live stream consumers feeding the live builds; rebuilds beside them."""

    def __init__(self, js: JetStreamContext, store: ViewStore, settings: Settings) -> None:
        self.js, self.store, self.settings = js, store, settings
        self.projector = Projector(store, zone=settings.zone())
        self.consumers: list[StreamConsumer] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.keys: dict[str, str] = {}  # department -> the live consumer's tracking key
        self.started = False
        self.rebuilding: Rebuild | None = None  # the rebuild under way
        self._run: asyncio.Task[RebuildReply] | None = None
        self._stale: asyncio.Task[None] | None = None
        self._logged_at = 0.0

    async def _position(self, department: str, key: str) -> int:
        self.keys[department] = key
        return await asyncio.to_thread(self.store.position, key)

    async def _skip(self, tracking: Tracking) -> None:
        """A dead-lettered event: its position is passed, so a restart does not try it again."""
        def record() -> None:
            with self.store.write() as c:
                self.store.track(c, tracking)

        await asyncio.to_thread(record)

    async def start(self) -> None:
        """Start the live consumers; rebuild, beside them, every model without a current build."""
        stale = await asyncio.to_thread(self.projector.open)
        self.consumers = [
            StreamConsumer(self.js, consumer=PROJECTIONS, source=d.value, filter_subjects=[],
                           handle=self.projector.handle,
                           position=functools.partial(self._position, d.value),
                           settings=self.settings, skip=self._skip)
            for d in DEPARTMENTS
        ]
        for consumer in self.consumers:
            await consumer.start()
        self.tasks = [asyncio.create_task(c.run(), name=c.durable) for c in self.consumers]
        self.started = True
        if stale:
            self._stale = asyncio.create_task(self._rebuild_stale(), name="rebuild-stale")

    async def stop(self) -> None:
        """Stop a rebuild under way (its new builds are forgotten), then let every live
        consumer finish the batch it is applying, and stop."""
        self.started = False
        pending = [t for t in (self._stale, self._run, *Rebuild.background)
                   if t is not None and not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for consumer in self.consumers:
            consumer.stop()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _rebuild_stale(self) -> None:
        delay = 1.0
        while self.started and self.projector.stale:
            names = [m.name for m in self.projector.stale]
            log.warning("read models %s have no build of the current schema: rebuilding them "
                        "from the streams", ", ".join(names))
            try:
                reply = await self.rebuild(names, self._log_progress)
                log.info("read models %s rebuilt from %d events in %.1f s", ", ".join(names),
                         reply.events, reply.seconds)
            except RebuildRefused as refused:
                log.error("rebuild of %s did not finish: %s; trying again in %.0f s",
                          ", ".join(names), refused.body["error"]["message_en"], delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)

    async def _log_progress(self, state: dict[str, Any], every: float = 2.0) -> None:
        now = time.monotonic()
        if now - self._logged_at >= every:
            self._logged_at = now
            log.info("rebuilding %s: %d/%d events", ", ".join(state["models"]), state["done"],
                     state["total"])

    async def rebuild(self, names: Sequence[str] | None, progress: Progress) -> RebuildReply:
        """Rebuild the named read models (every one when None); one rebuild at a time."""
        if not self.started:
            raise RebuildRefused(refusal(ErrorBody(
                kind="unavailable", message_en="these projections are not active (standby or "
                "stopping), so they cannot rebuild", message_zh="此投影服务未处于运行状态"
                "（备用或正在停止），无法重建")))
        if self.rebuilding is not None:
            state = self.rebuilding.state
            raise RebuildRefused(refusal(ErrorBody(
                kind="conflict",
                message_en=f"a rebuild of {', '.join(state['models'])} is already running "
                           f"({state['done']}/{state['total']} events); try again when it is done",
                message_zh=f"{', '.join(state['models'])} 正在重建（{state['done']}/"
                           f"{state['total']} 个事件），请在完成后再试")))
        models = self.projector.models.named(names) if names else self.projector.models.all()
        self.rebuilding = Rebuild(self.js, self.settings, self.projector, models,
                                  lambda: dict(self.keys))
        self._run = task = asyncio.create_task(self.rebuilding.run(progress), name="rebuild")
        try:
            await asyncio.wait({task})
        finally:
            self.rebuilding = None
        if task.cancelled():
            raise RebuildRefused(refusal(ErrorBody(
                kind="unavailable",
                message_en="the rebuild was stopped because the projections are stopping; "
                           "the previous tables are still served",
                message_zh="投影服务正在停止，重建已中止；仍在使用原有的表")))
        error = task.exception()
        if error is not None:
            what = f"the rebuild of {', '.join(m.name for m in models)}"
            if isinstance(error, RebuildFailed):
                what += f" ({error})"
            raise RebuildRefused(projection_queries.internal(
                what, error, "; the previous tables are still served", "；仍在使用原有的表"))
        return task.result()

    def status(self) -> dict[str, Any]:
        """Brief decision 5's payload, with ``rebuilding`` and the rebuild's progress, and the
        read models that have no complete table yet (their queries are refused meanwhile)."""
        return {"service": PROJECTIONS, "pid": os.getpid(),
                "role": "active" if self.started else "standby",
                "consumers": {c.durable: {"processed": c.processed, "dead_lettered": c.dead_lettered,
                                          "waiting": c.waiting} for c in self.consumers},
                "rebuilding": self.rebuilding is not None,
                "rebuild": dict(self.rebuilding.state) if self.rebuilding else None,
                "unavailable": [m.name for m in self.projector.stale]}


async def serve(settings: Settings, stopped: Callable[[], Awaitable[None]] | None = None) -> None:
    """Queries are answered by every copy; the copy holding the lease runs the consumers and
    answers rebuild and redrive requests."""
    url = settings.resolved_nats_url()
    login = settings.nats_login(PROJECTIONS)
    nc = await connect(url, "salesflow-projections", login)
    js = nc.jetstream(timeout=10.0)
    await ensure_streams(js, settings)
    store = await asyncio.to_thread(ViewStore, settings.store_env(PROJECTIONS))
    projections = Projections(js, store, settings)
    models = projections.projector.models
    broker = NatsBroker(server_list(url or ""), logger=None, graceful_timeout=5.0,
                        **broker_options(login))
    projection_queries.register(broker, store, models, WorkingCalendar.from_env(os.environ),
                                nc.max_payload or projection_queries.DEFAULT_MAX_PAYLOAD)
    customer_queries.register(broker, store, models.customers)

    # The control subjects are subscribed before the consumers start (a consumer may
    # dead-letter its first message before the last one is set up, and the redrive of it must
    # find someone); their handlers wait until every consumer runs.
    started = asyncio.Event()

    async def on_rebuild(msg: Msg) -> None:
        await started.wait()
        await msg.respond(await rebuild_reply(projections, nc, msg.data))

    async def on_redrive(msg: Msg) -> None:
        await started.wait()
        await msg.respond(await dead_letters.redrive_reply(
            js, msg.data, PROJECTIONS, projections.consumers,
            lambda name: asyncio.to_thread(store.position, name)))

    active: list[Any] = []  # the control subscriptions of the active copy

    async def activate() -> None:
        active.extend([await nc.subscribe(CTL_REBUILD, cb=on_rebuild),
                       await nc.subscribe(redrive_subject(PROJECTIONS), cb=on_redrive)])
        await nc.flush()
        await projections.start()
        started.set()

    async def deactivate() -> None:
        started.clear()
        while active:
            await active.pop().unsubscribe()
        await projections.stop()

    lease = Lease(js, PROJECTIONS, ttl=settings.lease_ttl_seconds,
                  replicas=settings.stream_replicas, on_acquired=activate, on_lost=deactivate)

    @broker.subscriber(status_subject(PROJECTIONS), title="projections status")
    async def on_status() -> bytes:
        return json.dumps(projections.status()).encode()

    lease_task = asyncio.create_task(lease.run(), name="projections-lease")
    await broker.start()
    log.info("projections ready (pid %d)", os.getpid())
    try:
        await (stopped() if stopped else until_signalled())
    finally:
        await broker.stop()
        lease.stop()
        await cancel_and_wait(lease_task)
        await deactivate()
        await close_nats(nc, lease)
        await asyncio.to_thread(store.close)


async def rebuild_reply(projections: Projections, nc: Any, body: bytes) -> bytes:
    try:
        request = RebuildRequest.model_validate_json(body or b"{}")
    except ValidationError as error:
        return projection_queries.dumps(refusal(query_error(error)))

    async def progress(state: dict[str, Any]) -> None:
        shown = {k: state[k] for k in ("models", "done", "total") if k in state}
        await nc.publish(CTL_REBUILD_PROGRESS, json.dumps(shown).encode())

    try:
        reply = await projections.rebuild([request.model] if request.model else None, progress)
    except RebuildRefused as refused:
        return projection_queries.dumps(refused.body)
    return reply.model_dump_json().encode()
