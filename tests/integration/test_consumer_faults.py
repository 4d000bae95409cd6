"""Every failure branch of the consumer, each with exactly its fault injected on a real
nats-server: nothing unapplied is ever acknowledged, nothing is applied twice."""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from eventsourcing.persistence import Tracking
from nats.aio.msg import Msg

from contracts.subjects import DEAD_LETTER_STREAM
from events import sales
from services.engineering.application import EngineeringApplication
from services.engineering.wiring import SPEC as ENGINEERING
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams
from tests.integration.consumers import (
    approvals,
    approved_samples,
    consuming,
    dead_letters,
    engineering_consumer,
    failing,
    jobs,
    locked_error,
    real_sqlite_error,
)
from tests.integration.system import until


async def test_a_statement_the_store_refuses_is_not_mistaken_for_an_outage(settings: Settings, js: Any) -> None:
    """Finding 5: "no such column" is no outage; it is retried, then dead-lettered."""
    settings, app = await approvals(settings, js, 2, {"max_deliver": 2})
    consumer = engineering_consumer(settings, js, app, failing(
        lambda event, _: event.request_no == "S-0", real_sqlite_error))
    async with consuming(consumer):
        await until(lambda: jobs(app) == 1 and consumer.dead_lettered == 1,
                    "S-1 applied and S-0 dead-lettered")
    [letter] = await dead_letters(js)
    assert "no such column" in letter["error"]
    app.close()


async def test_stop_is_honoured_while_an_outage_is_waited_out(settings: Settings, js: Any, tmp_path: Any) -> None:
    """Finding 5: a consumer waiting for its store still stops when asked."""
    settings, app = await approvals(settings, js, 2)
    tries = 0

    def always_locked(event: Any, attempt: int) -> bool:
        nonlocal tries
        tries = attempt
        return True

    consumer = engineering_consumer(settings, js, app, failing(
        always_locked, lambda: locked_error(tmp_path)))
    task = asyncio.create_task(consumer.run())
    await until(lambda: tries >= 2, "the consumer to wait for its store")
    assert "locked" in getattr(consumer, "waiting", "")
    started = time.monotonic()
    consumer.stop()
    await asyncio.wait_for(task, 5)
    assert time.monotonic() - started < 3 and jobs(app) == 0
    app.close()


async def test_a_store_outage_when_a_batch_arrives_loses_nothing(settings: Settings, js: Any, tmp_path: Any) -> None:
    """Finding 1: reading the position fails at the start of a batch."""
    settings, app = await approvals(settings, js, 6, {"fetch_batch": 2})
    calls = 0

    async def position(name: str) -> int:
        nonlocal calls
        calls += 1
        if calls == 2:  # the first batch's position read
            raise locked_error(tmp_path)
        return await asyncio.to_thread(app.tracked_position, name)

    consumer = engineering_consumer(settings, js, app, position=position)
    async with consuming(consumer):
        await until(lambda: jobs(app) == 6, "all six sampling jobs", timeout=20)
    app.close()


async def test_a_failed_dead_letter_publish_loses_nothing(settings: Settings, js: Any, monkeypatch: Any) -> None:
    """Finding 1: the dead-letter publish fails once; the letter is published later, nothing
    after it is acknowledged before."""
    settings, app = await approvals(settings, js, 6, {"fetch_batch": 2, "max_deliver": 1})
    consumer = engineering_consumer(settings, js, app, failing(
        lambda event, _: event.request_no == "S-1", lambda: RuntimeError("poison")))
    real, failures = js.publish, 0

    async def flaky(subject: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal failures
        if subject.startswith("salesflow.dlq.") and failures == 0:
            failures += 1
            raise TimeoutError("no ack from the dead-letter stream")
        return await real(subject, *args, **kwargs)

    monkeypatch.setattr(js, "publish", flaky)
    async with consuming(consumer):
        await until(lambda: jobs(app) == 5, "every job but the poisoned one", timeout=20)
        await until(lambda: _letters(js, 1), "the dead letter, once", timeout=20)
    assert failures == 1
    app.close()


async def _letters(js: Any, count: int) -> bool:
    return (await js.stream_info(DEAD_LETTER_STREAM)).state.messages == count


async def test_a_failing_in_progress_signal_loses_nothing(settings: Settings, js: Any, monkeypatch: Any) -> None:
    """Finding 1: ``in_progress`` (while retrying) fails because NATS is away for a moment."""
    settings, app = await approvals(settings, js, 6, {"fetch_batch": 2})
    consumer = engineering_consumer(settings, js, app, failing(
        lambda event, attempt: event.request_no == "S-1" and attempt <= 2,
        lambda: RuntimeError("transient")))
    real, failures = Msg.in_progress, 0

    async def flaky(self: Msg) -> None:
        nonlocal failures
        if failures == 0:
            failures += 1
            raise ConnectionResetError("NATS went away")
        await real(self)

    monkeypatch.setattr(Msg, "in_progress", flaky)
    async with consuming(consumer):
        await until(lambda: jobs(app) == 6, "all six sampling jobs", timeout=20)
    assert failures == 1 and consumer.dead_lettered == 0
    app.close()


async def test_deliveries_lost_on_the_way_are_noticed_and_fetched_again(settings: Settings, js: Any) -> None:
    """A fetched batch that never reaches the consumer (a reconnect) must not be acked by the
    next one: the consumer sees the gap in delivery numbers and starts again from tracking."""
    settings, app = await approvals(settings, js, 6, {"fetch_batch": 2})
    consumer = engineering_consumer(settings, js, app)
    real, dropped = consumer._fetch, 0

    async def lossy(timeout: float) -> list[Msg]:
        nonlocal dropped
        msgs = await real(timeout)
        if msgs and dropped == 0:
            dropped = len(msgs)
            return []
        return msgs

    consumer._fetch = lossy  # type: ignore[method-assign]
    async with consuming(consumer):
        await until(lambda: jobs(app) == 6, "all six sampling jobs", timeout=20)
    assert dropped == 2
    app.close()


async def test_an_unknown_event_type_waits_for_an_upgrade_instead_of_dead_letters(settings: Settings, js: Any) -> None:
    """Finding 7: a producer upgraded before its consumers; later events wait behind it."""
    await ensure_streams(js, settings)
    await approved_samples(settings, js, 1)
    await js.publish("salesflow.sales.sample.sample_application_approved", b"{}",
                     headers={"Salesflow-Type": "SampleApplicationApproved.v9",
                              "Nats-Msg-Id": "from-the-future"})
    await approved_samples(settings, js, 1, first=5)
    app = EngineeringApplication(settings.store_env("engineering"))
    consumer = engineering_consumer(settings, js, app)
    async with consuming(consumer):
        await until(lambda: jobs(app) == 1, "the first sampling job")
        await asyncio.sleep(1.5)
        assert jobs(app) == 1 and consumer.dead_lettered == 0
        assert "SampleApplicationApproved.v9" in (getattr(consumer, "waiting", None) or "")
    assert (await js.stream_info(DEAD_LETTER_STREAM)).state.messages == 0
    app.close()


async def test_a_tracking_conflict_is_an_error_not_a_repeat(settings: Settings, js: Any) -> None:
    """Finding 2: another writer (a second copy) moved the tracking past messages this copy
    had not applied: they are dead-lettered with the reason, never dropped in silence. The
    batch is written as one run after its reactions, so S-0 is not yet stored either when the
    other copy passes it (see ``services.runtime.spec.reaction_handler``)."""
    settings, app = await approvals(settings, js, 6, {"max_deliver": 3})
    real = ENGINEERING.reactions[sales.SampleApplicationApproved]
    interfered = False

    def reaction(app_: EngineeringApplication, event: Any, tracking: Any) -> None:
        nonlocal interfered
        if event.request_no == "S-1" and not interfered:
            interfered = True  # the other copy commits a later message right now
            app_.process_recorder.insert_tracking(
                Tracking(tracking.application_name, tracking.notification_id + 1))
        real(app_, event, tracking)

    consumer = engineering_consumer(settings, js, app, reaction)
    async with consuming(consumer):
        await until(lambda: consumer.dead_lettered == 2 and jobs(app) == 4,
                    "S-0 and S-1 dead-lettered, the others applied")
    letters = await dead_letters(js)
    assert [json.loads(letter["data"])["request_no"] for letter in letters] == ["S-0", "S-1"]
    assert all("another writer" in letter["error"] and letter["attempts"] == 1
               for letter in letters)
    assert [j.request_no for j in map(app.job, ["S-2", "S-3", "S-4", "S-5"])] == [
        "S-2", "S-3", "S-4", "S-5"]
    app.close()


async def test_a_recreated_stream_is_consumed_from_its_start(settings: Settings, js: Any, tmp_path: Any) -> None:
    """Finding 3: tracked positions of the old stream must not hide the new stream's messages."""
    settings, app = await approvals(settings, js, 5)
    consumer = engineering_consumer(settings, js, app)
    async with consuming(consumer):
        await until(lambda: jobs(app) == 5, "five sampling jobs")
        await js.delete_stream("SALESFLOW_SALES")
        await ensure_streams(js, settings)
        fresh = settings.model_copy(update={"data_dir": tmp_path / "new-sales"})
        await approved_samples(fresh, js, 3, first=10)  # a new sales store: S-10..S-12
        await until(lambda: jobs(app) == 8, "the three new sampling jobs", timeout=20)
    app.close()


async def test_an_event_type_nobody_knows_yet_waits_instead_of_dead_letters(settings: Settings, js: Any) -> None:
    """Not a newer version of a known event: a type whose name this code has never seen."""
    settings, app = await approvals(settings, js, 1)
    await js.publish("salesflow.sales.sample.sample_application_approved", b"{}",
                     headers={"Salesflow-Type": "SampleTeleported.v1", "Nats-Msg-Id": "new-kind"})
    await approved_samples(settings, js, 1, first=5)
    consumer = engineering_consumer(settings, js, app)
    async with consuming(consumer):
        await until(lambda: jobs(app) == 1, "the first sampling job")
        await asyncio.sleep(1.5)
        assert jobs(app) == 1 and consumer.dead_lettered == 0
        assert "unknown event type SampleTeleported.v1" in (consumer.waiting or "")
    assert (await js.stream_info(DEAD_LETTER_STREAM)).state.messages == 0
    app.close()


async def test_an_event_that_cannot_be_read_is_dead_lettered_at_once_and_the_next_applied(settings: Settings, js: Any) -> None:
    """A known type with a body it does not validate (and one without a type header): no retry
    can help, so each goes to the dead letters after one attempt, in order."""
    settings, app = await approvals(settings, js, 0)
    subject = "salesflow.sales.sample.sample_application_approved"
    await js.publish(subject, b'{"request_no": 7}',
                     headers={"Salesflow-Type": "SampleApplicationApproved.v1", "Nats-Msg-Id": "bad"})
    await js.publish(subject, b"{}", headers={"Nats-Msg-Id": "headless"})
    await approved_samples(settings, js, 1)
    consumer = engineering_consumer(settings, js, app)
    async with consuming(consumer):
        await until(lambda: jobs(app) == 1 and consumer.dead_lettered == 2,
                    "two dead letters, then the valid approval applied")
    letters = await dead_letters(js)
    assert [x["attempts"] for x in letters] == [1, 1]
    assert "SampleApplicationApproved.v1" in letters[0]["error"]
    assert "no Salesflow-Type header" in letters[1]["error"]
    app.close()
