"""Rebuilds of the read models on a real nats-server: new builds beside the live ones, swapped
in when caught up; a failure leaves the live tables and consumers as they were; one model at a
time; a model whose schema changed is rebuilt when the projections start. Events are published
straight into the department streams, as the relays would."""
from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import nats
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from contracts.queries import READ_MODELS
from contracts.subjects import (
    CTL_REBUILD,
    PROJECTIONS,
    QUERY_CUSTOMER_FILE,
    QUERY_CUSTOMERS,
    QUERY_HISTORY,
    QUERY_SAMPLE_MONTH,
    QUERY_SAMPLES,
    status_subject,
)
from events.envelope import DomainEvent
from projections.store import ViewStore
from services.runtime.settings import Settings
from tests.integration.system import request, running, until
from tests.projection_events import customer_events, month_note, publish, sample_path

SAMPLES = 12


def history() -> list[DomainEvent]:
    events: list[DomainEvent] = []
    for n in range(1, SAMPLES + 1):
        events += sample_path(f"S-{n}", ("ng", "ok") if n % 3 == 0 else ("ok",), delayed=n % 4 == 0)
    return events + customer_events("C-1", documents=2) + month_note("2026-11", "NG rate fell")


async def tables(nc: Any) -> dict[str, Any]:
    """Every read model, as the queries answer it."""
    return {"samples": await request(nc, QUERY_SAMPLES, {}),
            "history": await request(nc, QUERY_HISTORY, {"record_no": "S-3"}),
            "customers": await request(nc, QUERY_CUSTOMERS, {}),
            "file": await request(nc, QUERY_CUSTOMER_FILE, {"customer_no": "C-1"}),
            "month": await request(nc, QUERY_SAMPLE_MONTH, {"month": "2026-11"})}


async def rows(nc: Any, count: int) -> bool:
    found = await request(nc, QUERY_SAMPLES, {})
    return isinstance(found, list) and len(found) == count


async def status(nc: Any) -> dict[str, Any]:
    return await request(nc, status_subject(PROJECTIONS), {})  # type: ignore[no-any-return]


async def processed(nc: Any) -> int:
    """How many messages the live consumers have applied, in all."""
    return sum(c["processed"] for c in (await status(nc))["consumers"].values())


async def applied(nc: Any, count: int) -> bool:
    return await processed(nc) >= count


async def loaded(settings: Settings, events: list[DomainEvent] | None = None,
                 ) -> tuple[Any, Any, dict[str, Any]]:
    """Connected, with the history published and applied; returns (nc, js, tables)."""
    nc = await nats.connect(settings.nats_url)
    js = nc.jetstream(timeout=10)
    events = history() if events is None else events
    await publish(js, events)
    await until(lambda: applied(nc, len(events)), "the live tables to hold every event", 30)
    return nc, js, await tables(nc)


def builds(settings: Settings) -> dict[str, str]:
    """The live build (token) of each read model, read from the registry."""
    store = ViewStore(settings.store_env(PROJECTIONS))
    try:
        with store.read() as c:
            c.execute(store.sql("SELECT model, token FROM {t}read_models WHERE state = 'live'"))
            return {r["model"]: r["token"] for r in c.fetchall()}
    except Exception:  # noqa: BLE001 - no registry (c0b078a): the reply check fails first
        return {}
    finally:
        store.close()


async def test_queries_read_the_complete_tables_while_a_rebuild_fills_new_ones(
        backend_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """rule: R-S5 — the summary stays complete during a rebuild, and rebuild equals live."""
    gate = threading.Event()
    try:
        from projections.rebuild import Run
    except ImportError:  # before rebuilds had new builds to hold back (c0b078a)
        pass
    else:
        finish = Run.finish
        monkeypatch.setattr(Run, "finish", lambda self, keys: gate.is_set() and finish(self, keys))
    async with running(backend_settings, ["projections"]):
        nc, js, before = await loaded(backend_settings)
        rebuilt = asyncio.ensure_future(nc.request(CTL_REBUILD, b"{}", timeout=60))

        async def caught_up() -> bool:
            state = await status(nc)
            progress = state.get("rebuild") or {}
            return bool(state.get("rebuilding")) and 0 < progress.get("total", 0) == progress["done"]

        await until(caught_up, "the rebuild to catch up (not swapped in yet)", 30)
        applied_before = await processed(nc)
        assert await tables(nc) == before  # the complete live tables, not a partial new build
        new = sample_path("S-NEW", ("ok",))
        await publish(js, new)
        await until(lambda: applied(nc, len(new) + applied_before), "live consumers to go on "
                    "during the rebuild", 30)
        live = await tables(nc)
        gate.set()
        reply = json.loads((await rebuilt).data)
        assert reply["models"] == list(READ_MODELS)
        assert reply["rows"] == SAMPLES + 1
        assert await tables(nc) == live
        assert (await status(nc))["rebuilding"] is False
        await nc.close()


async def test_a_failure_in_the_middle_of_a_rebuild_keeps_the_old_tables_and_the_consumers(
        backend_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """rule: R-S5 — the rebuild is refused with a reason; queries and live consumption go on."""
    calls = {"armed": False, "count": 0}
    stream_info = JetStreamContext.stream_info

    async def failing(self: JetStreamContext, *args: Any, **kwargs: Any) -> Any:
        if calls["armed"]:
            calls["count"] += 1
            if calls["count"] > 2:
                raise RuntimeError("injected: stream info lost in the middle of a rebuild")
        return await stream_info(self, *args, **kwargs)

    monkeypatch.setattr(JetStreamContext, "stream_info", failing)
    async with running(backend_settings, ["projections"]):
        nc, js, before = await loaded(backend_settings)
        calls["armed"] = True
        refused = await request(nc, CTL_REBUILD, {}, timeout=30)
        calls["armed"] = False
        applied_before = await processed(nc)
        assert set(refused) == {"error"} and refused["error"]["kind"] == "internal"
        assert "previous tables" in refused["error"]["message_en"]
        assert await tables(nc) == before
        state = await status(nc)
        assert state["rebuilding"] is False and state["unavailable"] == []
        with pytest.raises(NotFoundError):  # the rebuild's durables went with it
            await js.consumer_info("SALESFLOW_SALES", "projections-rebuild-from-sales")
        new = sample_path("S-NEW", ("ok",))
        await publish(js, new)
        await until(lambda: applied(nc, len(new) + applied_before), "live consumers to go on "
                    "after the failure", 30)
        live = await tables(nc)
        assert (await request(nc, CTL_REBUILD, {}, timeout=60))["rows"] == SAMPLES + 1
        assert await tables(nc) == live
        await nc.close()


async def test_an_event_the_rebuild_cannot_apply_stops_it_without_dead_letters(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug met only by the new build must not swap in a table that lacks the event."""
    from projections.rebuild import Run

    apply = Run.apply

    def picky(self: Run, items: Any) -> None:
        if any(getattr(e, "request_no", None) == "S-5" for e, _, _ in items):
            raise ValueError("injected: the new fold cannot take S-5")
        apply(self, items)

    monkeypatch.setattr(Run, "apply", picky)
    async with running(settings, ["projections"]):
        nc, js, before = await loaded(settings)
        refused = await request(nc, CTL_REBUILD, {"model": "samples"}, timeout=30)
        assert "S-5" not in str(before["samples"][0]) and "cannot take S-5" in str(refused)
        assert await tables(nc) == before
        dead = await js.stream_info("SALESFLOW_DEAD_LETTERS")
        assert dead.state.messages == 0
        await nc.close()


async def test_one_read_model_is_rebuilt_and_the_others_stay_as_they_are(settings: Settings) -> None:
    async with running(settings, ["projections"]):
        nc, _, before = await loaded(settings)
        old = builds(settings)
        reply = await request(nc, CTL_REBUILD, {"model": "audit"}, timeout=60)
        assert reply["models"] == ["audit"]
        new = builds(settings)
        assert new["audit"] != old["audit"]
        assert {k: v for k, v in new.items() if k != "audit"} == {
            k: v for k, v in old.items() if k != "audit"}
        assert await tables(nc) == before
        await nc.close()


async def test_a_model_whose_version_changed_is_rebuilt_when_the_projections_start(
        backend_settings: Settings, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """A read-model column change (here: a new column, and a new key in each row) is rebuilt
    from the streams automatically, instead of wedging the projections."""
    from projections import sample_summary
    from projections.sample_table import SampleSummaryTable

    async with running(backend_settings, ["projections"]):
        nc, _, before = await loaded(backend_settings)
        await nc.close()

    ddl, new_row = SampleSummaryTable.ddl, sample_summary.new_row
    monkeypatch.setattr(SampleSummaryTable, "version", getattr(SampleSummaryTable, "version", 1) + 1,
                        raising=False)
    monkeypatch.setattr(SampleSummaryTable, "ddl", lambda self: [s.replace(
        "row_json TEXT NOT NULL", "row_json TEXT NOT NULL, region TEXT NOT NULL DEFAULT 'north'")
        for s in ddl(self)])
    monkeypatch.setattr(sample_summary, "new_row", lambda no: {**new_row(no), "region": "north"})
    caplog.set_level("INFO")
    async with running(backend_settings, ["projections"]):
        nc = await nats.connect(backend_settings.nats_url)

        async def rebuilt() -> bool:
            found = await request(nc, QUERY_SAMPLES, {})
            return isinstance(found, list) and len(found) == SAMPLES and all(
                r.get("region") == "north" for r in found)

        await until(rebuilt, "the changed summary to be rebuilt from the streams", 40)
        after = await tables(nc)
        assert [{k: v for k, v in r.items() if k != "region"} for r in after["samples"]] == \
            before["samples"]
        assert {k: v for k, v in after.items() if k != "samples"} == {
            k: v for k, v in before.items() if k != "samples"}
        assert (await status(nc))["unavailable"] == []
        await nc.close()
    assert "no build of the current schema" in caplog.text and "rebuilding samples" in caplog.text


async def test_a_duplicate_past_the_dedupe_window_changes_no_read_model(
        backend_settings: Settings) -> None:
    """rule: R-S5 — the same events again under new message ids (a relay restarted after the
    dedupe window, a restored backup) add no audit row, no delay notice, no disclosure."""
    events = history()
    async with running(backend_settings, ["projections"]):
        nc, js, before = await loaded(backend_settings, events)
        await publish(js, events, msg_id="again:{event_id}")
        await until(lambda: applied(nc, 2 * len(events)), "the duplicates to be consumed", 30)
        assert await tables(nc) == before
        await nc.close()
