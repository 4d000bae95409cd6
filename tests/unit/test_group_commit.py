"""Group commit: commands arriving together are written in one transaction, and each still gets
the answer it would get alone (services.runtime.group_commit). In memory, and SQLite in memory
where the transaction itself is what the test is about."""
from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from contracts.replies import CommandReply
from services.runtime.command_log import SQLiteCommandLogRecorder
from services.runtime.commands import CommandBus
from services.sales.application import SalesApplication
from services.sales.wiring import SPEC

ASSISTANT = {"user": "amy", "role": "sales_assistant"}
MATERIALS = {"drawings": True, "technical_requirements": True, "original_sample": True,
             "quality_requirements": True, "key_notes": False}
FEWER = {**MATERIALS, "original_sample": False}
POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
SQLITE = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}


def request(no: str, **more: Any) -> tuple[str, dict[str, Any]]:
    return "request_sample", {"actor": ASSISTANT, "request_no": no, "customer": "ACME",
                              "product": "gasket", "part_no": f"P-{no}", "salesperson": "bob",
                              "materials": MATERIALS, **more}


def update(no: str, materials: dict[str, bool] = FEWER) -> tuple[str, dict[str, Any]]:
    return "update_sample_materials", {"actor": ASSISTANT, "request_no": no,
                                       "materials": materials}


class Counted:
    """A bus whose store counts its write transactions (``insert_events`` calls)."""

    def __init__(self, env: dict[str, str] = POPO) -> None:
        self.app = SalesApplication(env=dict(env))
        self.bus = CommandBus(self.app, SPEC.commands)
        self.transactions = 0
        recorder = self.app.recorder
        insert = recorder.insert_events

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.transactions += 1
            return insert(*args, **kwargs)

        recorder.insert_events = counted  # type: ignore[method-assign]

    async def together(self, *commands: tuple[str, dict[str, Any]]) -> list[CommandReply]:
        """The commands sent at the same moment (one batch)."""
        return list(await asyncio.gather(*(self.bus.handle(name, json.dumps(body).encode())
                                           for name, body in commands)))

    def stored(self) -> int:
        return self.app.recorder.max_notification_id() or 0


async def test_commands_arriving_together_are_stored_in_one_transaction() -> None:
    """rule: R-S3 (each request registers its sample record)"""
    s = Counted()
    replies = await s.together(*(request(f"S-{i}") for i in range(50)))
    assert all(r.ok for r in replies) and s.stored() == 50
    assert s.transactions == 1 and s.bus.group is not None and s.bus.group.counts.batches == 1
    assert [r.events[0].type for r in replies] == ["SampleRequested"] * 50
    # the store's order is the order the commands came in
    stored = s.app.recorder.select_notifications(1, 50)
    assert [json.loads(n.state)["request_no"] for n in stored] == [f"S-{i}" for i in range(50)]


async def test_a_refused_command_in_a_batch_does_not_affect_the_others() -> None:
    """rule: R-S3 (a material set changes only on an existing request)"""
    s = Counted()
    replies = await s.together(request("S-1"), update("S-404"), request("S-2"),
                               request("S-3", actor={"user": "amy", "role": "sales_assistant"},
                                       part_no=""))
    assert replies[0].ok and replies[2].ok
    assert replies[1].error is not None and replies[1].error.kind == "not_found"
    assert replies[3].error is not None and replies[3].error.kind == "validation"
    assert s.stored() == 2 and s.transactions == 1


async def test_commands_on_the_same_record_in_one_batch_both_apply_in_order() -> None:
    """rule: R-S3 (the material set is updated after the request)"""
    s = Counted()
    replies = await s.together(request("S-1"), update("S-1"), request("S-2"), update("S-1", MATERIALS))
    assert all(r.ok for r in replies), replies
    assert [(r.events[0].type, r.events[0].version) for r in replies] == [
        ("SampleRequested", 1), ("SampleMaterialsUpdated", 2), ("SampleRequested", 1),
        ("SampleMaterialsUpdated", 3)]
    assert s.app.sample("S-1").materials.original_sample is True  # the last update won
    assert s.transactions == 3  # the second and the third touch S-1: each waits for the next


async def test_a_command_refused_on_a_record_its_batch_creates_is_decided_after_it() -> None:
    """rule: R-S3 — alone, the update would find the record the request before it stored."""
    s = Counted()
    replies = await s.together(request("S-1"), update("S-1"))
    assert replies[1].ok and replies[1].events[0].version == 2


async def test_a_repeated_command_id_inside_one_batch_is_applied_once() -> None:
    s = Counted()
    body = request("S-1", command_id="6a0c1d2e-3f40-4a5b-8c6d-7e8f9a0b1c2d")
    replies = await s.together(body, request("S-2"), body)
    assert all(r.ok for r in replies)
    assert replies[0] == replies[2] and s.stored() == 2


async def test_a_conflicting_command_is_reloaded_and_retried_alone() -> None:
    """Another copy of the service updates S-2 while the batch decides: the batch's write
    conflicts, the others are written as decided, S-2's update is decided again on the new state."""
    s = Counted()
    await s.together(request("S-1"), request("S-2"), request("S-3"))
    decided: dict[str, int] = {}

    def update_materials(app: Any, command: Any, ctx: Any) -> Any:
        decided[command.request_no] = decided.get(command.request_no, 0) + 1
        record = app.sample(command.request_no)
        if command.request_no == "S-2" and decided["S-2"] == 1:
            # another writer, after this load (a thread of its own: its store is not captured)
            other = threading.Thread(target=lambda: app.update_sample_materials(command, ctx))
            other.start()
            other.join()
        record.update_materials(ctx, command.materials)
        return app.store(record)

    from contracts.commands.sales import UpdateSampleMaterials
    s.bus.routes["update_sample_materials"] = (UpdateSampleMaterials, update_materials)
    before = s.transactions
    replies = await s.together(update("S-1"), update("S-2"), update("S-3"))
    assert all(r.ok for r in replies), replies
    assert [r.events[0].version for r in replies] == [2, 3, 2]
    assert decided == {"S-1": 1, "S-2": 2, "S-3": 1}
    # the batch (failed), the other writer, then S-1, S-2 (conflicts), S-2 again, S-3
    assert s.transactions - before == 6
    assert s.bus.group is not None and s.bus.group.counts.fallbacks == 1


def disk_error() -> OperationalError:
    cause = sqlite3.OperationalError("disk I/O error")
    cause.sqlite_errorcode = sqlite3.SQLITE_IOERR  # type: ignore[attr-defined]
    try:
        raise OperationalError(cause) from cause
    except OperationalError as error:
        return error


async def test_a_store_failure_in_the_batch_write_answers_unavailable_to_all_and_stores_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    s = Counted(SQLITE)
    await s.together(request("S-0"))
    written: list[int] = []
    insert = SQLiteCommandLogRecorder._insert_events

    def fails_half_way(self: Any, c: Any, stored_events: Any, **kwargs: Any) -> Any:
        insert(self, c, stored_events, **kwargs)  # the rows are written, then the disk fails
        written.append(len(stored_events))
        raise disk_error()

    monkeypatch.setattr(SQLiteCommandLogRecorder, "_insert_events", fails_half_way)
    replies = await s.together(request("S-1", command_id="0b7e6a52-8d1c-4f3a-9e2b-5c4d3a2b1f00"),
                               request("S-2"), request("S-3"))
    assert written == [3]
    assert all(r.error is not None and r.error.kind == "unavailable" for r in replies)
    assert len({r.error.reference for r in replies if r.error}) == 1  # one failure, one reference
    monkeypatch.undo()
    assert s.stored() == 1 and s.app.handled("0b7e6a52-8d1c-4f3a-9e2b-5c4d3a2b1f00") is None
    assert all(r.ok for r in await s.together(request("S-1"), request("S-2")))  # nothing half-kept


async def test_a_batch_size_of_one_writes_each_command_alone() -> None:
    s = Counted()
    s.bus = CommandBus(s.app, SPEC.commands, batch_size=1)
    replies = await s.together(*(request(f"S-{i}") for i in range(5)))
    assert all(r.ok for r in replies) and s.transactions == 5 and s.bus.group is None


async def test_commands_arriving_while_a_batch_is_written_form_the_next_batch() -> None:
    s = Counted()
    s.bus = CommandBus(s.app, SPEC.commands, batch_size=10)
    replies = await s.together(*(request(f"S-{i}") for i in range(25)))
    assert all(r.ok for r in replies) and s.stored() == 25
    assert s.transactions == 3 and s.bus.group is not None and s.bus.group.counts.largest == 10


async def test_a_window_collects_commands_sent_a_moment_apart_into_one_batch() -> None:
    s = Counted()
    s.bus = CommandBus(s.app, SPEC.commands, batch_window=0.2)
    first = asyncio.create_task(s.bus.handle("request_sample", json.dumps(request("S-1")[1]).encode()))
    await asyncio.sleep(0.02)
    second = await s.bus.handle("request_sample", json.dumps(request("S-2")[1]).encode())
    assert (await first).ok and second.ok and s.transactions == 1


async def test_a_command_whose_caller_gave_up_before_its_batch_began_is_not_applied() -> None:
    s = Counted()
    s.bus = CommandBus(s.app, SPEC.commands, batch_size=2)
    tasks = [asyncio.create_task(s.bus.handle(name, json.dumps(body).encode()))
             for name, body in (request("S-1"), request("S-2"), request("S-3"))]
    await asyncio.sleep(0)  # all three wait: the first two in the batch being written
    tasks[2].cancel()
    assert all(r.ok for r in await asyncio.gather(*tasks[:2]))
    with pytest.raises(asyncio.CancelledError):
        await tasks[2]
    assert s.stored() == 2 and s.transactions == 1


def route(s: Counted, use_case: Any) -> None:
    """``request_sample`` handled by ``use_case`` (which may call the real one)."""
    from contracts.commands.sales import RequestSample
    s.bus.routes["request_sample"] = (RequestSample, use_case)


async def test_a_bug_in_one_use_case_answers_that_command_alone_and_the_rest_is_stored() -> None:
    s = Counted()
    real = s.bus.routes["request_sample"][1]

    def buggy(app: Any, command: Any, ctx: Any) -> Any:
        if command.request_no == "S-2":
            raise RuntimeError("a bug in this use case")
        return real(app, command, ctx)

    route(s, buggy)
    replies = await s.together(request("S-1"), request("S-2"), request("S-3"))
    assert [r.ok for r in replies] == [True, False, True]
    assert replies[1].error is not None and replies[1].error.kind == "internal"
    assert replies[1].error.reference and s.stored() == 2 and s.transactions == 1


async def test_a_use_case_whose_own_save_conflicts_is_retried_alone_and_stored_once() -> None:
    """``IntegrityError`` raised by the use case itself (not by the batch's write): that command
    is decided again on its own, the others stay in the batch."""
    from eventsourcing.persistence import IntegrityError
    s = Counted()
    real = s.bus.routes["request_sample"][1]
    calls: list[str] = []

    def conflicting_once(app: Any, command: Any, ctx: Any) -> Any:
        calls.append(command.request_no)
        if command.request_no == "S-2" and calls.count("S-2") == 1:
            raise IntegrityError("a concurrent save of this record")
        return real(app, command, ctx)

    route(s, conflicting_once)
    replies = await s.together(request("S-1"), request("S-2"), request("S-3"))
    assert all(r.ok for r in replies), replies
    assert calls.count("S-2") == 2 and s.stored() == 3
    assert [r.events[0].version for r in replies] == [1, 1, 1]


async def test_a_failure_of_the_group_commit_itself_reaches_every_caller_and_stores_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    s = Counted()
    assert s.bus.group is not None

    def broken(batch: Any) -> Any:
        raise RuntimeError("a bug in the batch")

    monkeypatch.setattr(s.bus.group, "decide_and_write", broken)
    replies = await s.together(request("S-1"), request("S-2"))
    assert all(r.error is not None and r.error.kind == "internal" for r in replies)
    assert s.stored() == 0
    monkeypatch.undo()
    assert all(r.ok for r in await s.together(request("S-1"), request("S-2")))  # goes on
    assert s.stored() == 2


async def test_a_store_failure_while_writing_one_by_one_answers_only_that_command(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch conflicted, so each command is written alone; the disk fails for the second
    one: it is told ``unavailable`` and stores nothing, the first and third are stored."""
    from eventsourcing.persistence import IntegrityError
    s = Counted()
    real = s.app.record_captured
    writes: list[int] = []

    def failing(captures: Any, handled: Any) -> Any:
        writes.append(len(captures))
        if len(writes) == 1:
            raise IntegrityError("another writer changed a record of the batch")
        if len(writes) == 3:
            raise disk_error()
        return real(captures, handled)

    monkeypatch.setattr(s.app, "record_captured", failing)
    replies = await s.together(request("S-1"), request("S-2"), request("S-3"))
    assert writes == [3, 1, 1, 1]
    assert [r.ok for r in replies] == [True, False, True]
    assert replies[1].error is not None and replies[1].error.kind == "unavailable"
    assert s.stored() == 2
