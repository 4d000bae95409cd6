"""The daily pack's sources failing in each way the delivery handles (services.sla.pack_delivery):
a stream or projections consumer not there, projections that do not catch up, a pack not made
in time, NATS gone under a query, a query refused. An outage holds the report (the consumer
waits and retries, never dead-letters); a refused query is not an outage."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from nats.js.errors import NotFoundError

from contracts.calendar import WorkingCalendar
from contracts.replies import ErrorBody
from services.cli.client import QueryRefused
from services.runtime.connect import NatsUnavailable
from services.runtime.faults import is_outage
from services.runtime.settings import Settings
from services.sla import pack_delivery
from services.sla.pack_delivery import (
    NatsPackMaker,
    PackSourcesAway,
    projections_caught_up,
)


class JetStream:
    """Streams by name (their last sequence) and the projections' consumers' ack floors; the
    floors move up by ``step`` at each look (projections applying)."""

    def __init__(self, streams: dict[str, int], floors: dict[str, int], step: int = 0) -> None:
        self.streams, self.floors, self.step = streams, floors, step

    async def stream_info(self, stream: str) -> Any:
        if stream not in self.streams:
            raise NotFoundError
        return SimpleNamespace(state=SimpleNamespace(last_seq=self.streams[stream]))

    async def consumer_info(self, stream: str, durable: str) -> Any:
        if stream not in self.floors:
            raise NotFoundError
        floor = self.floors[stream]
        self.floors[stream] = min(self.streams[stream], floor + self.step)
        pending = self.streams[stream] - floor
        return SimpleNamespace(ack_floor=SimpleNamespace(stream_seq=floor), num_pending=pending,
                               num_ack_pending=0)


async def test_no_stream_or_no_projections_consumer_is_nothing_to_wait_for() -> None:
    assert await projections_caught_up(JetStream({}, {}), patience=0.1)
    assert await projections_caught_up(JetStream({"SALESFLOW_SALES": 9}, {}), patience=0.1)


async def test_projections_that_do_not_catch_up_in_time_are_reported_not_waited_for() -> None:
    lagging = JetStream({"SALESFLOW_SALES": 9}, {"SALESFLOW_SALES": 3})
    assert not await projections_caught_up(lagging, patience=0.2)
    applying = JetStream({"SALESFLOW_SALES": 9}, {"SALESFLOW_SALES": 3}, step=3)
    assert await projections_caught_up(applying, patience=5)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The service's event loop, in its own thread (the reaction runs in a worker thread)."""
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(5)
    running.close()


def maker(loop: asyncio.AbstractEventLoop, js: Any) -> NatsPackMaker:
    nc = SimpleNamespace(jetstream=lambda timeout: js)
    return NatsPackMaker(nc, loop, Settings())  # type: ignore[arg-type]


DAY, NOW = date(2026, 11, 27), datetime(2026, 11, 27, 9, tzinfo=UTC)


def test_a_pack_not_made_in_time_holds_the_report_as_an_outage(
        loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack_delivery, "MAKE_SECONDS", 0.2)
    made = maker(loop, JetStream({}, {}))
    started = threading.Event()

    async def never(*args: Any) -> Any:
        started.set()
        await asyncio.sleep(60)

    made._make = never  # type: ignore[method-assign]
    with pytest.raises(PackSourcesAway) as raised:
        made.make(DAY, NOW, WorkingCalendar(), NOW)
    assert started.is_set() and is_outage(raised.value)


def test_nats_gone_under_a_query_holds_the_report_as_an_outage(
        loop: asyncio.AbstractEventLoop) -> None:
    made = maker(loop, JetStream({}, {}))

    async def gone(*args: Any, **kwargs: Any) -> Any:
        raise NatsUnavailable("nothing answered")

    made.client.query = gone  # type: ignore[method-assign]
    with pytest.raises(PackSourcesAway) as raised:
        made.make(DAY, NOW, WorkingCalendar(), NOW)
    assert is_outage(raised.value) and "NatsUnavailable" in str(raised.value)


def test_projections_that_do_not_catch_up_hold_the_report(
        loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pack_delivery, "CATCH_UP_PATIENCE", 0.1)
    made = maker(loop, JetStream({"SALESFLOW_SALES": 9}, {"SALESFLOW_SALES": 1}))
    with pytest.raises(PackSourcesAway) as raised:
        made.make(DAY, NOW, WorkingCalendar(), NOW)
    assert is_outage(raised.value) and "not applied" in str(raised.value)


def test_a_refused_query_is_not_an_outage(loop: asyncio.AbstractEventLoop) -> None:
    made = maker(loop, JetStream({}, {}))

    async def refused(subject: str, *args: Any, **kwargs: Any) -> Any:
        raise QueryRefused(subject, ErrorBody(kind="validation", message_en="bad month",
                                              message_zh="月份无效"))

    made.client.query = refused  # type: ignore[method-assign]
    with pytest.raises(QueryRefused) as raised:
        made.make(DAY, NOW, WorkingCalendar(), NOW)
    assert not is_outage(raised.value)
