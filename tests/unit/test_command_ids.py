"""A command sent again with the same client-chosen ``command_id`` (its reply was lost) is
applied once and answered with the first reply; in memory here, on SQLite and PostgreSQL in
tests/integration/test_command_ids.py."""
from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from eventsourcing.persistence import IntegrityError

from contracts.commands.sales_followup import NoteSampleMonth
from services.runtime.commands import CommandBus
from services.sales.application import SalesApplication
from services.sales.wiring import SPEC

ASSISTANT = {"user": "amy", "role": "sales_assistant"}
NOTE = {"actor": ASSISTANT, "month": "2026-05", "text": "two NG trials on the die edge",
        "command_id": "3f1c0a9e-5b7d-4c2e-9a61-0d2b8e4f7c15"}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 5, 31, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def bus(clock: Clock | None = None) -> CommandBus:
    app = SalesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
    return CommandBus(app, SPEC.commands)


def stored(bus: CommandBus) -> int:
    return bus.app.recorder.max_notification_id() or 0  # type: ignore[attr-defined]


async def send(bus: CommandBus, payload: dict[str, Any], name: str = "note_sample_month") -> Any:
    return await bus.handle(name, json.dumps(payload).encode())


async def test_a_month_note_sent_twice_with_one_command_id_is_stored_once() -> None:
    """rule: R-S8"""
    b = bus()
    first, again = await send(b, NOTE), await send(b, NOTE)
    assert first.ok and again.ok and stored(b) == 1
    assert [e.event_id for e in again.events] == [e.event_id for e in first.events]
    assert again == first


async def test_without_a_command_id_a_repeat_is_a_new_note() -> None:
    """rule: R-S8"""
    b = bus()
    plain = {k: v for k, v in NOTE.items() if k != "command_id"}
    assert (await send(b, plain)).ok and (await send(b, plain)).ok
    assert stored(b) == 2


async def test_a_refused_command_is_not_remembered_so_its_id_can_be_sent_again() -> None:
    """rule: R-S8 (a salesperson may not write the month note)"""
    b = bus()
    wrong_role = {**NOTE, "actor": {"user": "bob", "role": "salesperson"}}
    refused = await send(b, wrong_role)
    assert refused.error is not None and refused.error.kind == "forbidden" and stored(b) == 0
    # the client fixes the payload and retries with the same id: a different command now
    assert (await send(b, NOTE)).ok and stored(b) == 1


async def test_an_id_reused_for_another_command_is_a_conflict_naming_the_field() -> None:
    b = bus()
    assert (await send(b, NOTE)).ok
    other = await send(b, {**NOTE, "text": "a different note"})
    assert other.error is not None and other.error.kind == "conflict"
    assert other.error.field == "command_id" and "note_sample_month" in other.error.message_en
    assert other.error.message_zh and stored(b) == 1


async def test_a_command_id_is_forgotten_after_a_day() -> None:
    clock = Clock()
    b = bus(clock)
    assert (await send(b, NOTE)).ok
    clock.now += timedelta(hours=23)
    assert (await send(b, NOTE)).events and stored(b) == 1
    clock.now += b.app.command_ids_kept
    assert (await send(b, NOTE)).ok and stored(b) == 2


async def test_a_copy_stored_in_between_is_answered_with_its_reply_not_a_conflict() -> None:
    """Another service instance stores the same command id while this one runs it: the save
    fails on the command id, and the reply is the other's."""
    b = bus()
    other = CommandBus(b.app, SPEC.commands)  # a second instance on the same store
    first: list[Any] = []
    calls = []

    def slow_note(app: Any, command: Any, ctx: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:  # the other copy gets in first, after our look-up
            first.append(asyncio.run(send(other, NOTE)))
        return SalesApplication.note_sample_month(app, command, ctx)

    b.routes["note_sample_month"] = (NoteSampleMonth, slow_note)
    reply = await send(b, NOTE)
    assert reply.ok and first[0].ok and reply.events == first[0].events
    assert stored(b) == 1 and len(calls) == 1


async def test_a_use_case_that_saves_twice_under_one_command_id_is_an_internal_error() -> None:
    def saves_twice(app: Any, command: Any, ctx: Any) -> Any:
        SalesApplication.note_sample_month(app, command, ctx)
        return SalesApplication.note_sample_month(app, command, ctx)

    b = bus()
    b.routes["note_sample_month"] = (NoteSampleMonth, saves_twice)
    reply = await send(b, NOTE)
    assert reply.error is not None and reply.error.kind == "internal"


async def test_a_conflict_on_the_record_is_still_retried_when_no_copy_was_stored() -> None:
    b = bus()
    calls = []

    def conflicts_once(app: Any, command: Any, ctx: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("version taken")
        return SalesApplication.note_sample_month(app, command, ctx)

    b.routes["note_sample_month"] = (NoteSampleMonth, conflicts_once)
    assert (await send(b, NOTE)).ok and len(calls) == 2 and stored(b) == 1


async def test_a_repeat_is_answered_before_the_preparer_stores_anything_again() -> None:
    prepared = []

    async def store_content(command: Any) -> Any:  # e.g. a document's content to the object store
        prepared.append(command.command_id)
        return command

    b = CommandBus(bus().app, SPEC.commands, preparers={NoteSampleMonth: store_content})
    first, again = await send(b, NOTE), await send(b, NOTE)
    assert first.ok and again == first and prepared == [NOTE["command_id"]]
