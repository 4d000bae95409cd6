"""Bulk import commands (issue 12): many rows of ``import_sample`` in one ``import_samples``,
each row checked and decided as that command alone, on a real nats-server (SQLite and
PostgreSQL), and the bus's own faults injected in process."""
from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

import nats
import pytest

from contracts.commands.bulk import BULK_ROWS
from contracts.subjects import QUERY_SAMPLES
from services.runtime.commands import CommandBus
from services.runtime.group_commit import GroupCommit
from services.runtime.settings import Settings
from services.sales.application import SalesApplication
from services.sales.wiring import SPEC
from tests.integration.system import request, running, until

AMY = {"user": "amy", "role": "sales_assistant"}
SUBJECT = "salesflow.cmd.sales.import_samples"
SHA = hashlib.sha256(b"bulk import").hexdigest()


def row(number: int, no: str, **more: Any) -> dict[str, Any]:
    return {"request_no": no, "requested_at": "2025-03-02T09:00:00+08:00", "status": "closed",
            "customer": "Huaxin", "source": {"file_name": "old.xlsx", "file_sha256": SHA,
                                             "sheet": "2025", "row": number}, **more}


def rows_of(reply: dict[str, Any]) -> dict[int, dict[str, Any]]:
    assert reply["ok"], reply
    return {r["row"]: r for r in reply["rows"]}


def notifications(settings: Settings) -> int:
    app = SalesApplication(settings.store_env("sales"))
    try:
        return len(app.recorder.select_notifications(start=1, limit=10_000))
    finally:
        app.close()


async def test_each_row_of_a_bulk_is_answered_alone_and_a_repeat_stores_nothing(
        backend_settings: Settings) -> None:
    """rule: R-S5 (the old Sample Record Summary imported row by row, a bad row refused alone)"""
    rows = [
        row(2, "B-1"),
        row(3, "B-2", requested_at="2099-01-01T00:00:00+08:00"),  # in the future
        row(4, "B-3", actor=AMY),  # the envelope belongs to the bulk, not a row
        row(5, "B-1", customer="Other Co"),  # B-1 again with other facts (same bulk)
        row(6, "B-4", colour="red"),  # no such column
        row(7, "B-5"),
    ]
    async with running(backend_settings, ["sales", "projections"]):
        nc = await nats.connect(backend_settings.nats_url)
        try:
            first = rows_of(await request(nc, SUBJECT, {"actor": AMY, "rows": rows}, timeout=30))
            assert sorted(first) == list(range(len(rows)))
            assert [r["type"] for r in first[0]["events"]] == ["SampleImported"]
            assert first[5]["events"] and first[5].get("error") is None
            future, envelope, again, extra = (first[i]["error"] for i in (1, 2, 3, 4))
            assert future["kind"] == "validation" and future["field"] == "requested_at"
            assert envelope["field"] == "actor" and "whole bulk" in envelope["message_en"]
            assert "批量命令" in envelope["message_zh"]
            assert again["kind"] == "conflict" and again["rule"] == "R-S5"
            assert "已存在" in again["message_zh"]
            assert extra["field"] == "colour" and not first[4].get("events")
            assert notifications(backend_settings) == 2  # B-1 and B-5, nothing of the others

            async def shown() -> bool:
                return {r["request_no"] for r in await request(nc, QUERY_SAMPLES, {})} == {
                    "B-1", "B-5"}
            await until(shown, "B-1 and B-5 in the Sample Record Summary", timeout=20)

            repeat = rows_of(await request(nc, SUBJECT, {"actor": AMY, "rows": rows}, timeout=30))
            assert repeat[0].get("events", []) == [] and repeat[0].get("error") is None  # unchanged
            assert repeat[5].get("events", []) == [] and repeat[5].get("error") is None
            assert repeat[3]["error"]["rule"] == "R-S5"
            assert notifications(backend_settings) == 2
        finally:
            await nc.close()


async def test_a_bulk_is_refused_whole_when_empty_too_long_or_given_by_the_wrong_role(
        settings: Settings) -> None:
    """rule: R-S5 (only the sales assistant imports the Sample Record Summary)"""
    async with running(settings, ["sales"]):
        nc = await nats.connect(settings.nats_url)
        try:
            empty = await request(nc, SUBJECT, {"actor": AMY, "rows": []})
            assert not empty["ok"] and empty["error"]["field"] == "rows"
            too_many = [row(i, f"M-{i}") for i in range(BULK_ROWS + 1)]
            long = await request(nc, SUBJECT, {"actor": AMY, "rows": too_many}, timeout=30)
            assert not long["ok"] and long["error"]["field"] == "rows"
            assert "500" in long["error"]["message_en"] and long["error"]["message_zh"]
            bob = {"user": "bob", "role": "salesperson"}
            forbidden = await request(nc, SUBJECT, {"actor": bob, "rows": [row(2, "F-1")]})
            assert not forbidden["ok"] and forbidden["error"]["kind"] == "forbidden"
            assert forbidden["error"]["rule"] == "R-S5" and forbidden.get("rows") is None
            assert notifications(settings) == 0
        finally:
            await nc.close()


def bus_on(db: Path, lock_timeout: str = "5") -> tuple[SalesApplication, CommandBus]:
    app = SalesApplication({"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                            "SQLITE_DBNAME": str(db), "SQLITE_LOCK_TIMEOUT": lock_timeout})
    return app, CommandBus(app, SPEC.commands)


def bulk(*rows: dict[str, Any]) -> bytes:
    return json.dumps({"actor": AMY, "rows": list(rows)}).encode()


async def test_a_store_outage_under_a_bulk_answers_its_rows_unavailable_and_stores_nothing(
        tmp_path: Path) -> None:
    """rule: R-S5"""
    db = tmp_path / "sales.sqlite"
    app, bus = bus_on(db, lock_timeout="1")
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # e.g. a backup holding the file
    try:
        reply = await bus.handle("import_samples", bulk(row(2, "U-1"), row(3, "U-2")))
    finally:
        blocker.rollback()
        blocker.close()
    try:
        assert reply.ok and reply.rows is not None
        assert {r.error.kind for r in reply.rows if r.error} == {"unavailable"}
        assert all(r.error is not None for r in reply.rows)
        assert app.recorder.max_notification_id() in (None, 0)
        retried = await bus.handle("import_samples", bulk(row(2, "U-1"), row(3, "U-2")))
        assert retried.rows is not None and all(r.events for r in retried.rows)
        assert app.recorder.max_notification_id() == 2
    finally:
        app.close()


async def test_a_failing_batch_answers_its_own_rows_and_the_rest_of_the_bulk_is_stored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """rule: R-S5 (a bug in one batch: its rows are told, with a log reference; nothing of
    them is stored; the rows of the other batches are)"""
    app, bus = bus_on(tmp_path / "sales.sqlite")
    assert bus.group is not None
    real = GroupCommit.decide_and_write
    calls = 0

    def second_batch_breaks(self: GroupCommit, batch: list[Any]) -> list[Any]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("injected: a bug while writing a batch")
        return real(self, batch)

    monkeypatch.setattr(GroupCommit, "decide_and_write", second_batch_breaks)
    bus.group.size = 3  # six rows: two batches
    try:
        with caplog.at_level(logging.ERROR):
            reply = await bus.handle("import_samples",
                                     bulk(*(row(i, f"X-{i}") for i in range(2, 8))))
        assert reply.rows is not None
        stored = [r for r in reply.rows if r.events]
        broken = [r for r in reply.rows if r.error is not None]
        assert len(stored) == 3 and len(broken) == 3
        assert all(r.error.kind == "internal" and r.error.reference for r in broken)
        assert any(broken[0].error.reference in rec.getMessage() for rec in caplog.records)
        assert app.recorder.max_notification_id() == 3
    finally:
        app.close()
