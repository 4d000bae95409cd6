"""Every command gets a reply: an exception nobody expected is an ``internal`` error whose
reference is in the log, a store outage is ``unavailable``, and contracts see the bus's "now"."""
from __future__ import annotations

import json
import logging
import sqlite3
from datetime import UTC, datetime
from typing import Any, ClassVar

import pytest
from eventsourcing.persistence import OperationalError, ProgrammingError
from pydantic import ValidationInfo, field_validator

from contracts.commands.base import Command
from contracts.commands.sales_followup import NoteSampleMonth
from contracts.permissions import PERMISSIONS
from events.envelope import Role
from services.runtime.commands import CommandBus
from services.runtime.store import store_unavailable
from services.sales.application import SalesApplication
from services.sales.wiring import SPEC

ASSISTANT = {"user": "amy", "role": "sales_assistant"}
NOTE = {"actor": ASSISTANT, "month": "2026-05", "text": "two NG trials on the die edge"}
NOW = datetime(2026, 5, 31, 9, 0, tzinfo=UTC)


def app() -> SalesApplication:
    return SalesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: NOW)


def failing(error: Exception) -> Any:
    def use_case(app: Any, command: Any, ctx: Any) -> Any:
        raise error
    return use_case


def stored(bus: CommandBus) -> int:
    return bus.app.recorder.max_notification_id() or 0  # type: ignore[attr-defined]


def sqlite_error(message: str, code: int) -> OperationalError:
    """eventsourcing's OperationalError with the sqlite3 cause it wraps (as its recorder does)."""
    cause = sqlite3.OperationalError(message)
    cause.sqlite_errorcode = code  # type: ignore[attr-defined]
    try:
        raise OperationalError(cause) from cause
    except OperationalError as error:
        return error


async def test_an_exception_in_a_use_case_is_answered_as_internal_with_the_logged_reference(
        caplog: pytest.LogCaptureFixture) -> None:
    bus = CommandBus(app(), {NoteSampleMonth: failing(OverflowError("date value out of range"))})
    with caplog.at_level(logging.ERROR, logger="services.runtime.commands"):
        reply = await bus.handle("note_sample_month", json.dumps(NOTE).encode())
    assert not reply.ok and reply.error is not None and reply.error.kind == "internal"
    reference = reply.error.reference
    assert reference and reference in reply.error.message_en and reference in reply.error.message_zh
    assert reference in reply.error.sentence()
    [record] = [r for r in caplog.records if reference in r.getMessage()]
    assert record.exc_info is not None and record.exc_info[0] is OverflowError
    assert "note_sample_month" in record.getMessage() and stored(bus) == 0


async def test_an_exception_in_a_preparer_is_answered_as_internal_with_the_logged_reference(
        caplog: pytest.LogCaptureFixture) -> None:
    async def broken_preparer(command: Any) -> Any:
        raise KeyError("content_sha256")  # e.g. a bug in a step that runs before the use case

    bus = CommandBus(app(), SPEC.commands, preparers={NoteSampleMonth: broken_preparer})
    with caplog.at_level(logging.ERROR, logger="services.runtime.commands"):
        reply = await bus.handle("note_sample_month", json.dumps(NOTE).encode())
    assert reply.error is not None and reply.error.kind == "internal" and reply.error.reference
    assert any(reply.error.reference in r.getMessage() and r.exc_info for r in caplog.records)
    assert stored(bus) == 0


async def test_an_unwritable_store_is_answered_as_unavailable_not_internal(
        caplog: pytest.LogCaptureFixture) -> None:
    bus = CommandBus(app(), {NoteSampleMonth: failing(sqlite_error("database is locked", 5))})
    with caplog.at_level(logging.WARNING, logger="services.runtime.commands"):
        reply = await bus.handle("note_sample_month", json.dumps(NOTE).encode())
    assert reply.error is not None and reply.error.kind == "unavailable"
    assert "try again" in reply.error.message_en and "重试" in reply.error.message_zh
    assert reply.error.reference and any(reply.error.reference in r.getMessage()
                                         for r in caplog.records)


@pytest.mark.parametrize("error, outage", [
    (sqlite_error("database is locked", sqlite3.SQLITE_BUSY), True),
    (sqlite_error("disk I/O error", sqlite3.SQLITE_IOERR | (3 << 8)), True),  # extended code
    (sqlite_error("database or disk is full", sqlite3.SQLITE_FULL), True),
    (sqlite_error("no such column: penalty_at", sqlite3.SQLITE_ERROR), False),
    (OperationalError("connection to server at 127.0.0.1 failed"), True),  # psycopg's kind
    (ProgrammingError("column penalty_at does not exist"), False),
    (ValueError("bug"), False),
])
def test_only_a_store_outage_counts_as_unavailable(error: Exception, outage: bool) -> None:
    assert store_unavailable(error) is outage


async def test_a_failure_to_wake_the_relay_does_not_turn_a_stored_command_into_an_error() -> None:
    def closed_loop() -> None:
        raise RuntimeError("Event loop is closed")

    bus = CommandBus(app(), SPEC.commands, on_stored=closed_loop)
    reply = await bus.handle("note_sample_month", json.dumps(NOTE).encode())
    assert reply.ok and stored(bus) == 1


class Dated(Command):
    """A test contract that bounds a date around the validation context's "now"."""

    name: ClassVar[str] = "dated"
    seen: ClassVar[list[Any]] = []
    on: datetime

    @field_validator("on")
    @classmethod
    def not_in_the_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        cls.seen.append(info.context)
        now = (info.context or {}).get("now") or datetime.now(UTC)
        if value > now:
            raise ValueError("must not be in the future")
        return value


async def test_contracts_are_validated_with_the_applications_clock_as_now(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A test-only command: the permission table lets the assistant give it.
    monkeypatch.setitem(PERMISSIONS["sales"], "dated", (None, (Role.SALES_ASSISTANT,)))
    bus = CommandBus(app(), {Dated: lambda app, command, ctx: []}, department="sales")
    ok = await bus.handle("dated", json.dumps({"actor": ASSISTANT, "on": "2026-05-30T00:00:00Z"})
                          .encode())
    late = await bus.handle("dated", json.dumps({"actor": ASSISTANT, "on": "2026-06-01T00:00:00Z"})
                            .encode())
    assert ok.ok and Dated.seen[0] == {"now": NOW}
    assert late.error is not None and late.error.kind == "validation" and late.error.field == "on"
