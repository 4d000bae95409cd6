"""The calendar feed's failure branches on a real nats-server: no stream yet, a first reading
that fails, NATS away while following, an unreadable entry, and a reading that finds nothing
where the count said more. In each, no entry is lost and none is folded twice."""
from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import nats
import nats.errors
import pytest

from contracts.calendar import WorkingCalendar
from contracts.subjects import HEADER_TYPE
from services.runtime.calendar_feed import CalendarFeed
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams
from tests.integration.system import until
from tests.unit.calendar_entries import holiday

BASE = WorkingCalendar(use_chinese_holidays=False)
DAY = date(2026, 12, 3)  # a Thursday: a working day of BASE
LATER = date(2026, 12, 10)


async def declare(js: Any, entry: Any) -> None:
    """An entry as the sla service's relay publishes it."""
    await js.publish(type(entry).subject(), entry.model_dump_json().encode(),
                     headers={HEADER_TYPE: type(entry).type_key(),
                              "Nats-Msg-Id": str(entry.event_id)})


@pytest.fixture
async def nc(nats_server: EmbeddedNats) -> Any:
    client = await nats.connect(nats_server.url, max_reconnect_attempts=-1,
                                reconnect_time_wait=0.2)
    yield client
    await client.close()


async def test_a_feed_started_before_the_stream_exists_reads_entries_made_later(
        nc: Any, settings: Settings) -> None:
    """The stream is missing (NotFoundError): the start reads nothing and says it is caught up;
    once the stream and an entry exist, the feed follows them."""
    feed = CalendarFeed(BASE)
    assert await feed.start(nc.jetstream(), patience=5.0, interval=0.2)
    assert feed.entries == 0
    await ensure_streams(nc.jetstream(), settings)
    await declare(nc.jetstream(), holiday(DAY))
    await until(lambda: not feed.current().is_working_day(DAY), "the holiday", 10)
    assert feed.entries == 1
    await feed.stop()


async def test_a_first_reading_that_fails_is_made_good_by_the_following(
        nc: Any, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first reading times out: the start says so (False) and the service counts with the
    entries it has; the next reading brings the stored one, once."""
    js = nc.jetstream()
    await ensure_streams(js, settings)
    await declare(js, holiday(DAY))
    feed = CalendarFeed(BASE)
    real, calls = CalendarFeed.refresh, 0

    async def failing_once(self: CalendarFeed) -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise nats.errors.TimeoutError
        return await real(self)

    monkeypatch.setattr(CalendarFeed, "refresh", failing_once)
    assert not await feed.start(js, patience=5.0, interval=0.2)
    assert feed.entries == 0
    await until(lambda: feed.entries == 1, "the stored holiday", 10)
    await asyncio.sleep(0.5)  # more readings: still once
    assert feed.entries == 1 and not feed.current().is_working_day(DAY)
    await feed.stop()


async def test_the_feed_follows_on_after_nats_was_away(
        nc: Any, settings: Settings, nats_server: EmbeddedNats) -> None:
    """nats-server stops and starts again while the feed follows: the readings in between fail
    (and are only logged); an entry made afterwards arrives, the earlier one is not read twice."""
    js = nc.jetstream()
    await ensure_streams(js, settings)
    await declare(js, holiday(DAY))
    feed = CalendarFeed(BASE)
    assert await feed.start(js, patience=5.0, interval=0.2)
    nats_server.stop()
    await asyncio.sleep(1.0)  # readings fail meanwhile
    nats_server.start()
    await until(lambda: nc.is_connected, "the client to reconnect", 20)
    await declare(js, holiday(LATER))
    await until(lambda: not feed.current().is_working_day(LATER), "the later holiday", 20)
    assert feed.entries == 2
    await feed.stop()


async def test_an_unreadable_entry_is_left_out_and_the_next_one_is_read(
        nc: Any, settings: Settings) -> None:
    """A message on the calendar's subjects that is no event (no type header) is logged and
    passed; the entry after it is folded."""
    js = nc.jetstream()
    await ensure_streams(js, settings)
    await js.publish("salesflow.sla.calendar.holiday_declared", b"{not json")
    await declare(js, holiday(DAY))
    feed = CalendarFeed(BASE)
    assert await feed.start(js, patience=5.0, interval=0.2)
    assert feed.entries == 1 and not feed.current().is_working_day(DAY)
    await feed.stop()


async def test_a_reading_that_finds_nothing_new_ends_without_waiting_long(
        nc: Any, settings: Settings) -> None:
    """The count of stored entries says there is more than was read, but nothing lies after the
    last one read (the fetch times out): the reading ends with nothing folded twice."""
    js = nc.jetstream()
    await ensure_streams(js, settings)
    await declare(js, holiday(DAY))
    feed = CalendarFeed(BASE)
    assert await feed.start(js, patience=5.0, interval=60.0)
    feed._read = 0  # noqa: SLF001 - the count now says one more than was read
    assert await asyncio.wait_for(feed.refresh(), 5.0) == 0
    assert feed.entries == 1
    await feed.stop()
