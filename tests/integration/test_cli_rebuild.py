"""``salesflow rebuild``: progress and result, and one sentence instead of an hour's wait when
the projections die or restart during the rebuild (a stand-in answers on the real nats-server)."""
from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

import nats
import pytest

from contracts.queries import READ_MODELS
from contracts.subjects import CTL_REBUILD, CTL_REBUILD_PROGRESS, PROJECTIONS, status_subject
from services.cli import rebuild
from services.cli.client import Client
from services.runtime.settings import Settings
from tests.integration.system import running
from tests.projection_events import publish, sample_path


class StandIn:
    """Answers status as a projections process would, takes the rebuild request and never
    answers it; ``die()`` stops answering anything, ``restart()`` answers with a new pid."""

    def __init__(self, nc: Any) -> None:
        self.nc, self.pid, self.subs = nc, 4242, []

    async def start(self) -> None:
        async def on_status(msg: Any) -> None:
            await msg.respond(json.dumps({"service": PROJECTIONS, "pid": self.pid,
                                          "rebuilding": self.pid == 4242}).encode())

        async def on_rebuild(msg: Any) -> None:
            await self.nc.publish(CTL_REBUILD_PROGRESS, json.dumps(
                {"models": ["samples"], "done": 10, "total": 100}).encode())

        self.subs = [await self.nc.subscribe(status_subject(PROJECTIONS), cb=on_status),
                     await self.nc.subscribe(CTL_REBUILD, cb=on_rebuild)]

    async def die(self) -> None:
        for sub in self.subs:
            await sub.unsubscribe()

    def restart(self) -> None:
        self.pid = 5151


async def rebuild_with(settings: Settings, act: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(rebuild, "STALL_SECONDS", 2.0)
    monkeypatch.setattr(rebuild, "CHECK_SECONDS", 0.2)
    fake = await nats.connect(settings.nats_url)
    stand_in = StandIn(fake)
    await stand_in.start()
    client = Client(await nats.connect(settings.nats_url))

    async def later() -> None:
        await asyncio.sleep(1.0)
        await act(stand_in)

    acting = asyncio.ensure_future(later())
    try:
        return await asyncio.wait_for(
            rebuild.run(argparse.Namespace(model="samples"), settings, client), 30)
    finally:
        await acting
        await client.close()
        await fake.close()


async def test_the_rebuild_command_says_so_when_the_projections_die_mid_rebuild(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    """No progress and no status answer for a while: one bilingual sentence, exit code 1."""
    started = time.monotonic()

    async def die(stand_in: StandIn) -> None:
        await stand_in.die()

    assert await rebuild_with(settings, die, monkeypatch) == 1
    out = capsys.readouterr().out
    assert "rebuilding samples: 10/100 events (10%)" in out
    assert "stopped answering during the rebuild" in out and "重建期间投影服务停止响应" in out
    assert time.monotonic() - started < 20


async def test_the_rebuild_command_says_so_when_the_projections_restart_mid_rebuild(
        settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    async def restart(stand_in: StandIn) -> None:
        stand_in.restart()

    assert await rebuild_with(settings, restart, monkeypatch) == 1
    out = capsys.readouterr().out
    assert "restarted during the rebuild (pid 4242 -> 5151)" in out and "投影服务已重启" in out


async def test_the_rebuild_command_shows_progress_and_the_result(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    async with running(settings, ["projections"]):
        nc = await nats.connect(settings.nats_url)
        await publish(nc.jetstream(timeout=10), sample_path("S-1", ("ng", "ok")))
        client = Client(nc)
        assert await rebuild.run(argparse.Namespace(model=None), settings, client) == 0
        assert await rebuild.run(argparse.Namespace(model="audit"), settings, client) == 0
        await nc.close()
    out = capsys.readouterr().out
    assert "rebuilt from" in out and f"({', '.join(READ_MODELS)}): 1 sample rows" in out
    assert "rebuilt from" in out and "(audit)" in out


def test_status_says_a_rebuild_is_running() -> None:
    line = rebuild.describe({"rebuilding": True,
                             "rebuild": {"models": ["samples"], "done": 10, "total": 40}})
    assert line.startswith("rebuilding samples: 10/40 events") and "正在重建" in line
