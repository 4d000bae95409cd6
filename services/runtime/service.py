"""Runs one department service: command subscriber, outbox relay, consumers of other departments."""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
from collections.abc import Awaitable, Callable

from faststream.nats import NatsBroker, NatsMessage

from contracts.subjects import command_wildcard, queue_group, status_subject
from contracts.timers import TIMERS_STREAM, TimerDue
from services.runtime.commands import CommandBus, reply_bytes
from services.runtime.connect import connect
from services.runtime.consumer import StreamConsumer
from services.runtime.lifecycle import until_signalled
from services.runtime.relay import Relay
from services.runtime.settings import Settings
from services.runtime.spec import ServiceSpec, reaction_handler
from services.runtime.streams import ensure_streams

log = logging.getLogger(__name__)


async def serve(spec: ServiceSpec, settings: Settings,
                stopped: Callable[[], Awaitable[None]] | None = None) -> None:
    """Run until ``stopped`` returns (default: SIGINT / SIGTERM)."""
    name = spec.department.value
    url = settings.resolved_nats_url()
    nc = await connect(url, f"salesflow-{name}")
    js = nc.jetstream(timeout=10.0)
    streams = await ensure_streams(js, settings)
    app = await asyncio.to_thread(spec.application, settings.store_env(name))
    loop = asyncio.get_running_loop()
    relay = Relay(app, js, batch=settings.relay_batch, timer_grace=settings.timer_grace_seconds,
                  timers=TIMERS_STREAM in streams)
    poke = lambda: loop.call_soon_threadsafe(relay.poke)  # noqa: E731 - called from threads
    preparers = {cls: functools.partial(prepare, js) for cls, prepare in spec.preparers.items()}
    bus = CommandBus(app, spec.commands, settings.command_retries, on_stored=poke,
                     preparers=preparers)
    consumers = [
        StreamConsumer(js, consumer=name, source=source.value, filter_subjects=subjects,
                       handle=reaction_handler(app, spec.reactions, poke),
                       position=lambda stream: asyncio.to_thread(app.tracked_position, stream),
                       settings=settings)
        for source, subjects in spec.sources().items()
    ]
    if spec.timers and TIMERS_STREAM in streams:
        consumers.append(StreamConsumer(
            js, consumer=name, source="timers", stream=TIMERS_STREAM,
            filter_subjects=[TimerDue.subject_for(timer) for timer in spec.timers],
            handle=reaction_handler(app, spec.timers, poke, key=lambda due: due.name),
            position=lambda stream: asyncio.to_thread(app.tracked_position, stream),
            settings=settings, decoder=lambda msg: TimerDue.model_validate_json(msg.data)))

    broker = NatsBroker(url, logger=None, graceful_timeout=5.0)

    @broker.subscriber(command_wildcard(name), queue=queue_group(name),
                       title=f"{name} commands", description=f"Commands of the {name} service")
    async def on_command(msg: NatsMessage) -> bytes:
        command = msg.raw_message.subject.rsplit(".", 1)[-1]
        return reply_bytes(await bus.handle(command, msg.body))

    @broker.subscriber(status_subject(name))
    async def on_status() -> bytes:
        return json.dumps({
            "service": name, "pid": os.getpid(), "relay_published": relay.published,
            "consumers": {c.durable: {"processed": c.processed, "dead_lettered": c.dead_lettered}
                          for c in consumers},
        }).encode()

    tasks = [asyncio.create_task(relay.run(), name=f"{name}-relay")]
    for consumer in consumers:
        tasks.append(asyncio.create_task(consumer.run(), name=consumer.durable))
    await broker.start()
    log.info("%s service ready (pid %d)", name, os.getpid())
    try:
        await (stopped() if stopped else until_signalled())
    finally:
        await broker.stop()
        for consumer in consumers:
            consumer.stop()
        tasks[0].cancel()  # the relay holds no transaction open across an await
        await asyncio.gather(*tasks, return_exceptions=True)
        await nc.drain()
        await asyncio.to_thread(app.close)

