"""R-S7 on real services: the penalty does not depend on whether sales ran at the promised time."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import nats
from nats.js.errors import NotFoundError

from contracts.commands.production import CompleteSample
from contracts.subjects import HEADER_TYPE, durable_name, stream_name
from contracts.timers import TIMERS_STREAM
from events.envelope import Actor, Department, Role
from services.cli.client import Client
from services.cli.demo import Demo
from services.production.application import ProductionApplication
from services.runtime.settings import Settings
from tests.integration.system import running, until

NO = "M-001"


async def stored(js: Any, stream: str) -> list[tuple[str, str, dict[str, Any]]]:
    """Every message now in ``stream``: (subject, type header, body)."""
    try:
        state = (await js.stream_info(stream)).state
    except NotFoundError:
        return []
    found = []
    for seq in range(state.first_seq, state.last_seq + 1):
        try:
            msg = await js.get_msg(stream, seq)
        except NotFoundError:
            continue  # a schedule that fired, or a deleted message
        found.append((msg.subject, (msg.headers or {}).get(HEADER_TYPE, ""), json.loads(msg.data)))
    return found


async def events(js: Any, department: str, type_name: str, **facts: Any) -> list[dict[str, Any]]:
    """The events of ``type_name`` of our sample in a department's stream, with these facts."""
    return [body for _, key, body in await stored(js, stream_name(Department(department)))
            if key.startswith(f"{type_name}.v") and body.get("request_no") == NO
            and all(body.get(k) == v for k, v in facts.items())]


async def timer_fired(js: Any) -> bool:
    return any(subject.startswith("salesflow.timers.due.") and body.get("record_no") == NO
               for subject, _, body in await stored(js, TIMERS_STREAM))


@asynccontextmanager
async def promised_sample(settings: Settings,
                          promise_in: timedelta) -> AsyncIterator[tuple[Any, Client]]:
    """Engineering and production running; our sample promised ``promise_in`` from now; sales
    ran until it recorded the promise."""
    nc = await nats.connect(settings.nats_url)
    client = Client(nc)
    demo = Demo(client, out=lambda *_: None)
    async with running(settings, ["engineering", "production"]):
        async with running(settings, ["sales"]):
            await demo.quote(NO, "Xiamen Optics 厦门光学")
            await demo.send("sales", "approve_price", "salesperson", request_no=NO)
            await demo.make(NO, promise_in=promise_in, until="promise_delivery")
            await until(lambda: promise_seen_by_sales(nc.jetstream()), "sales to record the promise")
        yield nc.jetstream(), client
    await nc.close()


async def promise_seen_by_sales(js: Any) -> bool:
    return bool(await events(js, "sales", "SampleProgressRecorded", stage="promised"))


async def test_a_sample_completed_on_time_while_sales_was_down_gets_no_penalty(
        settings: Settings) -> None:
    """rule: R-S7 — only a promised time *missed* makes sales request a penalty.

    Sales is down across the promised time. Production completed the sample on time but went
    down before relaying it, so when sales comes back the timer has fired and sales has not
    seen the completion (c0b078a requested a penalty here). Production decides from its own
    history once it is back: no miss, no penalty."""
    async with promised_sample(settings, timedelta(seconds=10)):
        pass  # production and engineering stop too: production's news will reach sales late
    nc = await nats.connect(settings.nats_url)
    js = nc.jetstream()
    [promise] = await events(js, "production", "DeliveryPromised")
    production = ProductionApplication(settings.store_env("production"))
    pete = Actor(user="pete", role=Role.PRODUCTION_SUPERVISOR)
    ctx = production.context(pete, None)
    production.complete_sample(CompleteSample(actor=pete, request_no=NO), ctx)
    production.close()
    assert ctx.now < datetime.fromisoformat(promise["promised_at"]), "completed too late to test"
    await until(lambda: timer_fired(js), "the promise's timer to fire", timeout=30)
    async with running(settings, ["sales"]):
        await until(lambda: sales_idle(js), "sales to take what its streams hold")
        async with running(settings, ["engineering", "production"]):
            await until(lambda: completion_seen_by_sales(js), "sales to record the completion")
            await until(lambda: production_decided(js), "production to decide its timer")
    assert await events(js, "production", "DeliveryPromiseMissed") == []
    assert await events(js, "sales", "PenaltyRequested") == []
    await nc.close()


async def test_a_promise_missed_while_sales_was_down_gets_exactly_one_penalty(
        settings: Settings) -> None:
    """rule: R-S7 — missed without notice: the sales department requests a penalty against
    production, once, even though sales was not running when the time passed."""
    async with promised_sample(settings, timedelta(seconds=3)) as (js, client):
        await until(lambda: missed_recorded(js), "production to record the missed promise",
                    timeout=30)
        async with running(settings, ["sales"]):
            await until(lambda: penalty_requested(js), "sales to request the penalty")
            demo = Demo(client, out=lambda *_: None)
            await demo.send("production", "complete_sample", "production", request_no=NO)
            await until(lambda: completion_seen_by_sales(js), "sales to record the completion")
        async with running(settings, ["sales"]):  # restarted: nothing is requested again
            await until(lambda: sales_idle(js), "sales to take what its streams hold")
        [missed] = await events(js, "production", "DeliveryPromiseMissed")
        assert missed["notice_given"] is False and missed["round"] == 1
        [penalty] = await events(js, "sales", "PenaltyRequested")
        assert penalty["source_event_id"] == missed["event_id"]
        assert penalty["promised_at"] == missed["promised_at"]


async def missed_recorded(js: Any) -> bool:
    return bool(await events(js, "production", "DeliveryPromiseMissed"))


async def penalty_requested(js: Any) -> bool:
    return bool(await events(js, "sales", "PenaltyRequested"))


async def completion_seen_by_sales(js: Any) -> bool:
    return bool(await events(js, "sales", "SampleProgressRecorded", stage="completed"))


async def sales_idle(js: Any) -> bool:
    """Each of sales' durables exists and has taken every message there is for it."""
    return await consumers_idle(js, "sales", ["engineering", "production", "timers"])


async def production_decided(js: Any) -> bool:
    return await consumers_idle(js, "production", ["timers"])


async def consumers_idle(js: Any, department: str, sources: list[str]) -> bool:
    for source in sources:
        stream = TIMERS_STREAM if source == "timers" else stream_name(Department(source))
        try:
            info = await js.consumer_info(stream, durable_name(department, source))
        except NotFoundError:
            return False  # not (re)created yet
        if info.num_pending or info.num_ack_pending:
            return False
    return True
