"""The projector over an in-memory store: idempotent by event id, months in the company's zone,
every trial counted, versioned builds swapped in by a rebuild."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.calendar import WorkingCalendar
from events.envelope import Role
from projections import sample_month
from projections.audit import AuditTrail
from projections.model import Item
from projections.projector import Projector
from projections.store import ViewStore
from services.sales.sample import SampleRecord, sample_id
from tests.projection_events import by_stream, customer_events, month_note, sample_path
from tests.unit.builders import FULL, ctx

SHANGHAI = ZoneInfo("Asia/Shanghai")


def apply_all(projector: Projector, streams: dict[str, list[Item]], batch: int = 7) -> None:
    for items in streams.values():
        for start in range(0, len(items), batch):
            projector.apply(items[start:start + batch])


def snapshot(projector: Projector, store: ViewStore) -> dict[str, Any]:
    models = projector.models
    return {"samples": models.samples.rows(store), "history": models.audit.history(store, "S-1"),
            "customer": models.customers.customer(store, "C-1"),
            "documents": models.customers.documents(store, "C-1"),
            "notes": models.month_notes.notes(store, "2026-11")}


def everything() -> list[Any]:
    return (sample_path("S-1", ("ng", "ok"), delayed=True) + customer_events("C-1", documents=2)
            + month_note("2026-11", "NG rate fell"))


def test_an_event_delivered_again_later_changes_no_read_model(store: ViewStore) -> None:
    """rule: R-S5 — a duplicate past the dedupe window, or a stream read again from its start
    (new stream sequences, same event ids), adds no audit row, disclosure, document, note or
    delay notice."""
    events = everything()
    projector = Projector(store)
    apply_all(projector, by_stream(events))
    once = snapshot(projector, store)
    assert len(once["history"]) == len([e for e in events if e.record_no == "S-1"])
    assert once["samples"][0]["delay_notices"] == 1 and once["customer"]["disclosures"] == "quality"
    assert len(once["documents"]) == 2 and len(once["notes"]) == 1

    apply_all(projector, by_stream(events, first=1000), batch=5)
    assert snapshot(projector, store) == once


def test_an_event_twice_in_one_batch_is_applied_once(store: ViewStore) -> None:
    """rule: R-S5"""
    events = everything()
    single = Projector(store)
    apply_all(single, by_stream(events))
    once = snapshot(single, store)

    doubled = ViewStore({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"})
    try:
        projector = Projector(doubled)
        twice = [e for event in events for e in (event, event)]
        apply_all(projector, by_stream(twice), batch=50)
        assert snapshot(projector, doubled) == once
    finally:
        doubled.close()


def requested_at(moment: datetime, no: str) -> list[Any]:
    record = SampleRecord(id=sample_id(no))
    record.request(ctx(Role.SALES_ASSISTANT, "amy", at=moment), request_no=no, customer="ACME",
                   product="gasket", part_no="P-1", salesperson="bob", materials=FULL)
    return record.collect_events()


def test_a_request_before_eight_on_the_first_belongs_to_that_month_in_shanghai(
        store: ViewStore) -> None:
    """rule: R-S8 — month buckets are the company's months (Asia/Shanghai), not UTC's."""
    projector = Projector(store)
    early = requested_at(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "S-EARLY")  # 07:30 on 1 Nov
    late = requested_at(datetime(2026, 10, 31, 15, 59, tzinfo=UTC), "S-LATE")  # 23:59 on 31 Oct
    apply_all(projector, by_stream(early + late))
    samples = projector.models.samples
    assert [r["request_no"] for r in samples.rows(store, month="2026-11")] == ["S-EARLY"]
    assert [r["request_no"] for r in samples.rows(store, month="2026-10")] == ["S-LATE"]


def test_the_month_analysis_counts_every_trial_of_every_round(store: ViewStore) -> None:
    """rule: R-S8 — an NG trial followed by a second round's OK is one NG and one OK."""
    projector = Projector(store)
    events = (sample_path("S-1", ("ok",)) + sample_path("S-2", ("ng", "ok"))
              + sample_path("S-3", ("ng", "ng")))
    apply_all(projector, by_stream(events))
    rows = projector.models.samples.rows(store)
    report = sample_month.analyse("2026-11", rows, WorkingCalendar())
    assert report["trials"] == {"ok": 2, "ng": 3, "ok_rate": 0.4}
    assert [t["result"] for t in rows[1]["trials"]] == ["ng", "ok"]


def test_a_completed_sample_keeps_its_completion_whatever_order_the_streams_arrive_in(
        store: ViewStore) -> None:
    """rule: R-S5 — production's "completed" applied after engineering's "returned" still fills
    ``completed_at`` (the streams are consumed independently)."""
    streams = by_stream(sample_path("S-1", ("ng", "ok"), delayed=True))
    rows = []
    for order in itertools.permutations(streams):
        views = ViewStore({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"})
        projector = Projector(views)
        apply_all(projector, {name: streams[name] for name in order})
        rows.append(projector.models.samples.rows(views))
        views.close()
    assert all(r == rows[0] for r in rows)
    [row] = rows[0]
    assert row["completed_at"] and row["returned_at"] and row["completed_at"] < row["returned_at"]
    assert (row["round"], row["delay_notices"], row["status"]) == (2, 1, "trial_ok")


# -- versioned builds and rebuilds (no NATS: the projector side of a rebuild) -----------------
def rebuild(projector: Projector, streams: dict[str, list[Item]], names: Sequence[str]) -> bool:
    from projections.rebuild import Run

    run = Run.begin(projector, projector.models.named(names))
    for items in streams.values():
        run.apply(items)
    return run.finish(list(streams))


def test_a_model_whose_version_changed_is_left_out_until_a_rebuild_swaps_it_in(
        store: ViewStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-model schema change does not wedge the projections: the changed model is
    rebuilt from the events beside the others, which stay live."""
    from projections.model import Rebuilding

    streams = by_stream(everything())
    projector = Projector(store)
    apply_all(projector, streams)
    before = snapshot(projector, store)

    monkeypatch.setattr(AuditTrail, "version", AuditTrail.version + 1)
    restarted = Projector(store)
    assert [m.name for m in restarted.stale] == ["audit"]
    with pytest.raises(Rebuilding):
        restarted.models.audit.history(store, "S-1")
    assert restarted.models.samples.rows(store) == before["samples"]  # the others still served
    assert rebuild(restarted, streams, ["audit"]) is True
    assert restarted.stale == [] and snapshot(restarted, store) == before


def test_a_rebuild_behind_the_live_position_is_not_swapped_in(store: ViewStore) -> None:
    streams = by_stream(everything())
    projector = Projector(store)
    apply_all(projector, streams)
    live = {name: items for name, items in streams.items()}
    behind = {name: items[:-1] for name, items in streams.items()}
    assert rebuild(projector, behind, ["samples"]) is False
    assert rebuild(projector, live, ["samples"]) is True


def test_a_zone_change_rebuilds_the_summary(store: ViewStore) -> None:
    """rule: R-S8 — month buckets depend on the zone, so a new zone means new rows."""
    streams = by_stream(requested_at(datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "S-1"))
    apply_all(Projector(store), streams)
    assert Projector(store, zone=SHANGHAI).stale == []
    in_utc = Projector(store, zone=UTC)
    assert [m.name for m in in_utc.stale] == ["samples", "orders", "complaints"]  # all bucket by month
    assert rebuild(in_utc, streams, ["samples"]) is True
    assert [r["request_no"] for r in in_utc.models.samples.rows(store, month="2026-10")] == ["S-1"]


def test_a_live_build_whose_tables_are_gone_is_rebuilt(store: ViewStore) -> None:
    projector = Projector(store)
    apply_all(projector, by_stream(month_note("2026-11", "NG rate fell")))
    _, build = projector.live["month_notes"]
    with store.write() as c:
        store.drop(c, build.table("sample_month_notes"))
    assert [m.name for m in Projector(store).stale] == ["month_notes"]


def test_a_standby_loading_the_store_leaves_a_rebuild_under_way_alone(store: ViewStore) -> None:
    """Only the active projections (``open`` at start) forget unfinished rebuilds."""
    from projections.rebuild import Run

    streams = by_stream(everything())
    projector = Projector(store)
    apply_all(projector, streams)
    run = Run.begin(projector, projector.models.named(["audit"]))
    Projector(store)  # a standby process starting beside the active one
    for items in streams.values():
        run.apply(items)
    assert run.finish(list(streams)) is True
    left = Run.begin(projector, projector.models.named(["samples"]))
    Projector(store).open()  # the next active start: the unfinished build goes
    with store.read() as c:
        c.execute("SELECT token FROM read_models")
        assert left.token not in {r["token"] for r in c.fetchall()}
