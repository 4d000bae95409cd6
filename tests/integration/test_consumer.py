"""Consumers with tracking: redelivery and restarts change nothing; poison goes to dead letters."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from nats.aio.msg import Msg

from contracts.subjects import DEAD_LETTER_STREAM
from events import sales
from services.engineering.application import EngineeringApplication
from services.engineering.wiring import SPEC as ENGINEERING
from services.runtime.consumer import StreamConsumer
from services.runtime.relay import Relay
from services.runtime.settings import Settings
from services.runtime.spec import reaction_handler
from services.runtime.streams import ensure_streams
from services.sales.application import SalesApplication
from tests.integration.system import until
from tests.unit.builders import sample_at


async def approved_samples(settings: Settings, js, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` approved sample applications, stored by sales and relayed to its stream."""
    app = SalesApplication(settings.store_env("sales"))
    app.store(*[sample_at("application_approved", f"S-{i}") for i in range(count)])
    relay = Relay(app, js)
    await relay.publish_after(0)
    app.close()


def engineering_consumer(settings: Settings, js, app: EngineeringApplication,  # type: ignore[no-untyped-def]
                         reaction=None) -> StreamConsumer:  # type: ignore[no-untyped-def]
    """Engineering's consumer of the sales stream; ``reaction`` replaces the real one."""
    reactions = dict(ENGINEERING.reactions)
    if reaction is not None:
        reactions[sales.SampleApplicationApproved] = reaction
    return StreamConsumer(
        js, consumer="engineering", source="sales",
        filter_subjects=ENGINEERING.sources()[sales.SampleRequested.department],
        handle=reaction_handler(app, reactions, lambda: None),
        position=lambda s: asyncio.to_thread(app.tracked_position, s), settings=settings)


def failing_first(fails: Callable[[Any, int], bool], error: Exception) -> Any:
    """Engineering's real reaction, raising ``error`` whenever ``fails(event, attempt)``."""
    real = ENGINEERING.reactions[sales.SampleApplicationApproved]
    attempts = 0

    def reaction(app: EngineeringApplication, event: Any, tracking: Any) -> None:
        nonlocal attempts
        attempts += 1
        if fails(event, attempts):
            raise error
        real(app, event, tracking)

    return reaction


def stored(app: EngineeringApplication) -> int:
    return app.recorder.max_notification_id() or 0


async def test_a_redelivered_message_changes_nothing(backend_settings: Settings, js, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """rule: R-S3 — each approved application opens exactly one sampling job."""
    settings = backend_settings.model_copy(update={"ack_wait_seconds": 1.0})
    await ensure_streams(js, settings)
    await approved_samples(settings, js, 5)
    app = EngineeringApplication(settings.store_env("engineering"))
    consumer = engineering_consumer(settings, js, app)
    await consumer.start()
    async def no_ack(self: Msg) -> None:  # the process "dies" between commit and ack
        return None
    with monkeypatch.context() as patch:
        patch.setattr(Msg, "ack", no_ack)
        assert await consumer.poll_once(timeout=2) == 5
    assert stored(app) == 5 and consumer.processed == 5
    await asyncio.sleep(1.5)  # past ack_wait: JetStream redelivers all five
    assert await consumer.poll_once(timeout=3) == 5
    assert stored(app) == 5 and consumer.processed == 5
    async def all_acked() -> bool:
        return (await js.consumer_info("SALESFLOW_SALES", consumer.durable)).num_ack_pending == 0
    await until(all_acked, "the redeliveries to be acknowledged")
    await consumer.close()
    app.close()


async def test_a_restart_after_a_crash_resumes_from_the_stored_position(backend_settings: Settings, js, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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
    assert await second.poll_once(timeout=1) == 0 and stored(app) == 4
    await second.close()
    app.close()


async def test_a_message_that_keeps_failing_is_dead_lettered_and_the_consumer_goes_on(settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    settings = settings.model_copy(update={"max_deliver": 2})
    await ensure_streams(js, settings)
    await approved_samples(settings, js, 3)
    app = EngineeringApplication(settings.store_env("engineering"))
    consumer = engineering_consumer(settings, js, app, failing_first(
        lambda event, _: event.request_no == "S-1", RuntimeError("cannot open this job")))
    await consumer.start()
    await consumer.poll_once(timeout=2)
    assert consumer.dead_lettered == 1 and stored(app) == 2
    assert [j.request_no for j in (app.job("S-0"), app.job("S-2"))] == ["S-0", "S-2"]
    dead = await js.pull_subscribe("salesflow.dlq.>", stream=DEAD_LETTER_STREAM)
    [letter] = await dead.fetch(1, timeout=2)
    body = json.loads(letter.data)
    assert body["consumer"] == "engineering" and "cannot open this job" in body["error"]
    assert json.loads(body["data"])["request_no"] == "S-1" and body["attempts"] == 2
    await consumer.close()
    app.close()


async def test_a_store_outage_is_waited_out_and_dead_letters_nothing(settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    from eventsourcing.persistence import OperationalError

    settings = settings.model_copy(update={"max_deliver": 2})
    await ensure_streams(js, settings)
    await approved_samples(settings, js, 2)
    app = EngineeringApplication(settings.store_env("engineering"))
    # three failures: more than max_deliver allows for a bad message
    consumer = engineering_consumer(settings, js, app, failing_first(
        lambda _, attempt: attempt <= 3, OperationalError("database is locked")))
    await consumer.start()
    await consumer.poll_once(timeout=2)
    assert consumer.dead_lettered == 0 and consumer.processed == 2 and stored(app) == 2
    await consumer.close()
    app.close()
