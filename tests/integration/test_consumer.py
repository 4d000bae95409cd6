"""Consumers with tracking on a real nats-server: redelivery and restarts change nothing, poison
goes to the dead letters, and no fault outside the handler acknowledges what was not applied."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from eventsourcing.persistence import OperationalError
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


async def approved_samples(settings: Settings, js: Any, count: int, first: int = 0) -> None:
    """``count`` approved sample applications, stored by sales and relayed to its stream."""
    app = SalesApplication(settings.store_env("sales"))
    app.store(*[sample_at("application_approved", f"S-{i}") for i in range(first, first + count)])
    relay = Relay(app, js)
    await relay.align()
    while await relay.publish_next():
        pass
    app.close()


async def approvals(settings: Settings, js: Any, count: int,
                    update: dict[str, Any] | None = None) -> tuple[Settings, EngineeringApplication]:
    """Settings with ``update``, ``count`` approvals in the sales stream, engineering's store."""
    settings = settings.model_copy(update=update or {})
    await ensure_streams(js, settings)
    await approved_samples(settings, js, count)
    return settings, EngineeringApplication(settings.store_env("engineering"))


def engineering_consumer(settings: Settings, js: Any, app: EngineeringApplication,
                         reaction: Any = None, **overrides: Any) -> StreamConsumer:
    """Engineering's consumer of the sales stream; ``reaction`` replaces the real one."""
    reactions = dict(ENGINEERING.reactions)
    if reaction is not None:
        reactions[sales.SampleApplicationApproved] = reaction

    async def position(name: str) -> int:
        return await asyncio.to_thread(app.tracked_position, name)

    options: dict[str, Any] = dict(
        consumer="engineering", source="sales",
        filter_subjects=ENGINEERING.sources()[sales.SampleRequested.department],
        handle=reaction_handler(app, reactions, lambda: None), position=position,
        settings=settings)
    return StreamConsumer(js, **(options | overrides))


def failing(fails: Callable[[Any, int], bool], error: Callable[[], Exception]) -> Any:
    """Engineering's real reaction, raising ``error()`` whenever ``fails(event, attempt)``."""
    real = ENGINEERING.reactions[sales.SampleApplicationApproved]
    attempts = 0

    def reaction(app: EngineeringApplication, event: Any, tracking: Any) -> None:
        nonlocal attempts
        attempts += 1
        if fails(event, attempts):
            raise error()
        real(app, event, tracking)

    return reaction


def jobs(app: EngineeringApplication) -> int:
    """Sampling jobs opened (each approval opens one: R-S3)."""
    return app.recorder.max_notification_id() or 0


@asynccontextmanager
async def consuming(consumer: StreamConsumer) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(consumer.run())
    try:
        yield task
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 10)


async def dead_letters(js: Any) -> list[dict[str, Any]]:
    info = await js.stream_info(DEAD_LETTER_STREAM)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        if info.state.messages:
            found.append(json.loads((await js.get_msg(DEAD_LETTER_STREAM, seq=seq)).data))
    return found


def real_sqlite_error(sql: str = "SELECT no_such_column FROM sqlite_master") -> OperationalError:
    """eventsourcing's OperationalError wrapping a genuine sqlite3 error, as its recorder raises."""
    try:
        sqlite3.connect(":memory:").execute(sql)
    except sqlite3.OperationalError as cause:
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error
    raise AssertionError("the statement succeeded")


def locked_error(tmp_path: Any) -> OperationalError:
    """A genuine "database is locked" (SQLITE_BUSY) from two connections to one file."""
    path = str(tmp_path / "locked.sqlite")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        sqlite3.connect(path, timeout=0).execute("CREATE TABLE t (x)")
    except sqlite3.OperationalError as cause:
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error
    finally:
        holder.close()
    raise AssertionError("the file was not locked")


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
    assert await consumer.poll_once(timeout=3) == 5
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
    had not applied: they are dead-lettered with the reason, never dropped in silence."""
    from eventsourcing.persistence import Tracking

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
        await until(lambda: consumer.dead_lettered == 1 and jobs(app) == 5,
                    "S-1 dead-lettered, the others applied")
    [letter] = await dead_letters(js)
    assert json.loads(letter["data"])["request_no"] == "S-1"
    assert "another writer" in letter["error"] and letter["attempts"] == 1
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
