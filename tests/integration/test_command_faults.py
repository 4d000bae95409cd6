"""A store that is busy is an outage, answered ``unavailable`` (try again), not a bug; the same
command with the same id then goes through once."""
from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest

from services.runtime.commands import CommandBus
from services.sales.application import SalesApplication
from services.sales.wiring import SPEC

NOTE = {"actor": {"user": "amy", "role": "sales_assistant"}, "month": "2026-05",
        "text": "two NG trials on the die edge", "command_id": "note-2026-05-amy-1"}


async def test_a_locked_sqlite_store_is_answered_as_unavailable_and_the_retry_applies_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """rule: R-S8"""
    db = tmp_path / "sales.sqlite"
    app = SalesApplication({"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                            "SQLITE_DBNAME": str(db), "SQLITE_LOCK_TIMEOUT": "1"})
    bus = CommandBus(app, SPEC.commands)
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # e.g. a backup or another process holding the file
    try:
        with caplog.at_level(logging.WARNING, logger="services.runtime.commands"):
            refused = await bus.handle("note_sample_month", json.dumps(NOTE).encode())
    finally:
        blocker.rollback()
        blocker.close()
    try:
        assert refused.error is not None and refused.error.kind == "unavailable", refused
        assert any(refused.error.reference in r.getMessage() for r in caplog.records)
        assert (await bus.handle("note_sample_month", json.dumps(NOTE).encode())).ok
        assert (await bus.handle("note_sample_month", json.dumps(NOTE).encode())).ok
        assert app.recorder.max_notification_id() == 1
    finally:
        app.close()
