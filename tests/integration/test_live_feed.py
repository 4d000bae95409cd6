"""The dashboard's live feed (services.gateway.live) on a real nats-server: every stored event
becomes a notice, a NATS restart loses none stored after it, a slow page loses only its own
oldest notices, and the feed stops cleanly."""
from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.api import StreamConfig

from contracts.subjects import (
    DEPARTMENTS,
    HEADER_DEPARTMENT,
    HEADER_TYPE,
    PROJECTIONS,
    command_subject,
    durable_name,
    stream_name,
    stream_subjects,
)
from events.envelope import Department
from services.gateway import live
from services.gateway.live import LiveFeed, Notice
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from tests.integration.system import running, until

SALES = Department("sales")
ACTOR = {"user": "live@tests", "role": "sales_assistant"}


@asynccontextmanager
async def feed_on(url: str) -> AsyncIterator[tuple[Any, LiveFeed]]:
    """A LiveFeed on its own NATS connection (as the gateway holds one), stopped afterwards."""
    nc = await nats.connect(url, max_reconnect_attempts=-1, reconnect_time_wait=0.2)
    feed = LiveFeed(nc.jetstream(timeout=5))
    try:
        yield nc, feed
    finally:
        await feed.stop()
        await nc.close()


async def streams(js: JetStreamContext, *departments: Department) -> None:
    """The department streams as bare streams (no services): the feed only reads them."""
    for department in departments:
        await js.add_stream(StreamConfig(name=stream_name(department),
                                         subjects=[stream_subjects(department)]))


async def probe(js: JetStreamContext, department: Department, i: int) -> int:
    """One stored message whose notice says ``Probe{i}``; its stream sequence."""
    ack = await js.publish(f"salesflow.{department.value}.probe.{i}", b"{}", headers={
        HEADER_TYPE: f"Probe{i}.v1", HEADER_DEPARTMENT: department.value})
    return int(ack.seq)


class Reader:
    """A page that reads its queue as fast as notices come."""

    def __init__(self, queue: asyncio.Queue[Notice]) -> None:
        self.queue, self.got = queue, list[Notice]()
        self.task = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while notice := await self.queue.get():
            self.got.append(notice)

    def records(self) -> list[str | None]:
        return [n["record"] for n in self.got]


async def request_sample(nc: Any, number: str, command_id: str | None = None) -> bool:
    """One request_sample straight over NATS, as the gateway sends it; True when accepted
    (the same ``command_id`` again is the same command: a retry after a timeout is safe)."""
    body = {"request_no": number, "customer": "Live Customer", "product": "EMI gasket",
            "part_no": f"P-{number}", "salesperson": "bob", "materials": {"drawings": True},
            "purpose": "sample", "actor": ACTOR, "command_id": command_id or str(uuid.uuid4())}
    try:
        msg = await nc.request(command_subject("sales", "request_sample"),
                               json.dumps(body).encode(), timeout=2)
    except Exception:  # noqa: BLE001 - NATS or the service still coming back
        return False
    return bool(json.loads(msg.data).get("ok"))


async def last_seq(js: JetStreamContext, department: Department) -> int:
    return int((await js.stream_info(stream_name(department))).state.last_seq)


async def stored_since(js: JetStreamContext, department: Department, after: int) -> int:
    return await last_seq(js, department) - after


async def test_every_event_a_service_stores_reaches_a_subscribed_page_as_a_notice(
        settings: Settings, nats_server: EmbeddedNats) -> None:
    """Each stored event: one notice with its type, record, department and time, in order."""
    async with running(settings, ["sales"]), feed_on(nats_server.url) as (nc, feed):
        page = Reader(feed.subscribe())
        await feed.ready(departments=[SALES])
        js = nc.jetstream()
        before = await last_seq(js, SALES)
        numbers = [f"LF-{i:03d}" for i in range(12)]
        for number in numbers:
            assert await request_sample(nc, number), number
        # The relay moves stored events into the stream on its own time: wait for the last.
        await until(lambda: set(numbers) <= set(page.records()), "the samples' notices")
        stored = await stored_since(js, SALES, before)
        assert stored >= len(numbers)
        await until(lambda: len(page.got) >= stored, f"{stored} notices")
        await asyncio.sleep(0.3)  # and no more than one per event
        assert len(page.got) == stored
        assert [r for r in page.records() if r in numbers] == numbers
        assert {n["department"] for n in page.got} == {"sales"}
        assert all(n["type"] and n["at"] for n in page.got)
        assert "SampleRequested" in {n["type"] for n in page.got}


async def test_a_department_stream_made_after_the_page_subscribed_is_read_from_its_start(
        nats_server: EmbeddedNats, monkeypatch: pytest.MonkeyPatch) -> None:
    """A gateway up before a service: the events stored before the feed finds the stream are new."""
    monkeypatch.setattr(live, "RETRY_SECONDS", 1.0)  # the first ones surely land in between
    async with feed_on(nats_server.url) as (nc, feed):
        page = Reader(feed.subscribe())
        js = nc.jetstream()
        await asyncio.sleep(0.2)  # the feed has looked for the stream and not found it
        await streams(js, *DEPARTMENTS)
        for i in range(3):
            await probe(js, SALES, i)
        await feed.ready(departments=[SALES])
        await until(lambda: len(page.got) >= 3, "the notices of the first three events")
        assert [n["type"] for n in page.got] == ["Probe0", "Probe1", "Probe2"]


async def test_after_a_nats_restart_notices_resume_and_no_event_stored_after_it_is_missed(
        settings: Settings, nats_server: EmbeddedNats) -> None:
    """Kill nats-server (same port and store) under a subscribed page; events continue."""
    async with running(settings, ["sales"]), feed_on(nats_server.url) as (nc, feed):
        page = Reader(feed.subscribe())
        await feed.ready(departments=[SALES])
        first = [f"LA-{i:03d}" for i in range(5)]
        for number in first:
            assert await request_sample(nc, number), number
        await until(lambda: set(first) <= set(page.records()), "the notices before the restart")
        js = nc.jetstream(timeout=5)
        before = await last_seq(js, SALES)
        noticed_before = len(page.got)

        nats_server.kill()
        nats_server.start()  # same port, same store directory

        after = [f"LB-{i:03d}" for i in range(8)]
        for number in after:
            command_id = str(uuid.uuid4())
            await until(lambda n=number, c=command_id: request_sample(nc, n, c),  # type: ignore[misc]
                        f"{number} accepted after the restart", 30)
        await until(lambda: set(after) <= set(page.records()),
                    "every notice after the restart", 20)
        stored = await stored_since(js, SALES, before)
        assert stored >= len(after)
        await until(lambda: len(page.got) - noticed_before >= stored,
                    f"{stored} notices after the restart", 10)
        late = page.got[noticed_before:]
        assert len(late) == stored, [n["record"] for n in late]
        assert [n["record"] for n in late if n["record"] in after] == after


async def test_a_slow_page_loses_its_oldest_notices_while_the_others_get_every_one(
        nats_server: EmbeddedNats, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page that never reads keeps the newest QUEUE_SIZE notices; the quick one misses none."""
    monkeypatch.setattr(live, "QUEUE_SIZE", 5)
    async with feed_on(nats_server.url) as (nc, feed):
        js = nc.jetstream()
        await streams(js, *DEPARTMENTS)
        quick, slow = Reader(feed.subscribe()), feed.subscribe()
        await feed.ready()
        for i in range(40):
            await probe(js, SALES, i)
        await until(lambda: len(quick.got) == 40, "the quick page's 40 notices")
        assert [n["type"] for n in quick.got] == [f"Probe{i}" for i in range(40)]
        # a probe is no event the registry knows: still a notice (a change), without a record
        assert all(n["record"] is None and n["department"] == "sales" for n in quick.got)
        assert slow.qsize() == 5
        assert [slow.get_nowait()["type"] for _ in range(5)] == [f"Probe{i}"
                                                                 for i in range(35, 40)]


async def test_notices_are_not_lost_when_the_projections_position_cannot_be_read(
        nats_server: EmbeddedNats, monkeypatch: pytest.MonkeyPatch) -> None:
    """A NATS too slow to answer where the projections are (seen under load) delays nothing
    and loses nothing: the notices go out (they were dropped with the stream position past
    them)."""
    async with feed_on(nats_server.url) as (nc, feed):
        js = nc.jetstream()
        await streams(js, *DEPARTMENTS)
        asked = []
        real = feed.js.consumer_info

        async def slow(stream: str, consumer: str, *args: Any, **kwargs: Any) -> Any:
            if consumer == durable_name(PROJECTIONS, SALES.value):
                asked.append(consumer)
                raise TimeoutError
            return await real(stream, consumer, *args, **kwargs)

        monkeypatch.setattr(feed.js, "consumer_info", slow)
        page = Reader(feed.subscribe())
        await feed.ready()
        for i in range(10):
            await probe(js, SALES, i)
        await until(lambda: len(page.got) == 10, "the page's 10 notices")
        assert [n["type"] for n in page.got] == [f"Probe{i}" for i in range(10)] and asked


async def test_the_feed_stops_cleanly_and_ends_every_pages_stream(
        nats_server: EmbeddedNats, monkeypatch: pytest.MonkeyPatch) -> None:
    """stop(): every page (a full one too) gets the end mark; no reading task is left running."""
    monkeypatch.setattr(live, "QUEUE_SIZE", 3)
    async with feed_on(nats_server.url) as (nc, feed):
        js = nc.jetstream()
        await streams(js, *DEPARTMENTS)
        quick, full = Reader(feed.subscribe()), feed.subscribe()
        await feed.ready()
        for i in range(6):
            await probe(js, SALES, i)
        await until(lambda: len(quick.got) == 6 and full.full(), "the notices")
        tasks = list(feed._tasks)
        await asyncio.wait_for(feed.stop(), 5)
        assert all(task.done() for task in tasks)
        await asyncio.wait_for(quick.task, 1)  # the end mark ended the quick page's reading
        assert [full.get_nowait() for _ in range(3)][-1] == {}
        assert feed.pages == 0
        await feed.stop()  # twice is harmless
