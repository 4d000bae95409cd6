"""`salesflow status` against a real nats-server: stub components answer with the decided payload,
and the dead letters are counted from the dead-letter stream itself."""
from __future__ import annotations

import argparse
import json
from typing import Any

import nats
import pytest

from contracts.subjects import COMPONENTS, DEAD_LETTER_STREAM, dead_letter_subject, status_subject
from services.cli import status
from services.cli.client import Client
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings


def payload(name: str) -> dict[str, Any]:
    """The status payload as decided for issue 6 (the projections have no relay)."""
    state: dict[str, Any] = {
        "service": name, "pid": 1000 + COMPONENTS.index(name), "role": "active",
        "consumers": {f"{name}-from-sales": {"processed": 7, "dead_lettered": 1, "waiting": None}}}
    if name == "projections":
        state["rebuilding"] = False
    else:
        state["relay"] = {"published": 20, "backlog": 4, "error": None}
    return state


async def show(nats_server: EmbeddedNats, settings: Settings, answering: list[str],
               capsys: pytest.CaptureFixture[str], as_json: bool = False) -> tuple[int, str]:
    nc = await nats.connect(nats_server.url)
    for name in answering:
        async def reply(msg: Any, name: str = name) -> None:
            await msg.respond(json.dumps(payload(name)).encode())

        await nc.subscribe(status_subject(name), cb=reply)
    client = await Client.open(settings)
    try:
        code = await status.run(argparse.Namespace(json=as_json), settings, client)
    finally:
        await client.close()
        await nc.drain()
    return code, capsys.readouterr().out


async def test_every_component_answering_with_dead_letters_in_the_stream(
        nats_server: EmbeddedNats, settings: Settings, js: Any, capsys: pytest.CaptureFixture[str]) -> None:
    await js.add_stream(name=DEAD_LETTER_STREAM, subjects=["salesflow.dlq.>"])
    for subject, count in ((dead_letter_subject("sales", "SALESFLOW_PRODUCTION"), 2),
                           (dead_letter_subject("projections", "SALESFLOW_SALES"), 1)):
        for _ in range(count):
            await js.publish(subject, b"{}")
    code, out = await show(nats_server, settings, list(COMPONENTS), capsys)
    assert code == 0
    assert "active 主用" in out and "Backlog 待发布" in out and "quality-from-sales" in out
    assert "dead letters in SALESFLOW_DEAD_LETTERS: 3 / 死信共 3 条" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("salesflow.dlq.")]
    assert rows == [["salesflow.dlq.projections.salesflow_sales", "1"],
                    ["salesflow.dlq.sales.salesflow_production", "2"]]


async def test_a_silent_component_makes_the_exit_code_one(
        nats_server: EmbeddedNats, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = await show(nats_server, settings, [c for c in COMPONENTS if c != "quality"], capsys)
    assert code == 1
    assert "not answering: quality" in out and "NO 无响应" in out
    assert "dead letters in SALESFLOW_DEAD_LETTERS: 0" in out  # no stream yet: none


async def test_json_gives_the_payloads_and_the_dead_letter_counts(
        nats_server: EmbeddedNats, settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = await show(nats_server, settings, ["sales"], capsys, as_json=True)
    shown = json.loads(out)
    assert code == 1 and shown["components"]["sales"] == payload("sales")
    assert shown["components"]["engineering"] is None and shown["dead_letters"] == {}
