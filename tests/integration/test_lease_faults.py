"""The lease's failure branches on a real nats-server: active work that cannot start or stop,
a key already gone, NATS gone at a stop, and two copies creating a store together."""
from __future__ import annotations

import asyncio
import time
from typing import Any

from eventsourcing.persistence import IntegrityError

from services.runtime.lease import Lease, close_nats, lease_bucket
from services.runtime.service import open_store
from services.runtime.store import DepartmentApplication
from tests.integration.system import until

TTL = 2.0


def lease(js: Any, name: str, events: list[str], *, start_fails: bool = False,
          stop_fails: bool = False) -> Lease:
    async def acquired() -> None:
        events.append("acquired")
        if start_fails and events.count("acquired") == 1:
            raise RuntimeError("the relay could not start")

    async def lost() -> None:
        events.append("lost")
        if stop_fails:
            raise RuntimeError("a consumer would not stop")

    return Lease(js, name, ttl=TTL, replicas=1, on_acquired=acquired, on_lost=lost)


async def test_a_copy_whose_work_cannot_start_gives_the_lease_to_another_at_once(js: Any) -> None:
    failing_events: list[str] = []
    failing = lease(js, "sales", failing_events, start_fails=True)
    first = asyncio.create_task(failing.run())
    await until(lambda: failing_events[:2] == ["acquired", "lost"], "the failed start to step down")
    first.cancel()  # that copy stays away: the other must not wait for the key to expire
    healthy_events: list[str] = []
    healthy = lease(js, "sales", healthy_events)
    started = time.monotonic()
    second = asyncio.create_task(healthy.run())
    await until(lambda: healthy.held, "the other copy to take the lease")
    assert time.monotonic() - started < TTL
    second.cancel()
    await asyncio.gather(first, second, return_exceptions=True)


async def test_a_failing_stop_does_not_end_the_lease_loop(js: Any) -> None:
    events: list[str] = []
    stubborn = lease(js, "production", events, stop_fails=True)
    task = asyncio.create_task(stubborn.run())
    await until(lambda: stubborn.held, "the lease to be taken")
    kv = await lease_bucket(js, TTL, 1)
    await kv.put("production", b"operator:0:forced")  # taken over: the copy must step down
    await until(lambda: "lost" in events, "the copy to step down")
    await kv.delete("production")  # free again: the same loop must take it again
    await until(lambda: events.count("acquired") == 2, "the lease taken again", TTL * 4)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_giving_up_a_lease_whose_key_is_already_gone_is_quiet(js: Any) -> None:
    events: list[str] = []
    holder = lease(js, "quality", events)
    task = asyncio.create_task(holder.run())
    await until(lambda: holder.held, "the lease to be taken")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    kv = await lease_bucket(js, TTL, 1)
    await kv.purge("quality")
    await holder.release()
    assert not holder.held


async def test_a_stop_while_nats_is_gone_neither_waits_nor_fails(nats_server: Any) -> None:
    import nats

    nc = await nats.connect(nats_server.url, max_reconnect_attempts=-1, reconnect_time_wait=0.5)
    events: list[str] = []
    holder = lease(nc.jetstream(), "engineering", events)
    task = asyncio.create_task(holder.run())
    await until(lambda: holder.held, "the lease to be taken")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    nats_server.kill()  # the supervisor died and took NATS with it
    started = time.monotonic()
    await close_nats(nc, holder, timeout=1.0)
    assert time.monotonic() - started < 5 and nc.is_closed


async def test_a_store_two_copies_create_at_once_is_opened_again(settings: Any) -> None:
    tries = 0

    class Racing(DepartmentApplication):
        name = "quality"

        def __init__(self, env: dict[str, str]) -> None:
            nonlocal tries
            tries += 1
            if tries == 1:  # the other copy inserted the tables' first row first
                raise IntegrityError("Failed to record tracking for __migration__ 1")
            super().__init__(env)

    app = await open_store(Racing, settings.store_env("quality"))
    assert tries == 2
    app.close()
