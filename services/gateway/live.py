"""The dashboard's live feed: every department's new events, as small notices, to every open page.

One short-lived pull consumer per department stream (no acks, in memory, read-only like the
accounts feed in ``directory_feed``) starts at "now" the first time a page connects; each event
becomes a notice ``{type, record, department, at}`` handed to every connected page's queue. A
page that reads too slowly loses notices rather than holding the others up (a notice only says
"refetch"; the tables themselves are the truth). When NATS restarts, or a message is skipped,
the consumer starts again after the last stream sequence read.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.subjects import (
    DEPARTMENTS,
    HEADER_DEPARTMENT,
    HEADER_TYPE,
    PROJECTIONS,
    durable_name,
    stream_name,
    stream_subjects,
)
from events.envelope import Department
from services.runtime.messages import decode

log = logging.getLogger(__name__)

POLL_SECONDS = 2.0  # one long poll; also how soon a consumer lost in a NATS restart is noticed
RETRY_SECONDS = 0.25
BATCH = 256
# A notice waits until the projections applied its event, for at most this long (projections
# down or far behind: the page is told anyway, and refetches once more later).
APPLY_PATIENCE = 2.0
APPLY_POLL_SECONDS = 0.02
QUEUE_SIZE = 256  # notices waiting for one page; beyond it that page's oldest are dropped

Notice = dict[str, Any]


class _Gap(Exception):
    """A delivered message was skipped: start again after the last one read."""


class LiveFeed:
    """Fans the new events of every department stream out to the connected pages."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self._pages: set[asyncio.Queue[Notice]] = set()
        self._tasks: list[asyncio.Task[None]] = []
        self._last_seq: dict[Department, int] = {}
        self._started: dict[Department, asyncio.Event] = {}
        # Set by stop: the readers' loops end on it even when a cancellation was swallowed
        # (Python 3.11's wait_for inside nats-py's fetch may drop one).
        self._stopping = asyncio.Event()

    def subscribe(self) -> asyncio.Queue[Notice]:
        """A queue that receives every notice from now on (start the feed if it is not)."""
        if not self._tasks:
            self._stopping = asyncio.Event()
            for department in DEPARTMENTS:
                self._started[department] = asyncio.Event()
                self._tasks.append(asyncio.create_task(self._run(department, self._stopping),
                                                       name=f"live-{department.value}"))
        queue: asyncio.Queue[Notice] = asyncio.Queue(QUEUE_SIZE)
        self._pages.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Notice]) -> None:
        self._pages.discard(queue)

    @property
    def pages(self) -> int:
        return len(self._pages)

    async def ready(self, timeout: float = 10.0,
                    departments: Iterable[Department] = DEPARTMENTS) -> None:
        """Wait until these departments' consumers are in place (tests; a page need not wait)."""
        await asyncio.wait_for(asyncio.gather(*(self._started[d].wait() for d in departments)),
                               timeout)

    async def stop(self) -> None:
        """Stop reading, and end every page's stream (an empty notice says "the end")."""
        pages, self._pages = self._pages, set()
        for queue in pages:
            if queue.full():
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait({})
        tasks, self._tasks = self._tasks, []
        self._stopping.set()
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2.0)

    def publish(self, notice: Notice) -> None:
        for queue in list(self._pages):
            if queue.full():  # a slow page: drop its oldest notice, not the newest
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(notice)

    async def _run(self, department: Department, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                sub = await self._subscribe(department)
            except NotFoundError:  # the department's service has not declared its stream yet
                # so whatever the stream will hold is new: read it from its start, or the
                # events stored before the next try would never reach a page.
                self._last_seq.setdefault(department, 0)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            except (nats.errors.Error, TimeoutError):
                await asyncio.sleep(RETRY_SECONDS)
                continue
            self._started[department].set()
            try:
                await self._follow(department, sub, stopping)
            except (nats.errors.Error, TimeoutError, _Gap) as error:
                log.info("live feed of %s: reading again after stream sequence %d (%s)",
                         department.value, self._last_seq.get(department, 0),
                         type(error).__name__)
                await asyncio.sleep(RETRY_SECONDS)
            except Exception:  # a feed that died quietly would leave every page stale
                log.exception("live feed of %s failed; reading again", department.value)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(nats.errors.Error, TimeoutError):
                    await asyncio.wait_for(sub.unsubscribe(), 1.0)

    async def _subscribe(self, department: Department) -> JetStreamContext.PullSubscription:
        last = self._last_seq.get(department)
        start: dict[str, Any] = (
            {"deliver_policy": DeliverPolicy.NEW} if last is None else
            {"deliver_policy": DeliverPolicy.BY_START_SEQUENCE, "opt_start_seq": last + 1})
        stream = stream_name(department)
        # Made without a name (the server names it): the gateway may create ephemeral
        # consumers only (services.runtime.nats_auth), then pulls from it by that name.
        info = await self.js.add_consumer(stream, config=ConsumerConfig(
            filter_subject=stream_subjects(department), ack_policy=AckPolicy.NONE,
            inactive_threshold=30.0, mem_storage=True, num_replicas=1, **start))
        return await self.js.pull_subscribe_bind(info.name, stream=stream)

    async def _follow(self, department: Department, sub: JetStreamContext.PullSubscription,
                      stopping: asyncio.Event) -> None:
        """Read until the consumer is lost (an exception says how)."""
        if department not in self._last_seq:  # "now": what the stream holds is history
            info = await sub.consumer_info()
            self._last_seq[department] = (info.delivered.stream_seq or 0
                                          if info.delivered is not None else 0)
        delivered = pending = 0
        while not stopping.is_set():
            try:
                # One at a time when nothing waits: a batch long poll would wait to fill up.
                messages = await sub.fetch(min(max(pending, 1), BATCH), timeout=POLL_SECONDS)
            except nats.errors.TimeoutError:
                # Nothing new, or the consumer died with a NATS restart: this says which.
                pending = (await sub.consumer_info()).num_pending or 0
                continue
            fresh: list[Notice] = []
            for msg in messages:
                meta = msg.metadata
                if meta.sequence.consumer != delivered + 1:
                    raise _Gap(f"consumer sequence {meta.sequence.consumer} after {delivered}")
                delivered += 1
                pending = meta.num_pending or 0
                if meta.sequence.stream > self._last_seq[department]:
                    self._last_seq[department] = meta.sequence.stream
                    fresh.append(notice(msg, department))
            if fresh:
                await self._applied(department, self._last_seq[department])
                for item in fresh:
                    self.publish(item)

    async def _applied(self, department: Department, stream_seq: int) -> None:
        """Wait (at most ``APPLY_PATIENCE``) until the projections applied the stream up to
        ``stream_seq``: a page told earlier would refetch a table without the new row. They
        acknowledge an event once it is in the read model, so their consumer's ack floor says
        it; without projections there is nothing to wait for."""
        stream, durable = stream_name(department), durable_name(PROJECTIONS, department.value)
        until = asyncio.get_running_loop().time() + APPLY_PATIENCE
        while asyncio.get_running_loop().time() < until:
            try:
                info = await self.js.consumer_info(stream, durable, timeout=1.0)
            except NotFoundError:
                return
            except (nats.errors.Error, TimeoutError) as error:
                # Waiting is a courtesy: a NATS too slow to say must not cost the pages these
                # notices (the stream position is already past them).
                log.debug("live feed: projections' position of %s unknown (%s); telling now",
                          department.value, type(error).__name__)
                return
            floor = info.ack_floor.stream_seq if info.ack_floor is not None else 0
            if (floor or 0) >= stream_seq or not (info.num_pending or info.num_ack_pending):
                return
            await asyncio.sleep(APPLY_POLL_SECONDS)


def notice(msg: Msg, department: Department) -> Notice:
    """The page's notice of one event: what happened, to which record, when (no facts)."""
    headers = msg.headers or {}
    kind = headers.get(HEADER_TYPE, "").rpartition(".v")[0] or None
    record: str | None = None
    at = datetime.now(UTC).isoformat()
    try:
        event = decode(msg)
        field = event.record_field
        record = str(getattr(event, field)) if field and getattr(event, field, None) else None
        at = event.timestamp.isoformat()
    except Exception as error:  # noqa: BLE001 - an unreadable event still means "a change"
        log.debug("live notice of %s without its record: %s", msg.subject, error)
    return {"type": kind, "record": record,
            "department": headers.get(HEADER_DEPARTMENT, department.value), "at": at}
