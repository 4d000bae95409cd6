"""Runs one department service: command subscriber, outbox relay, consumers of other departments.

Commands are handled by every running copy. The relay and the consumers run only in the copy
that holds the department's lease (``services.runtime.lease``); the others stand by.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking
from faststream.nats import NatsBroker, NatsMessage
from nats.js import JetStreamContext

from contracts.subjects import (
    queue_group,
    redrive_subject,
    status_subject,
)
from contracts.timers import TIMERS_STREAM, TimerDue
from services.runtime import dead_letters
from services.runtime.calendar_feed import CalendarFeed
from services.runtime.command_intake import CommandIntake
from services.runtime.commands import CommandBus
from services.runtime.connect import broker_options, connect, server_list
from services.runtime.consumer import StreamConsumer
from services.runtime.lease import Lease, close_nats
from services.runtime.lifecycle import cancel_and_wait, until_signalled, wait_until_set
from services.runtime.relay import Relay
from services.runtime.settings import Settings
from services.runtime.spec import ServiceSpec, reaction_handler
from services.runtime.store import DepartmentApplication
from services.runtime.streams import ensure_streams

log = logging.getLogger(__name__)


class ActiveSet:
    """The relay and the consumers of one department, started and stopped with its lease."""

    def __init__(self, spec: ServiceSpec, app: DepartmentApplication, js: JetStreamContext,
                 settings: Settings, relay: Relay, poke: Callable[[], None]) -> None:
        self.spec, self.app, self.js, self.settings = spec, app, js, settings
        self.relay, self.poke = relay, poke
        self.consumers: list[StreamConsumer] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.stopping = asyncio.Event()

    def _consumers(self) -> list[StreamConsumer]:
        name, app = self.spec.department.value, self.app

        async def position(tracking_name: str) -> int:
            return await asyncio.to_thread(app.tracked_position, tracking_name)

        async def skip(tracking: Tracking) -> None:
            await asyncio.to_thread(app.process_recorder.insert_tracking, tracking)

        common: dict[str, Any] = dict(js=self.js, consumer=name, position=position, skip=skip,
                                      settings=self.settings)
        consumers = [
            StreamConsumer(source=source.value, filter_subjects=subjects,
                           handle=reaction_handler(app, self.spec.reactions, self.poke), **common)
            for source, subjects in self.spec.sources().items()
        ]
        if self.spec.timers:
            consumers.append(StreamConsumer(
                source="timers", stream=TIMERS_STREAM,
                filter_subjects=[TimerDue.subject_for(timer) for timer in self.spec.timers],
                handle=reaction_handler(app, self.spec.timers, self.poke, key=lambda due: due.name),
                decoder=lambda msg: TimerDue.model_validate_json(msg.data), **common))
        return consumers

    async def start(self) -> None:
        self.stopping.clear()
        self.consumers = self._consumers()
        self.tasks = [asyncio.create_task(self.relay.run(), name=f"{self.app.name}-relay")]
        self.tasks += [asyncio.create_task(c.run(), name=c.durable) for c in self.consumers]
        if self.spec.on_active is not None:
            self.tasks.append(asyncio.create_task(self._on_active(),
                                                  name=f"{self.app.name}-on-active"))

    async def _on_active(self) -> None:
        """The spec's start-up step (the sla service: schedule the first 16:00 report, issue
        the missed ones), tried again until it succeeds or the copy stops: with the store
        away at the moment of taking over, giving up would leave no report ever scheduled."""
        assert self.spec.on_active is not None
        delay = 0.5
        while not self.stopping.is_set():
            try:
                await asyncio.to_thread(self.spec.on_active, self.app)
            except Exception:  # any failure: logged, tried again
                log.exception("%s: the start-up step of the active copy failed; trying again "
                              "in %.1f s", self.app.name, delay)
                await wait_until_set(self.stopping, delay)
                delay = min(delay * 2, 30.0)
                continue
            self.poke()
            return

    async def stop(self, patience: float = 15.0) -> None:
        """Consumers finish the batch they apply, the relay the page it publishes; whatever has
        not stopped after ``patience`` seconds is cancelled (and named in the log), so a lease
        that was lost is never held up by its old work."""
        self.stopping.set()
        for consumer in self.consumers:
            consumer.stop()
        self.relay.stop()
        if self.tasks:
            _, late = await asyncio.wait(self.tasks, timeout=patience)
            for task in late:
                log.error("%s did not stop within %.0f s; cancelling it", task.get_name(),
                          patience)
                task.cancel()
            if late:
                await asyncio.wait(late, timeout=5.0)
        self.tasks = []

    async def status(self) -> dict[str, Any]:
        backlog = await asyncio.to_thread(self.relay.backlog) if self.tasks else None
        return {
            "relay": {"published": self.relay.published, "backlog": backlog,
                      "error": self.relay.error},
            "consumers": {c.durable: {"processed": c.processed, "dead_lettered": c.dead_lettered,
                                      "waiting": c.waiting} for c in self.consumers},
        }


async def serve(spec: ServiceSpec, settings: Settings,
                stopped: Callable[[], Awaitable[None]] | None = None) -> None:
    """Run until ``stopped`` returns (default: SIGINT / SIGTERM)."""
    name = spec.department.value
    url = settings.resolved_nats_url()
    login = settings.nats_login(name)
    nc = await connect(url, f"salesflow-{name}", login)
    js = nc.jetstream(timeout=10.0)
    await ensure_streams(js, settings)
    app = await open_store(spec.application, settings.store_env(name))
    feed = CalendarFeed(app.base_calendar)
    if app.calendar_from_feed:  # the company's entries, before the first command counts with them
        await feed.start(js)
        app.calendar_source = feed.current
    if spec.configure is not None:
        spec.configure(app, settings)
    if spec.attach is not None:
        spec.attach(app, nc, settings)
    loop = asyncio.get_running_loop()
    relay = Relay(app, js, batch=settings.relay_batch, timer_grace=settings.timer_grace_seconds,
                  clock_offset=settings.clock_offset_seconds if spec.clock_offset else 0.0,
                  local_timers=settings.timers == "local")
    poke = lambda: loop.call_soon_threadsafe(relay.poke)
    preparers = {cls: functools.partial(prepare, js, settings=settings)
                 for cls, prepare in spec.preparers.items()}
    bus = CommandBus(app, spec.commands, settings.command_retries, on_stored=poke,
                     preparers=preparers, department=spec.department.value,
                     batch_size=settings.command_batch_size,
                     batch_window=settings.command_batch_window_ms / 1000)
    active = ActiveSet(spec, app, js, settings, relay, poke)
    lease = Lease(js, name, ttl=settings.lease_ttl_seconds, replicas=settings.stream_replicas,
                  on_acquired=active.start, on_lost=active.stop)
    broker = NatsBroker(server_list(url or ""), logger=None, graceful_timeout=5.0,
                        **broker_options(login))

    # Many commands at once, so that those arriving together are written together (group commit).
    intake = CommandIntake(nc, name, bus, settings.command_concurrency)

    @broker.subscriber(status_subject(name), title=f"{name} status")
    async def on_status() -> bytes:
        state = {"service": name, "pid": os.getpid(), "role": lease.role, **await active.status(),
                 "commands": asdict(bus.group.counts) if bus.group is not None else None,
                 "calendar": {"entries": feed.entries, "from_feed": app.calendar_from_feed}}
        return json.dumps(state).encode()

    @broker.subscriber(redrive_subject(name), queue=queue_group(name),
                       title=f"Redrive a dead letter of {name}")
    async def on_redrive(msg: NatsMessage) -> bytes:
        return await dead_letters.redrive_reply(js, msg.body, name, active.consumers)

    lease_task = asyncio.create_task(lease.run(), name=f"{name}-lease")
    await intake.start()  # before the status answers: a caller that saw it may send commands
    await broker.start()
    log.info("%s service ready (pid %d)", name, os.getpid())
    try:
        await (stopped() if stopped else until_signalled())
    finally:
        await intake.stop()
        await broker.stop()
        await feed.stop()
        lease.stop()
        await cancel_and_wait(lease_task)
        await active.stop()
        await close_nats(nc, lease)
        await asyncio.to_thread(app.close)


async def open_store(cls: type[DepartmentApplication], env: dict[str, str],
                     attempts: int = 5) -> DepartmentApplication:
    """Two copies starting together on a new store both create its tables: the later one's
    first write then conflicts. Opening again finds the tables made."""
    for attempt in range(1, attempts + 1):
        try:
            return await asyncio.to_thread(cls, env)
        except IntegrityError:
            if attempt == attempts:
                raise
            await asyncio.sleep(0.2 * attempt)
    raise AssertionError("unreachable")
