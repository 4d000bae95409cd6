"""Following the user events of the ``sla`` stream into a ``Directory``, live.

An ephemeral pull consumer (no acks, in memory) reads from the stream sequence after the last
one applied; one long poll at a time brings a new event in milliseconds. When NATS restarts the
consumer is gone: the next poll finds it missing and a new one starts where the last one left
off. A gap in the consumer's delivery count (a message lost on a dropped connection) is mended
the same way. The directory applies each event once, so reading one twice does no harm.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

import nats.errors
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError

from contracts.subjects import USER_SUBJECTS, stream_name
from events.envelope import Department
from events.users import UserEvent
from services.runtime.messages import decode

if TYPE_CHECKING:  # accounts imports this module, to offer DirectoryFeed with the rest
    from services.gateway.accounts import Directory

log = logging.getLogger(__name__)

STREAM = stream_name(Department.SLA)
POLL_SECONDS = 2.0  # one long poll; also how soon a consumer lost in a NATS restart is noticed
RETRY_SECONDS = 0.25
BATCH = 256


class _Gap(Exception):
    """A delivered message was skipped: start again after the last one applied."""


class DirectoryFeed:
    """Follows the user events of the SLA stream (subjects ``salesflow.sla.user.>``, stream
    ``SALESFLOW_SLA``) into a Directory, live."""

    def __init__(self, js: JetStreamContext, directory: Directory) -> None:
        self.js = js
        self.directory = directory
        self._last_seq = 0  # stream sequence of the last user event read
        self._caught_up = False
        self._ready: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        # Set by stop: the loops end on it even when a cancellation was swallowed (Python
        # 3.11's wait_for inside nats-py's fetch may drop one).
        self._stopping = asyncio.Event()
        self._waiting_for = "NATS to answer"  # what start() names when it gives up

    @property
    def caught_up(self) -> bool:
        """True once every user event stored when the feed started was applied (it stays so)."""
        return self._caught_up

    async def start(self, timeout: float = 30.0) -> None:
        """Follow the stream; return once caught up with what it held when the feed started.

        While the stream does not exist yet (the sla service declares it) the feed waits, and
        says so once. ``TimeoutError`` (naming what it waited for) after ``timeout`` seconds,
        with the feed stopped."""
        if self._task is None:
            self._ready, self._stopping = asyncio.Event(), asyncio.Event()
            self._task = asyncio.create_task(self._run(), name="directory-feed")
        assert self._ready is not None
        waiting = asyncio.create_task(self._ready.wait())
        done, _ = await asyncio.wait({waiting, self._task}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if self._task in done:  # it never ends by itself: a bug, raise it here
            task, self._task = self._task, None
            task.result()
        if waiting not in done:
            await self.stop()
            raise TimeoutError(
                f"the accounts (user events {USER_SUBJECTS} of stream {STREAM}) were not read "
                f"within {timeout:g} s: waited for {self._waiting_for} / 未能在 {timeout:g} 秒内"
                f"读取用户账户（{STREAM} 流的 {USER_SUBJECTS}）")

    async def stop(self) -> None:
        """Stop following (never held up by a NATS that is gone)."""
        if self._task is not None:
            task, self._task = self._task, None
            self._stopping.set()
            task.cancel()
            await asyncio.wait({task}, timeout=2.0)

    async def _run(self) -> None:
        said_waiting = False
        while not self._stopping.is_set():
            try:
                sub = await self._subscribe()
            except NotFoundError:
                self._waiting_for = f"the stream {STREAM} (the sla service declares it)"
                if not said_waiting:
                    said_waiting = True
                    log.info("waiting for the stream %s (the sla service declares it) to read the "
                             "accounts / 等待 sla 服务创建 %s 流以读取用户账户", STREAM, STREAM)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            except (nats.errors.Error, TimeoutError) as error:
                self._waiting_for = f"NATS to answer ({type(error).__name__})"
                await asyncio.sleep(RETRY_SECONDS)
                continue
            try:
                await self._follow(sub)
            except (nats.errors.Error, TimeoutError, _Gap) as error:
                log.info("accounts feed: reading again after stream sequence %d (%s)",
                         self._last_seq, type(error).__name__)
                await asyncio.sleep(RETRY_SECONDS)
            except Exception:  # a feed that died quietly would keep revoked tokens working
                log.exception("accounts feed failed; reading again after stream sequence %d",
                              self._last_seq)
                await asyncio.sleep(1.0)
            finally:
                with contextlib.suppress(nats.errors.Error, TimeoutError):
                    await asyncio.wait_for(sub.unsubscribe(), 1.0)

    async def _subscribe(self) -> JetStreamContext.PullSubscription:
        self._waiting_for = f"a consumer on the stream {STREAM}"
        return await self.js.pull_subscribe(
            USER_SUBJECTS, stream=STREAM, config=ConsumerConfig(
                deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self._last_seq + 1,
                ack_policy=AckPolicy.NONE, inactive_threshold=30.0, mem_storage=True,
                num_replicas=1))

    async def _follow(self, sub: JetStreamContext.PullSubscription) -> None:
        """Read until the consumer is lost (an exception says how)."""
        self._waiting_for = f"the user events stored on {STREAM}"
        pending = (await sub.consumer_info()).num_pending or 0
        delivered = 0
        while not self._stopping.is_set():
            if pending == 0:
                self._mark_caught_up()
            try:
                # One at a time when nothing waits: a batch long poll would wait to fill up.
                messages = await sub.fetch(min(max(pending, 1), BATCH), timeout=POLL_SECONDS)
            except nats.errors.TimeoutError:
                # Nothing new, or the consumer died with a NATS restart: this says which.
                pending = (await sub.consumer_info()).num_pending or 0
                continue
            for msg in messages:
                meta = msg.metadata
                if meta.sequence.consumer != delivered + 1:
                    raise _Gap(f"consumer sequence {meta.sequence.consumer} after {delivered}")
                delivered += 1
                self._read(msg, meta.sequence.stream)
                pending = meta.num_pending or 0

    def _read(self, msg: Msg, stream_seq: int) -> None:
        if stream_seq <= self._last_seq:
            return
        self._last_seq = stream_seq
        try:
            event = decode(msg)
            if isinstance(event, UserEvent):
                self.directory.apply(event)
        except Exception as error:  # noqa: BLE001 - one unreadable event must not stop the feed
            log.error("user event on %s (stream sequence %d) could not be read and is left out: "
                      "%s", msg.subject, stream_seq, error)

    def _mark_caught_up(self) -> None:
        if not self._caught_up:
            self._caught_up = True
            log.info("accounts read from %s: %d", STREAM, len(self.directory.people()))
        if self._ready is not None:
            self._ready.set()
