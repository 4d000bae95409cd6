"""A command retried with its ``command_id`` is applied once, on SQLite and on PostgreSQL: the
record of the id is written in the events' transaction, so neither a lost reply, nor a crash
after the commit, nor a copy arriving at another service instance applies it twice."""
from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import nats
import pytest

from contracts.commands.sales_followup import NoteSampleMonth
from services.runtime.commands import CommandBus
from services.runtime.settings import Settings
from services.sales.application import SalesApplication
from services.sales.wiring import SPEC
from tests.integration.system import request, running

ASSISTANT = {"user": "amy", "role": "sales_assistant"}


def note(command_id: str | None = None) -> dict[str, Any]:
    return {"actor": ASSISTANT, "month": "2026-05", "text": "two NG trials on the die edge",
            "command_id": command_id or str(uuid.uuid4())}


@pytest.fixture
def store_env(backend_settings: Settings) -> dict[str, str]:
    """The sales store (an SQLite file, or a PostgreSQL schema) that several instances share."""
    return backend_settings.store_env("sales")


class Instances:
    """Service instances opened on the one store; closed after the test."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.apps = env, list[SalesApplication]()

    def bus(self, table: Any = None, **kwargs: Any) -> CommandBus:
        self.apps.append(SalesApplication(dict(self.env)))
        return CommandBus(self.apps[-1], table or SPEC.commands, **kwargs)


@pytest.fixture
def instances(store_env: dict[str, str]) -> Iterator[Instances]:
    opened = Instances(store_env)
    yield opened
    for app in opened.apps:
        app.close()


def events_in(app: SalesApplication) -> list[uuid.UUID]:
    """Event ids of every stored event (PostgreSQL notification ids may have gaps)."""
    notifications = app.recorder.select_notifications(start=1, limit=1000)
    return [app.mapper.to_domain_event(n).event_id for n in notifications]


async def send(bus: CommandBus, payload: dict[str, Any]) -> Any:
    return await bus.handle("note_sample_month", json.dumps(payload).encode())


async def test_a_month_note_sent_twice_over_nats_with_one_id_stores_one_event(
        backend_settings: Settings) -> None:
    """rule: R-S8"""
    payload = note()
    async with running(backend_settings, ["sales"]):
        nc = await nats.connect(backend_settings.nats_url)
        first = await request(nc, "salesflow.cmd.sales.note_sample_month", payload)
        again = await request(nc, "salesflow.cmd.sales.note_sample_month", payload)
        await nc.close()
    assert first["ok"] is True and again == first
    app = SalesApplication(backend_settings.store_env("sales"))
    try:
        assert events_in(app) == [uuid.UUID(first["events"][0]["event_id"])]
    finally:
        app.close()


async def test_two_instances_handling_one_id_at_once_store_it_once(instances: Instances) -> None:
    """Both have looked the id up (not there) before either saves."""
    both_looked_up = threading.Barrier(2, timeout=30)

    def note_together(app: Any, command: Any, ctx: Any) -> Any:
        both_looked_up.wait()
        return SalesApplication.note_sample_month(app, command, ctx)

    one, two = (instances.bus({NoteSampleMonth: note_together}) for _ in range(2))
    payload = note()
    first, second = await asyncio.gather(send(one, payload), send(two, payload))
    assert first.ok and second.ok and first.events == second.events
    assert events_in(one.app) == [first.events[0].event_id]


async def test_an_instance_that_saves_after_the_other_stored_the_id_answers_with_its_reply(
        instances: Instances) -> None:
    """The second instance loads the month after the first stored the note, so its own note
    would be a valid new version: only the command log's key stops it."""
    first_stored = threading.Event()
    looked_up = threading.Event()

    def note_after_the_other(app: Any, command: Any, ctx: Any) -> Any:
        looked_up.set()
        assert first_stored.wait(30)
        return SalesApplication.note_sample_month(app, command, ctx)

    late = instances.bus({NoteSampleMonth: note_after_the_other})
    early = instances.bus()
    payload = note()
    late_reply = asyncio.create_task(send(late, payload))
    assert await asyncio.to_thread(looked_up.wait, 30)
    early_reply = await send(early, payload)
    first_stored.set()
    assert early_reply.ok and (await late_reply) == early_reply
    assert events_in(early.app) == [early_reply.events[0].event_id]


class Crash(BaseException):
    """The process dies: nothing catches this."""


async def test_a_crash_after_the_commit_then_a_retry_stores_nothing_new(instances: Instances) -> None:
    def die() -> None:
        raise Crash

    payload = note()
    crashing = instances.bus(on_stored=die)  # runs right after the commit, before the reply
    with pytest.raises(Crash):
        await send(crashing, payload)
    [stored] = events_in(crashing.app)
    crashing.app.close()
    restarted = instances.bus()
    reply = await send(restarted, payload)
    assert reply.ok and [e.event_id for e in reply.events] == [stored]
    assert events_in(restarted.app) == [stored]


async def test_when_the_id_cannot_be_recorded_the_events_are_not_stored_either(
        instances: Instances, store_env: dict[str, str]) -> None:
    bus = instances.bus()
    _drop_command_log(store_env)
    reply = await send(bus, note())
    assert reply.error is not None and reply.error.kind == "internal"
    assert events_in(bus.app) == []


def _drop_command_log(env: dict[str, str]) -> None:
    if env["PERSISTENCE_MODULE"].endswith("sqlite"):
        import sqlite3

        with sqlite3.connect(env["SQLITE_DBNAME"]) as conn:
            conn.execute("DROP TABLE command_log")
        return
    import psycopg

    with psycopg.connect(host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                         dbname=env["POSTGRES_DBNAME"], user=env["POSTGRES_USER"],
                         password=env["POSTGRES_PASSWORD"], autocommit=True) as conn:
        conn.execute(f'DROP TABLE "{env["POSTGRES_SCHEMA"]}".sales_command_log')
