"""The feeds' reading loops end at stop even when the cancellation is swallowed on the way.

nats-py waits for a fetch or a JetStream API reply with ``asyncio.wait_for``, which on Python
3.11 drops a cancellation that meets the reply; a loop stopped by cancelling alone then reads
on, forever (the shutdown hang behind ``lifecycle.cancel_and_wait``). Each feed's loop also
watches a stop flag. The fakes below swallow every cancellation that reaches them."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import nats.errors
from nats.js.errors import NotFoundError

from contracts.calendar import WorkingCalendar
from services.gateway.accounts import Directory
from services.gateway.directory_feed import DirectoryFeed
from services.gateway.live import LiveFeed
from services.runtime.calendar_feed import CalendarFeed


class Swallower:
    """Counts the calls that were waiting and the cancellations it swallowed."""

    def __init__(self, wait: float) -> None:
        self.wait, self.calls, self.swallowed = wait, 0, 0
        self.waiting = asyncio.Event()

    async def pause(self) -> None:
        self.calls += 1
        self.waiting.set()
        try:
            await asyncio.sleep(self.wait)
        except asyncio.CancelledError:
            self.swallowed += 1  # the reply "came" with the cancellation: it is lost


class Subscription:
    def __init__(self, swallower: Swallower) -> None:
        self.swallower = swallower

    async def fetch(self, batch: int = 1, timeout: float = 1.0) -> list[Any]:
        await self.swallower.pause()
        raise nats.errors.TimeoutError

    async def consumer_info(self) -> Any:
        return SimpleNamespace(num_pending=0, delivered=None, name="c")

    async def unsubscribe(self) -> None:
        return None


class JetStream:
    def __init__(self, swallower: Swallower) -> None:
        self.swallower = swallower

    async def pull_subscribe(self, *args: Any, **kwargs: Any) -> Subscription:
        return Subscription(self.swallower)

    async def add_consumer(self, *args: Any, **kwargs: Any) -> Any:
        return SimpleNamespace(name="c")

    async def pull_subscribe_bind(self, *args: Any, **kwargs: Any) -> Subscription:
        return Subscription(self.swallower)

    async def stream_info(self, *args: Any, **kwargs: Any) -> Any:
        await self.swallower.pause()
        raise NotFoundError


async def test_the_live_feed_stops_although_its_readers_swallow_the_cancellation() -> None:
    swallower = Swallower(wait=0.05)
    feed = LiveFeed(JetStream(swallower))  # type: ignore[arg-type]
    feed.subscribe()
    tasks = list(feed._tasks)
    await asyncio.wait_for(swallower.waiting.wait(), 5)
    await feed.stop()
    assert swallower.swallowed >= 1, "no cancellation was swallowed: the test proves nothing"
    assert all(task.done() for task in tasks), "a department reader went on after stop"


async def test_the_accounts_feed_stops_although_its_fetch_swallows_the_cancellation() -> None:
    swallower = Swallower(wait=0.05)
    feed = DirectoryFeed(JetStream(swallower), Directory())  # type: ignore[arg-type]
    await feed.start(timeout=5)
    task = feed._task
    assert task is not None
    await asyncio.wait_for(swallower.waiting.wait(), 5)
    await feed.stop()
    assert swallower.swallowed == 1 and task.done()


async def test_the_calendar_feed_stops_although_a_reading_swallows_the_cancellation() -> None:
    swallower = Swallower(wait=1.0)
    feed = CalendarFeed(WorkingCalendar())
    await feed.start(JetStream(swallower), patience=5, interval=0.01)  # type: ignore[arg-type]
    task = feed._task
    assert task is not None
    while swallower.calls < 2:  # the follower's own reading (the first was start's)
        await asyncio.sleep(0.01)
    await feed.stop(patience=3.0)
    assert swallower.swallowed == 1 and task.done()
