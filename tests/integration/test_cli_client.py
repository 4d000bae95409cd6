"""The CLI's client on a real nats-server: a lost command reply is asked for once more under the
same ``command_id``; a refused query is one bilingual sentence, not a wait and a traceback."""
from __future__ import annotations

import asyncio
import json
import os
import sys
import uuid
from pathlib import Path
from typing import Any

import nats
import pytest

from contracts.subjects import QUERY_SAMPLES
from services.cli.client import Client, QueryRefused
from services.reports.exports import EXPORT_PAGE
from services.runtime.commands import CommandBus, reply_bytes
from services.runtime.nats_server import EmbeddedNats
from services.sales.application import SalesApplication
from services.sales.month import SampleMonth
from services.sales.wiring import SPEC

SUBJECT = "salesflow.cmd.sales.note_sample_month"
NOTE = {"actor": {"user": "amy", "role": "sales_assistant"}, "month": "2026-05",
        "text": "two NG trials on the die edge"}
REFUSAL = {"error": {"kind": "validation", "field": "month",
                     "message_en": "month: must be YYYY-MM, e.g. 2026-11",
                     "message_zh": "month：月份格式应为 YYYY-MM，例如 2026-11"}}


async def responder(url: str, subject: str, answer: Any) -> tuple[Any, list[dict[str, Any]]]:
    """A stub service: records each request and replies ``await answer(n, payload)`` (None:
    the reply is lost)."""
    nc = await nats.connect(url)
    seen: list[dict[str, Any]] = []

    async def on(msg: Any) -> None:
        seen.append(json.loads(msg.data))
        reply = await answer(len(seen), seen[-1])
        if reply is not None:
            await msg.respond(reply)

    await nc.subscribe(subject, cb=on)
    return nc, seen


async def test_a_lost_reply_is_asked_for_again_with_the_same_command_id(
        nats_server: EmbeddedNats) -> None:
    ok = json.dumps({"ok": True, "events": []}).encode()
    stub, seen = await responder(nats_server.url, SUBJECT,
                                 lambda n, _: _now(None if n == 1 else ok))
    client = Client(await nats.connect(nats_server.url))
    reply = await client.command("sales", "note_sample_month", NOTE, timeout=0.5)
    other = await client.command("sales", "note_sample_month", NOTE, timeout=0.5)
    await client.close()
    await stub.close()
    assert reply.ok and other.ok and len(seen) == 3
    assert seen[0] == seen[1] and uuid.UUID(seen[0]["command_id"])
    assert seen[2]["command_id"] != seen[0]["command_id"]  # a new command, a new id


async def test_a_reply_lost_twice_is_reported_unavailable(nats_server: EmbeddedNats) -> None:
    stub, seen = await responder(nats_server.url, SUBJECT, lambda n, _: _now(None))
    client = Client(await nats.connect(nats_server.url))
    reply = await client.command("sales", "note_sample_month", NOTE, timeout=0.3)
    await client.close()
    await stub.close()
    assert reply.error is not None and reply.error.kind == "unavailable"
    assert len(seen) == 2 and seen[0]["command_id"] == seen[1]["command_id"]


async def test_a_stored_command_whose_reply_was_lost_is_answered_with_its_events(
        nats_server: EmbeddedNats, tmp_path: Path) -> None:
    """rule: R-S8 -- the real command bus on SQLite behind a link that loses the first reply."""
    app = SalesApplication({"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                            "SQLITE_DBNAME": str(tmp_path / "sales.sqlite")})
    bus = CommandBus(app, SPEC.commands)

    async def lossy(n: int, payload: dict[str, Any]) -> bytes | None:
        reply = reply_bytes(await bus.handle("note_sample_month", json.dumps(payload).encode()))
        return None if n == 1 else reply

    stub, seen = await responder(nats_server.url, SUBJECT, lossy)
    client = Client(await nats.connect(nats_server.url))
    reply = await client.command("sales", "note_sample_month", NOTE, timeout=1.0)
    await client.close()
    await stub.close()
    try:
        assert reply.ok and len(seen) == 2 and app.recorder.max_notification_id() == 1
        [event] = reply.events
        assert app.repository.get(event.aggregate_id, projector_func=SampleMonth.project).notes == 1
    finally:
        app.close()


async def test_a_refused_query_raises_one_bilingual_sentence(nats_server: EmbeddedNats) -> None:
    stub, _ = await responder(nats_server.url, QUERY_SAMPLES,
                              lambda n, _: _now(json.dumps(REFUSAL).encode()))
    client = Client(await nats.connect(nats_server.url))
    with pytest.raises(QueryRefused) as refused:
        await client.query(QUERY_SAMPLES, {"month": "nov"}, timeout=2)
    await client.close()
    await stub.close()
    assert refused.value.error.field == "month"
    assert "YYYY-MM" in str(refused.value) and "月份" in str(refused.value)


async def test_salesflow_prints_a_refused_query_in_one_line_and_exits_2(
        nats_server: EmbeddedNats, tmp_path: Path) -> None:
    stub, seen = await responder(nats_server.url, QUERY_SAMPLES,
                                 lambda n, _: _now(json.dumps(REFUSAL).encode()))
    cli = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.cli.main", "samples", "--month", "nov",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "NATS_URL": nats_server.url, "SALESFLOW_DATA_DIR": str(tmp_path)})
    out, err = await asyncio.wait_for(cli.communicate(), 60)
    await stub.close()
    assert cli.returncode == 2, err
    # the listing reads the table page by page: the refusal comes with the first page
    assert seen == [{"month": "nov", "limit": EXPORT_PAGE, "offset": 0}] and not out
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0], lines
    assert "month" in lines[0] and "YYYY-MM" in lines[0] and "月份" in lines[0]


async def _now(value: Any) -> Any:
    return value
