"""Dead letters are no one-way door: counted from their stream, listed, shown and redriven."""
from __future__ import annotations

import argparse
import asyncio
from typing import Any

import nats
import pytest

from events import sales
from services.cli import dead_letters as cli
from services.cli.client import Client
from services.engineering.application import EngineeringApplication
from services.engineering.wiring import SPEC as ENGINEERING
from services.runtime import dead_letters
from services.runtime.settings import Settings
from services.sales.application import SalesApplication
from tests.integration.system import running, until
from tests.unit.builders import sample_at


def jobs(settings: Settings) -> int:
    app = EngineeringApplication(settings.store_env("engineering"))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def args(action: str, seq: int | None = None, **flags: Any) -> argparse.Namespace:
    return argparse.Namespace(action=action, seq=seq, all=flags.get("all", False),
                              json=flags.get("json", False))


async def test_a_dead_letter_is_counted_listed_and_once_fixed_redriven_exactly_once(settings: Settings, monkeypatch: Any, capsys: Any) -> None:
    """rule: R-S3 — finding 7: the approval that failed opens its sampling job after a redrive."""
    settings = settings.model_copy(update={"max_deliver": 1, "lease_ttl_seconds": 2.0})
    real = ENGINEERING.reactions[sales.SampleApplicationApproved]

    def broken(app: Any, event: Any, tracking: Any) -> None:
        if event.request_no == "S-1":
            raise RuntimeError("engineering cannot open this job yet")
        real(app, event, tracking)

    monkeypatch.setitem(ENGINEERING.reactions, sales.SampleApplicationApproved, broken)
    async with running(settings, ["sales", "engineering"]):
        store = SalesApplication(settings.store_env("sales"))
        store.store(*[sample_at("application_approved", f"S-{i}") for i in range(3)])
        store.close()
        nc = await nats.connect(settings.nats_url)
        js = nc.jetstream()
        await until(lambda: jobs(settings) == 2, "the two healthy approvals applied")
        await until(lambda: _counted(js, {"engineering": 1}), "one dead letter of engineering")
    async with running(settings, ["sales", "engineering"]):  # counts survive a restart
        assert await dead_letters.counts(js) == {"engineering": 1}
        client = Client(nc)
        assert await cli.run(args("list"), settings, client) == 0
        listed = capsys.readouterr().out
        assert "SampleApplicationApproved.v1" in listed and "cannot open this job" in listed
        [letter] = await dead_letters.letters(js)
        assert await cli.run(args("show", letter.seq), settings, client) == 0
        assert '"request_no": "S-1"' in capsys.readouterr().out
        monkeypatch.setitem(ENGINEERING.reactions, sales.SampleApplicationApproved, real)  # fixed
        assert await cli.run(args("redrive", letter.seq), settings, client) == 0
        assert "applied and removed" in capsys.readouterr().out
        assert jobs(settings) == 3 and await dead_letters.counts(js) == {}
        assert await cli.run(args("redrive", letter.seq), settings, client) == 1
        assert "no dead letter" in capsys.readouterr().out
        assert jobs(settings) == 3
    await nc.close()


async def _counted(js: Any, want: dict[str, int]) -> bool:
    return await dead_letters.counts(js) == want


async def test_a_redrive_repeated_after_a_crash_applies_nothing_twice(settings: Settings, js: Any) -> None:
    """The letter was applied, then the process died before deleting it: the second redrive
    finds the redrive's tracking and only removes the letter."""
    from tests.integration.consumers import approved_samples, engineering_consumer, failing

    settings = settings.model_copy(update={"max_deliver": 1})
    from services.runtime.streams import ensure_streams

    await ensure_streams(js, settings)
    await approved_samples(settings, js, 2)
    app = EngineeringApplication(settings.store_env("engineering"))
    consumer = engineering_consumer(settings, js, app, failing(
        lambda event, attempt: event.request_no == "S-0" and attempt == 1,
        lambda: RuntimeError("once")))
    await consumer.start()
    await consumer.poll_once(timeout=2)
    [letter] = await dead_letters.letters(js)
    real_delete = js.delete_msg

    async def crash(*_: Any) -> bool:
        raise ConnectionResetError("died before deleting the letter")

    js.delete_msg = crash
    with pytest.raises(ConnectionResetError):
        await dead_letters.redrive(js, letter.seq, "engineering", [consumer])
    js.delete_msg = real_delete
    assert app.recorder.max_notification_id() == 2  # S-0's job, once
    said = await dead_letters.redrive(js, letter.seq, "engineering", [consumer])
    assert "applied before" in said and app.recorder.max_notification_id() == 2
    assert await dead_letters.counts(js) == {}
    await consumer.close()
    await asyncio.to_thread(app.close)
