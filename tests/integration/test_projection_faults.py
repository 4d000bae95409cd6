"""The projections' failure branches on a real nats-server: an event no read model can take is
dead-lettered, passed for good, and redriven exactly once; a rebuild whose durables cannot be
removed afterwards still swaps its build in."""
from __future__ import annotations

import json
from typing import Any

import nats
from nats.js.manager import JetStreamManager

from contracts.subjects import CTL_REBUILD, QUERY_HISTORY, redrive_subject
from projections.audit import AuditTrail
from services.runtime import dead_letters
from services.runtime.settings import Settings
from tests.integration.system import request, running, until
from tests.projection_events import publish, sample_path


async def history_of(nc: Any, record: str) -> list[dict[str, Any]]:
    return await request(nc, QUERY_HISTORY, {"record_no": record})  # type: ignore[no-any-return]


async def test_an_event_the_projections_cannot_take_is_dead_lettered_and_redriven_once(settings: Settings, monkeypatch: Any) -> None:
    """rule: R-S5 — the summary's audit trail gets the event once the cause is fixed."""
    settings = settings.model_copy(update={"max_deliver": 1, "lease_ttl_seconds": 2.0})
    events = sample_path("S-1") + sample_path("S-2")
    poison = next(e for e in events if e.record_no == "S-2")  # S-2's request
    real = AuditTrail.apply

    def broken(self: AuditTrail, store: Any, c: Any, build: Any, items: Any) -> None:
        if any(e.event_id == poison.event_id for e, _, _ in items):
            raise RuntimeError("this audit row cannot be written")
        real(self, store, c, build, items)

    monkeypatch.setattr(AuditTrail, "apply", broken)
    async with running(settings, ["projections"]):
        nc = await nats.connect(settings.nats_url)
        js = nc.jetstream()
        await publish(js, events)
        await until(lambda: _letters(js, {"projections": 1}), "one dead letter of the projections")
        await until(lambda: _history_size(nc, "S-1", sum(e.record_no == "S-1" for e in events)),
                    "the other sample applied")
    async with running(settings, ["projections"]):  # its position was passed: not tried again
        assert await dead_letters.counts(js) == {"projections": 1}
        before = await history_of(nc, "S-2")
        assert poison.event_id not in {x["event_id"] for x in before}
        monkeypatch.setattr(AuditTrail, "apply", real)  # fixed
        [letter] = await dead_letters.letters(js)
        reply = await request(nc, redrive_subject("projections"), {"seq": letter.seq}, timeout=30)
        assert "applied and removed" in reply["message"], reply
        after = await history_of(nc, "S-2")
        assert [x["event_id"] for x in after].count(str(poison.event_id)) == 1
        again = await request(nc, redrive_subject("projections"), {"seq": letter.seq})
        assert "no dead letter" in again["error"]["message_en"]
    await nc.close()


async def _letters(js: Any, want: dict[str, int]) -> bool:
    return await dead_letters.counts(js) == want


async def _history_size(nc: Any, record: str, size: int) -> bool:
    return len(await history_of(nc, record)) == size


async def test_a_rebuild_whose_durables_cannot_be_removed_still_swaps_in(settings: Settings, monkeypatch: Any) -> None:
    """NATS refuses to delete the rebuild's durables (away for a moment): the new build is
    complete and swapped in; the durables are reset by the next rebuild."""
    events = sample_path("S-1", ("ng", "ok")) + sample_path("S-2")
    real = JetStreamManager.delete_consumer
    refused: list[str] = []

    async def refusing(self: Any, stream: str, consumer: str) -> bool:
        if consumer.startswith("projections-rebuild"):
            refused.append(consumer)
            raise TimeoutError("NATS did not answer")
        return await real(self, stream, consumer)

    async with running(settings, ["projections"]):
        nc = await nats.connect(settings.nats_url)
        await publish(nc.jetstream(), events)
        await until(lambda: _history_size(nc, "S-1", sum(e.record_no == "S-1" for e in events)),
                    "the live tables")
        live = await history_of(nc, "S-1")
        monkeypatch.setattr(JetStreamManager, "delete_consumer", refusing)
        reply = await request(nc, CTL_REBUILD, {}, timeout=60)
        monkeypatch.setattr(JetStreamManager, "delete_consumer", real)
        assert "error" not in reply and reply["events"] >= len(events), json.dumps(reply)
        assert refused and await history_of(nc, "S-1") == live
        await nc.close()


async def test_replaced_tables_that_cannot_be_dropped_yet_are_left_for_the_next_start(monkeypatch: Any, caplog: Any) -> None:
    """The store closed (a stop) before the replaced build's tables were dropped: logged, no
    error escapes; the next start drops tables of no registered build."""
    import logging

    from services.runtime import projection_rebuild

    class ClosedStore:
        def collect_garbage(self) -> None:
            raise RuntimeError("the store is closed")

    monkeypatch.setattr(projection_rebuild, "GARBAGE_DELAY_SECONDS", 0.0)
    with caplog.at_level(logging.INFO, logger=projection_rebuild.__name__):
        await projection_rebuild.Rebuild._collect_garbage(ClosedStore())  # type: ignore[arg-type]
    assert "not dropped yet" in caplog.text
