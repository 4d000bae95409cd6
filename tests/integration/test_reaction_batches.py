"""A fetched batch of deliveries is written as one run (events + the last tracking, one
transaction), on a real nats-server: each fault of the run's write injected, nothing lost, nothing
applied twice (``services.runtime.spec.reaction_handler``)."""
from __future__ import annotations

import contextvars
import sqlite3
from typing import Any

import psycopg
import psycopg.sql
import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from events import sales
from services.engineering.application import EngineeringApplication
from services.engineering.sampling_job import SamplingJob, job_id
from services.engineering.wiring import SPEC as ENGINEERING
from services.runtime.settings import Settings
from services.runtime.spec import reaction_handler, runs_alone
from services.runtime.store import Capture
from tests.integration.consumers import (
    approvals,
    consuming,
    dead_letters,
    engineering_consumer,
    jobs,
    locked_error,
)
from tests.integration.system import until

REAL = ENGINEERING.reactions[sales.SampleApplicationApproved]


def runs_written(app: EngineeringApplication, monkeypatch: Any,
                 after_failure: list[int] | None = None) -> list[tuple[int, int, bool]]:
    """Each ``record_run`` call as (deliveries, tracked sequence, stored); the events stored
    right after each failed one go to ``after_failure``."""
    calls: list[tuple[int, int, bool]] = []
    real = app.record_run

    def record_run(captures: list[Capture], tracking: Tracking,
                   run_from: Tracking | None = None) -> None:
        try:
            real(captures, tracking, run_from=run_from)
        except Exception:
            calls.append((len(captures), tracking.notification_id, False))
            if after_failure is not None:
                after_failure.append(jobs(app))
            raise
        calls.append((len(captures), tracking.notification_id, True))

    monkeypatch.setattr(app, "record_run", record_run)
    return calls


def counted(app: EngineeringApplication) -> int:
    """Events stored, counted: PostgreSQL's notification ids have gaps after a failed insert."""
    return len(app.process_recorder.select_notifications(1, 1000))


def watching(seqs: dict[str, int], also: Any = None) -> Any:
    """The real reaction, noting each request's stream sequence; ``also`` runs after it."""

    def reaction(app: EngineeringApplication, event: Any, tracking: Tracking) -> None:
        seqs[event.request_no] = tracking.notification_id
        REAL(app, event, tracking)
        if also is not None:
            also(app, event, tracking)

    return reaction


async def test_a_fetched_batch_is_stored_in_one_transaction_with_its_last_tracking(backend_settings: Settings, js: Any, monkeypatch: Any) -> None:
    """rule: R-S3 — six approvals, six jobs, one commit carrying the sixth's tracking."""
    settings, app = await approvals(backend_settings, js, 6)
    calls, seqs = runs_written(app, monkeypatch), dict[str, int]()
    consumer = engineering_consumer(settings, js, app, watching(seqs))
    await consumer.start()
    assert await consumer.poll_once(timeout=2) == 6
    assert calls == [(6, seqs["S-5"], True)]
    assert jobs(app) == 6 and app.tracked_position(consumer.tracking_name) == seqs["S-5"]
    assert [app.job(f"S-{i}").version for i in range(6)] == [1] * 6
    await consumer.close()
    app.close()


async def test_a_reaction_failing_at_k_stores_the_run_before_it_and_resumes_at_k(backend_settings: Settings, js: Any, monkeypatch: Any) -> None:
    settings, app = await approvals(backend_settings, js, 6)
    calls, seqs, failed = runs_written(app, monkeypatch), dict[str, int](), list[int]()

    def fail_s2_once(app_: EngineeringApplication, event: Any, tracking: Tracking) -> None:
        if event.request_no == "S-2" and not failed:
            failed.append(jobs(app_))  # what is stored when S-2 fails: nothing yet
            raise RuntimeError("S-2 fails once")

    consumer = engineering_consumer(settings, js, app, watching(seqs, fail_s2_once))
    async with consuming(consumer):
        await until(lambda: jobs(app) == 6, "all six sampling jobs")
    # S-0 and S-1 in one transaction up to S-1; nothing of S-2 until its retry, then the rest
    assert failed == [0]
    assert calls == [(2, seqs["S-1"], True), (4, seqs["S-5"], True)]
    assert [app.job(f"S-{i}").version for i in range(6)] == [1] * 6  # no duplicate, no loss
    assert consumer.dead_lettered == 0 and consumer.processed == 6
    app.close()


async def test_a_reaction_reading_what_the_run_saved_sees_it(backend_settings: Settings, js: Any, monkeypatch: Any) -> None:
    """S-1's delivery reopens S-0's job for round 2: it must see S-0's round 1, which is
    still in the run, so the run is written first and S-1 decided again on the stored job."""
    settings, app = await approvals(backend_settings, js, 4)
    calls, decided = runs_written(app, monkeypatch), list[int]()

    def reaction(app_: EngineeringApplication, event: Any, tracking: Tracking) -> None:
        if event.request_no == "S-1":
            decided.append(app_.load_or_new(SamplingJob, job_id("S-0")).version)
            event = event.model_copy(update={"request_no": "S-0", "round": 2})
        REAL(app_, event, tracking)

    consumer = engineering_consumer(settings, js, app, reaction)
    await consumer.start()
    assert await consumer.poll_once(timeout=2) == 4
    assert decided == [0, 1]  # decided on the run's state, then again on the stored one
    assert [n for n, _, _ in calls] == [1, 3]
    job = app.job("S-0")
    assert (job.version, job.round) == (2, 2)  # one history, not forked, nothing lost
    assert jobs(app) == 4 and consumer.dead_lettered == 0
    await consumer.close()
    app.close()


async def test_a_run_another_writer_conflicts_with_is_written_one_by_one(backend_settings: Settings, js: Any, monkeypatch: Any) -> None:
    """A second writer on the same store (a command of the service) opens S-2's job while the
    run is being decided: the run's write fails on it, each delivery is written alone, S-2 is
    retried on the stored job, nothing is dead-lettered or stored twice."""
    settings, app = await approvals(backend_settings, js, 6)
    other = EngineeringApplication(settings.store_env("engineering"))
    calls, seqs = runs_written(app, monkeypatch), dict[str, int]()

    interfered = list[str]()

    def interfere(app_: EngineeringApplication, event: Any, tracking: Tracking) -> None:
        if event.request_no == "S-2" and not interfered:
            interfered.append(event.request_no)
            job = other.load_or_new(SamplingJob, job_id("S-2"))
            job.open(app_.reaction_context(event), event)
            contextvars.Context().run(other.store, job)  # its own writer, not in the run

    consumer = engineering_consumer(settings, js, app, watching(seqs, interfere))
    async with consuming(consumer):
        await until(lambda: consumer.processed == 6, "six deliveries applied")
    assert calls[:4] == [(6, seqs["S-5"], False), (1, seqs["S-0"], True),
                         (1, seqs["S-1"], True), (1, seqs["S-2"], False)]
    assert [app.job(f"S-{i}").version for i in range(6)] == [1] * 6
    assert counted(app) == 6
    assert consumer.dead_lettered == 0 and await dead_letters(js) == []
    other.close()
    app.close()


async def test_a_store_outage_at_the_write_stores_nothing_of_the_run_and_is_waited_out(settings: Settings, js: Any, monkeypatch: Any, tmp_path: Any) -> None:
    """The tracking insert, after the run's events, meets a locked database: the transaction
    is rolled back whole, the consumer waits (no retry count: max_deliver 1 would dead-letter)."""
    settings, app = await approvals(settings, js, 5, {"max_deliver": 1})
    recorder, seen = app.process_recorder, list[int]()
    real = recorder._insert_tracking  # type: ignore[attr-defined]

    def locked_once(c: Any, tracking: Tracking) -> None:
        if not seen:
            seen.append(jobs(app))
            raise locked_error(tmp_path)
        real(c, tracking)

    monkeypatch.setattr(recorder, "_insert_tracking", locked_once)
    after_failure: list[int] = []
    calls = runs_written(app, monkeypatch, after_failure)
    consumer = engineering_consumer(settings, js, app)
    async with consuming(consumer):
        await until(lambda: jobs(app) == 5, "the five jobs after the outage")
    assert seen == [0] and after_failure == [0]  # the run's events were rolled back with it
    assert [(n, ok) for n, _, ok in calls] == [(5, False), (5, True)]
    assert consumer.dead_lettered == 0
    assert [app.job(f"S-{i}").version for i in range(5)] == [1] * 5
    app.close()


async def test_deliveries_without_a_reaction_only_move_the_tracking_of_the_run(settings: Settings, js: Any, monkeypatch: Any) -> None:
    settings, app = await approvals(settings, js, 4)
    calls, seqs = runs_written(app, monkeypatch), dict[str, int]()
    handle = reaction_handler(app, {"S-0": watching(seqs), "S-2": watching(seqs)}, lambda: None,
                              key=lambda event: event.request_no)
    consumer = engineering_consumer(settings, js, app, handle=handle)
    await consumer.start()
    assert await consumer.poll_once(timeout=2) == 4
    assert jobs(app) == 2 and [n for n, _, ok in calls if ok] == [4]
    assert app.tracked_position(consumer.tracking_name) == calls[0][1] > seqs["S-2"]
    await consumer.close()
    app.close()


async def test_a_reaction_that_runs_alone_is_written_after_the_run_before_it(settings: Settings, js: Any, monkeypatch: Any) -> None:
    """A reaction doing its own I/O (the daily pack) is not captured: the run before it is
    written first, it stores its own tracking, the next run follows."""
    settings, app = await approvals(settings, js, 5)
    calls, seqs, stored_before = runs_written(app, monkeypatch), dict[str, int](), list[int]()

    @runs_alone
    def alone(app_: EngineeringApplication, event: Any, tracking: Tracking) -> None:
        stored_before.append(app_.tracked_position(tracking.application_name))
        app_.process_recorder.insert_tracking(tracking)  # as the daily pack does for history

    reactions: dict[Any, Any] = {sales.SampleApplicationApproved: watching(seqs), "S-2": alone}
    handle = reaction_handler(app, reactions, lambda: None,
                              key=lambda event: "S-2" if event.request_no == "S-2"
                              else type(event))
    consumer = engineering_consumer(settings, js, app, handle=handle)
    await consumer.start()
    assert await consumer.poll_once(timeout=2) == 5
    assert stored_before == [seqs["S-1"]]
    assert calls == [(2, seqs["S-1"], True), (2, seqs["S-4"], True)]
    assert jobs(app) == 4 and app.tracked_position(consumer.tracking_name) == seqs["S-4"]
    await consumer.close()
    app.close()


async def test_a_store_locked_by_another_process_at_the_write_is_waited_out(settings: Settings, js: Any, monkeypatch: Any) -> None:
    """A real SQLITE_BUSY: another connection holds the file's write lock when the run is
    written (reading still works). Nothing of the run is stored; once the lock goes, all is."""
    settings, _ = await approvals(settings, js, 5, {"max_deliver": 1})
    env = settings.store_env("engineering")
    app = EngineeringApplication({**env, "SQLITE_LOCK_TIMEOUT": "1"})
    holder = sqlite3.connect(env["SQLITE_DBNAME"], isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as another process would hold it
    after_failure: list[int] = []
    calls = runs_written(app, monkeypatch, after_failure)
    consumer = engineering_consumer(settings, js, app)
    async with consuming(consumer):
        await until(lambda: bool(after_failure), "the run's write to meet the lock")
        assert jobs(app) == 0 and "locked" in (consumer.waiting or "")
        holder.execute("ROLLBACK")
        await until(lambda: jobs(app) == 5, "the five jobs once the lock is gone")
    holder.close()
    assert after_failure[0] == 0 and calls[-1][0] == 5 and calls[-1][2]
    assert consumer.dead_lettered == 0
    app.close()


@pytest.mark.postgres
async def test_a_postgres_table_locked_at_the_write_is_waited_out(settings: Settings, js: Any, monkeypatch: Any, pg_url: str, pg_schema_prefix: str) -> None:
    """The same on PostgreSQL: another session holds the events table's lock, the run's
    write gives up after the lock timeout (55P03, an outage), nothing of it is stored."""
    settings = settings.model_copy(update={"db_url": pg_url, "db_schema_prefix": pg_schema_prefix})
    settings, _ = await approvals(settings, js, 5, {"max_deliver": 1})
    env = settings.store_env("engineering")
    app = EngineeringApplication({**env, "POSTGRES_LOCK_TIMEOUT": "1"})
    recorder: Any = app.recorder
    holder = psycopg.connect(pg_url)  # a transaction until rollback
    holder.execute(psycopg.sql.SQL("LOCK TABLE {0}.{1} IN EXCLUSIVE MODE").format(
        psycopg.sql.Identifier(env["POSTGRES_SCHEMA"]),
        psycopg.sql.Identifier(recorder.events_table_name)))
    after_failure: list[int] = []
    calls = runs_written(app, monkeypatch, after_failure)
    consumer = engineering_consumer(settings, js, app)
    async with consuming(consumer):
        await until(lambda: bool(after_failure), "the run's write to meet the lock")
        assert counted(app) == 0 and "lock" in (consumer.waiting or "")
        holder.rollback()
        await until(lambda: counted(app) == 5, "the five jobs once the lock is gone")
    holder.close()
    assert after_failure[0] == 0 and calls[-1][0] == 5 and calls[-1][2]
    assert consumer.dead_lettered == 0
    app.close()


async def test_a_writer_that_passed_the_run_s_first_delivery_is_seen_inside_the_run_s_transaction(
        backend_settings: Settings) -> None:
    """Another writer tracked a position between the run's first and last delivery (it applied
    some of them): the run's own tracking would still pass the library's guard, so the run's
    first is checked in the same transaction, and nothing of the run is stored."""
    app = EngineeringApplication(backend_settings.store_env("engineering"))
    try:
        name = "SALESFLOW_SALES@1"
        app.process_recorder.insert_tracking(Tracking(name, 7))  # the other writer, up to 7
        before = counted(app)
        with app.capturing(tracked=True) as capture:
            app.store(tracking=Tracking(name, 9))
        with pytest.raises(IntegrityError, match="past 6"):
            app.record_run([capture], Tracking(name, 9), run_from=Tracking(name, 6))
        assert app.tracked_position(name) == 7 and counted(app) == before
        app.record_run([capture], Tracking(name, 9), run_from=Tracking(name, 8))  # not passed
        assert app.tracked_position(name) == 9
    finally:
        app.close()
