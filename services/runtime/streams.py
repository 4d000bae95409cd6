"""Every JetStream stream and durable consumer of salesflow, declared in one place at start-up.

Each stream carries an *epoch* in its metadata: a random id given when the stream is created.
Consumers name their tracking ``<stream>@<epoch>``, so a stream that was deleted and created
again (its sequences restart at 1) is consumed again from its start instead of having its first
messages taken for ones already applied.
"""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterable

from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
    StreamInfo,
)
from nats.js.errors import APIError, NotFoundError, ServiceUnavailableError

from contracts.subjects import DEAD_LETTER_STREAM, DEPARTMENTS, PREFIX, stream_name, stream_subjects
from contracts.timers import TIMERS_STREAM
from services.runtime.settings import Settings

log = logging.getLogger(__name__)

EPOCH_KEY = "salesflow_epoch"
STREAM_IN_USE = 10058  # JetStream: "stream name already in use with a different configuration"


class NatsTooOld(RuntimeError):
    """The NATS server lacks a feature salesflow needs (atomic batches, message schedules)."""


def department_stream(department: str, settings: Settings) -> StreamConfig:
    """File storage, no age limit, a dedupe window that outlasts a relay outage, atomic pages."""
    return StreamConfig(
        name=stream_name(department),
        subjects=[stream_subjects(department)],
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        discard=DiscardPolicy.OLD,
        max_age=0,
        duplicate_window=settings.duplicate_window_hours * 3600,
        num_replicas=settings.stream_replicas,
        allow_direct=True,
        allow_atomic=True,
    )


def dead_letter_stream(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=DEAD_LETTER_STREAM,
        subjects=[f"{PREFIX}.dlq.>"],
        storage=StorageType.FILE,
        num_replicas=settings.stream_replicas,
        duplicate_window=settings.duplicate_window_hours * 3600,
        allow_direct=True,
    )


def timers_stream(settings: Settings) -> StreamConfig:
    """Message schedules (NATS 2.12+): a timer is a scheduled message that fires into the stream."""
    return StreamConfig(
        name=TIMERS_STREAM,
        subjects=[f"{PREFIX}.timers.>"],
        storage=StorageType.FILE,
        num_replicas=settings.stream_replicas,
        duplicate_window=settings.duplicate_window_hours * 3600,
        # Local timers publish fired timers as plain messages: schedules are not needed then.
        allow_msg_schedules=settings.timers == "jetstream",
    )


def wanted_streams(settings: Settings) -> list[StreamConfig]:
    wanted = [department_stream(d.value, settings) for d in DEPARTMENTS]
    return [*wanted, dead_letter_stream(settings), timers_stream(settings)]


def epoch_of(info: StreamInfo) -> str:
    return (info.config.metadata or {}).get(EPOCH_KEY, "")


async def stream_epoch(js: JetStreamContext, stream: str) -> str:
    return epoch_of(await js.stream_info(stream))


async def ensure_streams(js: JetStreamContext, settings: Settings,
                         settle_seconds: float = 60.0) -> dict[str, str]:
    """Create missing streams; update ours only where a setting we manage differs.

    Returns each stream's epoch. On a cluster that is still forming (or when several processes
    start together) JetStream answers with timeouts or 503s for a while: retried until
    ``settle_seconds`` have passed, with a log line so a waiting user knows why."""
    epochs: dict[str, str] = {}
    deadline = time.monotonic() + settle_seconds
    for config in wanted_streams(settings):
        assert config.name is not None
        while True:
            try:
                epochs[config.name] = await _ensure_stream(js, config)
                break
            except (NatsTimeout, ServiceUnavailableError, asyncio.TimeoutError) as error:
                if time.monotonic() > deadline:
                    raise
                log.warning("JetStream not ready for %s (%s); retrying", config.name,
                            type(error).__name__)
                await asyncio.sleep(1.0)
    return epochs


async def _ensure_stream(js: JetStreamContext, config: StreamConfig) -> str:
    assert config.name is not None
    try:
        info = await js.stream_info(config.name)
    except NotFoundError:
        config.metadata = {EPOCH_KEY: uuid.uuid4().hex[:12]}
        try:
            info = await js.add_stream(config)
            log.info("created stream %s", config.name)
        except APIError as error:
            if error.err_code != STREAM_IN_USE:
                raise
            info = await js.stream_info(config.name)  # another process created it just now
    _check_features(info, config)
    current = info.config
    changed = (
        current.subjects != config.subjects
        or current.num_replicas != config.num_replicas
        or (current.duplicate_window or 0) != config.duplicate_window
        or (config.allow_atomic and not current.allow_atomic)
        or not epoch_of(info)
    )
    if changed:
        current.subjects = config.subjects
        current.num_replicas = config.num_replicas
        current.duplicate_window = config.duplicate_window
        current.allow_atomic = config.allow_atomic or current.allow_atomic
        current.metadata = {**(current.metadata or {}),
                            EPOCH_KEY: epoch_of(info) or uuid.uuid4().hex[:12]}
        info = await js.update_stream(current)
        log.info("updated stream %s", config.name)
    return epoch_of(info)


def _check_features(info: StreamInfo, config: StreamConfig) -> None:
    """Servers before 2.12 accept these settings and silently drop them."""
    lacking = [name for name, wanted, got in (
        ("atomic batch publish", config.allow_atomic, info.config.allow_atomic),
        ("message schedules", config.allow_msg_schedules, info.config.allow_msg_schedules),
    ) if wanted and not got]
    if lacking:
        raise NatsTooOld(
            f"this NATS server has no {' and no '.join(lacking)} (stream {config.name}): salesflow "
            f"needs nats-server 2.12 or newer / NATS 服务器版本过旧，salesflow 需要 2.12 或更新版本")


async def ensure_consumer(
    js: JetStreamContext,
    stream: str,
    durable: str,
    filter_subjects: Iterable[str],
    tracked: int,
    settings: Settings,
) -> int:
    """Durable pull consumer that resumes right after ``tracked`` (our stored position).

    The tracking stored with our own writes is the truth. Unless the durable stands exactly
    there with nothing pending (a clean stop), it is recreated to start right after it: so
    messages left unacknowledged by a crash come back first, in order, and a store reset for a
    rebuild replays from the beginning. Returns the durable's last delivered consumer sequence
    (the consumer checks that deliveries continue from it without a gap).
    """
    subjects = sorted(set(filter_subjects))
    config = ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.ALL,  # strictly in order: one ack covers the whole batch
        ack_wait=settings.ack_wait_seconds,
        max_deliver=-1,  # we count deliveries ourselves and dead-letter at settings.max_deliver
        max_ack_pending=settings.fetch_batch * 4,
        filter_subjects=subjects or None,
        deliver_policy=DeliverPolicy.BY_START_SEQUENCE if tracked else DeliverPolicy.ALL,
        opt_start_seq=tracked + 1 if tracked else None,
    )
    try:
        info = await js.consumer_info(stream, durable)
    except NotFoundError:
        await js.add_consumer(stream, config)
        return 0
    floor = info.ack_floor.stream_seq if info.ack_floor else 0
    same_filter = sorted(info.config.filter_subjects or ([info.config.filter_subject]
                         if info.config.filter_subject else [])) == subjects
    clean = (floor == tracked and not info.num_ack_pending and not info.num_redelivered
             and same_filter and info.delivered is not None
             and info.delivered.stream_seq == floor)
    if clean:
        return info.delivered.consumer_seq if info.delivered else 0
    await js.delete_consumer(stream, durable)
    await js.add_consumer(stream, config)
    log.info("reset consumer %s on %s to start after %d", durable, stream, tracked)
    return 0
