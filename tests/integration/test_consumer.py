"""Consumers with tracking on a real nats-server: redelivery and restarts change nothing, poison
goes to the dead letters, a store outage is waited out."""
from __future__ import annotations

import asyncio
import json
from typing import Any

from nats.aio.msg import Msg

from services.engineering.application import EngineeringApplication
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams
from tests.integration.consumers import (
    approvals,
    approved_samples,
    dead_letters,
    engineering_consumer,
    failing,
    jobs,
    locked_error,
)
from tests.integration.system import until


async def test_a_redelivered_message_changes_nothing(backend_settings: Settings, js: Any, monkeypatch: Any) -> None:
    """rule: R-S3 — each approved application opens exactly one sampling job."""
    settings = backend_settings.model_copy(update={"ack_wait_seconds": 1.0})
    settings, app = await approvals(settings, js, 5)
    consumer = engineering_consumer(settings, js, app)
    await consumer.start()

    async def no_ack(self: Msg) -> None:  # the process "dies" between commit and ack
        return None

    with monkeypatch.context() as patch:
        patch.setattr(Msg, "ack", no_ack)
        assert await consumer.poll_once(timeout=2) == 5
    assert jobs(app) == 5 and consumer.processed == 5
    await asyncio.sleep(1.5)  # past ack_wait: JetStream redelivers all five
    redelivered = 0  # a loaded server may spread the redeliveries over more than one fetch
    for _ in range(10):
        redelivered += await consumer.poll_once(timeout=3)
        if redelivered >= 5:
            break
    assert redelivered == 5
    assert jobs(app) == 5 and consumer.processed == 5

    async def all_acked() -> bool:
        return (await js.consumer_info("SALESFLOW_SALES", consumer.durable)).num_ack_pending == 0

    await until(all_acked, "the redeliveries to be acknowledged")
    await consumer.close()
    app.close()


async def test_a_restart_after_a_crash_resumes_from_the_stored_position(backend_settings: Settings, js: Any, monkeypatch: Any) -> None:
    await ensure_streams(js, backend_settings)
    await approved_samples(backend_settings, js, 4)
    app = EngineeringApplication(backend_settings.store_env("engineering"))
    first = engineering_consumer(backend_settings, js, app)
    await first.start()

    async def no_ack(self: Msg) -> None:
        return None

    with monkeypatch.context() as patch:
        patch.setattr(Msg, "ack", no_ack)
        await first.poll_once(timeout=2)
    await first.close()
    second = engineering_consumer(backend_settings, js, app)
    await second.start()
    assert await second.poll_once(timeout=1) == 0 and jobs(app) == 4
    await second.close()
    app.close()


async def test_a_message_that_keeps_failing_is_dead_lettered_and_the_consumer_goes_on(settings: Settings, js: Any) -> None:
    settings, app = await approvals(settings, js, 3, {"max_deliver": 2})
    consumer = engineering_consumer(settings, js, app, failing(
        lambda event, _: event.request_no == "S-1", lambda: RuntimeError("cannot open this job")))
    await consumer.start()
    await consumer.poll_once(timeout=2)
    assert consumer.dead_lettered == 1 and jobs(app) == 2
    assert [j.request_no for j in (app.job("S-0"), app.job("S-2"))] == ["S-0", "S-2"]
    [letter] = await dead_letters(js)
    assert letter["consumer"] == "engineering" and "cannot open this job" in letter["error"]
    assert json.loads(letter["data"])["request_no"] == "S-1" and letter["attempts"] == 2
    await consumer.close()
    app.close()


async def test_a_store_outage_is_waited_out_and_dead_letters_nothing(settings: Settings, js: Any, tmp_path: Any) -> None:
    settings, app = await approvals(settings, js, 2, {"max_deliver": 2})
    # three failures: more than max_deliver allows for a bad message
    consumer = engineering_consumer(settings, js, app, failing(
        lambda _, attempt: attempt <= 3, lambda: locked_error(tmp_path)))
    await consumer.start()
    await consumer.poll_once(timeout=2)
    assert consumer.dead_lettered == 0 and consumer.processed == 2 and jobs(app) == 2
    await consumer.close()
    app.close()
