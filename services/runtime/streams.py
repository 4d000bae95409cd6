"""Every JetStream stream and durable consumer of salesflow, declared in one place at start-up."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import APIError, NotFoundError

from contracts.subjects import DEAD_LETTER_STREAM, DEPARTMENTS, PREFIX, stream_name, stream_subjects
from contracts.timers import TIMERS_STREAM
from services.runtime.settings import Settings

log = logging.getLogger(__name__)


def department_stream(department: str, settings: Settings) -> StreamConfig:
    """File storage, no age limit, a dedupe window that outlasts a relay outage."""
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
    )


def dead_letter_stream(settings: Settings) -> StreamConfig:
    return StreamConfig(
        name=DEAD_LETTER_STREAM,
        subjects=[f"{PREFIX}.dlq.>"],
        storage=StorageType.FILE,
        num_replicas=settings.stream_replicas,
    )


def timers_stream(settings: Settings) -> StreamConfig:
    """Message schedules (NATS 2.12+): a timer is a scheduled message that fires into the stream."""
    return StreamConfig(
        name=TIMERS_STREAM,
        subjects=[f"{PREFIX}.timers.>"],
        storage=StorageType.FILE,
        num_replicas=settings.stream_replicas,
        duplicate_window=settings.duplicate_window_hours * 3600,
        allow_msg_schedules=True,
    )


async def ensure_streams(js: JetStreamContext, settings: Settings) -> set[str]:
    """Create missing streams; update ours only where a setting we manage differs.

    Returns the names of the streams that exist afterwards (the timers stream needs NATS 2.12+)."""
    available: set[str] = set()
    wanted = [department_stream(d.value, settings) for d in DEPARTMENTS]
    wanted += [dead_letter_stream(settings), timers_stream(settings)]
    for config in wanted:
        assert config.name is not None
        try:
            info = await js.stream_info(config.name)
        except NotFoundError:
            try:
                info = await js.add_stream(config)
            except APIError as error:
                if config.name != TIMERS_STREAM:
                    raise
                log.error("cannot create %s (%s)", config.name, error)
                continue
            log.info("created stream %s", config.name)
        if config.name == TIMERS_STREAM and not info.config.allow_msg_schedules:
            # Servers before 2.12 accept the stream but silently drop the setting.
            log.error("this NATS server has no message schedules (needs 2.12 or newer): "
                      "promised times will not raise penalty requests")
            continue
        available.add(config.name)
        current = info.config
        if (
            current.subjects != config.subjects
            or current.num_replicas != config.num_replicas
            or (config.duplicate_window is not None
                and (current.duplicate_window or 0) != config.duplicate_window)
        ):
            current.subjects = config.subjects
            current.num_replicas = config.num_replicas
            if config.duplicate_window is not None:
                current.duplicate_window = config.duplicate_window
            await js.update_stream(current)
            log.info("updated stream %s", config.name)
    return available


async def ensure_consumer(
    js: JetStreamContext,
    stream: str,
    durable: str,
    filter_subjects: Iterable[str],
    tracked: int,
    settings: Settings,
) -> None:
    """Durable pull consumer that resumes right after ``tracked`` (our stored position).

    The tracking stored with our own writes is the truth. Unless the durable stands exactly
    there with nothing pending (a clean stop), it is recreated to start right after it: so
    messages left unacknowledged by a crash come back first, in order, and a store reset for a
    rebuild replays from the beginning.
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
        return
    floor = info.ack_floor.stream_seq if info.ack_floor else 0
    same_filter = sorted(info.config.filter_subjects or ([info.config.filter_subject]
                         if info.config.filter_subject else [])) == subjects
    if info.num_waiting and same_filter:
        return  # another instance of this service is pulling from it now: leave it alone
    if floor != tracked or info.num_ack_pending or info.num_redelivered or not same_filter:
        await js.delete_consumer(stream, durable)
        await js.add_consumer(stream, config)
        log.info("reset consumer %s on %s to start after %d", durable, stream, tracked)
