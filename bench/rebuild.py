"""Step 2: rebuilding the projections from a stream against a raw pull ``fetch(500)`` + ack.

Both read the whole department stream through a durable pull consumer configured the same way
(explicit acks, at most ``4 x fetch_batch`` unacknowledged). The raw side only acknowledges
each message; ours is a ``StreamConsumer`` feeding a fresh ``Projector`` over a temporary
SQLite ``ViewStore``: decoding every event, folding the Sample Record Summary, writing the
audit trail and the tracking in one transaction per batch, then acknowledging.
"""
from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable

from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import FetchTimeoutError, NotFoundError

from bench.relay import Rate
from contracts.subjects import stream_name
from projections.projector import Projector
from projections.store import ViewStore
from services.runtime.consumer import StreamConsumer
from services.runtime.settings import Settings

Say = Callable[[str], None]
SOURCE = "sales"
LIMIT_SECONDS = 300.0


async def close(consumer: StreamConsumer) -> None:
    """Unsubscribe, whichever of ``close()`` / ``stop()`` this version of the consumer has."""
    ending = getattr(consumer, "close", None) or consumer.stop
    result = ending()
    if inspect.isawaitable(result):
        await result


async def raw_fetch(js: JetStreamContext, settings: Settings, events: int, say: Say) -> Rate:
    """A bare durable pull consumer: ``fetch(fetch_batch)`` and ``msg.ack()`` per message."""
    stream = stream_name(SOURCE)
    durable = "bench-raw-from-sales"
    try:
        await js.delete_consumer(stream, durable)
    except NotFoundError:
        pass
    await js.add_consumer(stream, ConsumerConfig(
        durable_name=durable, ack_policy=AckPolicy.EXPLICIT, ack_wait=settings.ack_wait_seconds,
        max_deliver=-1, max_ack_pending=settings.fetch_batch * 4, deliver_policy=DeliverPolicy.ALL))
    sub = await js.pull_subscribe_bind(durable, stream=stream)
    say(f"raw fetch({settings.fetch_batch}) + ack: {events} messages of {stream} ...")
    done = 0
    deadline = time.monotonic() + LIMIT_SECONDS
    started = time.perf_counter()
    while done < events:
        try:
            msgs = await sub.fetch(settings.fetch_batch, timeout=1.0)
        except (FetchTimeoutError, TimeoutError):
            msgs = []
        for msg in msgs:
            await msg.ack()
        done += len(msgs)
        if time.monotonic() > deadline:
            raise TimeoutError(f"raw consumer read only {done} of {events}")
    seconds = time.perf_counter() - started
    await sub.unsubscribe()
    await js.delete_consumer(stream, durable)
    return Rate(done, seconds)


async def rounds(js: JetStreamContext, settings: Settings, events: int, count: int,
                 say: Say) -> tuple[Rate, Rate, int]:
    """``count`` alternating rounds of raw and ours; the best of each (the machine is shared)."""
    raws: list[Rate] = []
    ours: list[Rate] = []
    rows = 0
    for n in range(1, count + 1):
        raw = await raw_fetch(js, settings, events, say)
        raws.append(raw)
        say(f"  round {n}: raw {raw.per_second:,.0f} msgs/s ({raw.seconds:.2f} s)")
        views = settings.model_copy(update={"data_dir": settings.data_dir / f"views-{n}"})
        rate, rows = await projection_rebuild(js, views, events, say)
        ours.append(rate)
        say(f"  round {n}: rebuild {rate.per_second:,.0f} events/s ({rate.seconds:.2f} s), "
            f"{rows} summary rows")
    return (max(ours, key=lambda r: r.per_second), max(raws, key=lambda r: r.per_second), rows)


async def projection_rebuild(js: JetStreamContext, settings: Settings, events: int,
                             say: Say) -> tuple[Rate, int]:
    """Our consumer and projector from an empty view store; returns the rate and the row count.

    The durable ``bench-projections-from-sales`` is reset to the stream's start by
    ``ensure_consumer`` because the fresh store has no tracking, exactly as in a real rebuild.
    """
    store = await asyncio.to_thread(ViewStore, settings.store_env("projections"))
    try:
        projector = Projector(store)
        consumer = StreamConsumer(
            js, consumer="bench-projections", source=SOURCE, filter_subjects=[],
            handle=projector.handle,
            position=lambda s: asyncio.to_thread(store.position, s), settings=settings)
        say(f"projection rebuild: {events} events into a fresh view store ...")
        deadline = time.monotonic() + LIMIT_SECONDS
        started = time.perf_counter()
        await consumer.start()
        while consumer.processed < events:
            await consumer.poll_once(timeout=1.0)
            if consumer.dead_lettered:
                raise RuntimeError(f"{consumer.dead_lettered} events were dead-lettered")
            if time.monotonic() > deadline:
                raise TimeoutError(f"projections applied only {consumer.processed} of {events}")
        seconds = time.perf_counter() - started
        await close(consumer)
        rows = len(await asyncio.to_thread(projector.models.samples.rows, store))
        return Rate(consumer.processed, seconds), rows
    finally:
        await asyncio.to_thread(store.close)
