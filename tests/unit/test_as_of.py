"""As-of reading: a table as it stood at a past moment equals a rebuild of the events recorded up
to that moment (R-S5 and R-O5: the summary as the CS supervisor saw it at 16:00)."""
from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from contracts.queries import SamplesQuery, query_error
from contracts.subjects import QUERY_SAMPLES
from events import sales
from events.envelope import DomainEvent
from projections import as_of, registry
from projections.model import Rebuilding
from projections.projector import Projector
from projections.store import ViewStore
from services.cli import as_of as cli_as_of
from tests.projection_events import by_stream, sample_path
from tests.unit.builders import T0

SHANGHAI = ZoneInfo("Asia/Shanghai")
MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}
MICRO = timedelta(microseconds=1)


def shifted(events: list[DomainEvent], by: timedelta, **facts: Any) -> list[DomainEvent]:
    """The events recorded ``by`` later; ``facts`` change the request (e.g. its customer)."""
    return [e.model_copy(update={"timestamp": e.timestamp + by, "recorded_at": e.recorded + by,
                                 **(facts if isinstance(e, sales.SampleRequested) else {})})
            for e in events]


def set_back(events: list[DomainEvent], kind: type[DomainEvent], by: timedelta) -> list[DomainEvent]:
    """The clock set back before ``kind`` was recorded: it bears an earlier time than the
    event before it in its record (a rebuild still folds it after, in version order)."""
    return [e.model_copy(update={"timestamp": e.timestamp - by, "recorded_at": e.recorded - by})
            if isinstance(e, kind) else e
            for e in events]


def history(later: timedelta = timedelta(0)) -> list[DomainEvent]:
    """Ten samples, requested 7 hours (and a second and a microsecond) apart from 31 October
    15:00 in Shanghai (or ``later``), so their paths overlap and the month turns between the
    second and third (in Shanghai, not in UTC); three customers; NG rounds and delays; one
    clock set back."""
    events: list[DomainEvent] = []
    for k in range(10):
        path = sample_path(f"S-{k:02}", ("ng", "ok") if k % 3 == 0 else ("ok",), delayed=k % 4 == 1)
        if k == 4:
            path = set_back(path, sales.SampleReceiptConfirmed, timedelta(hours=18, minutes=30))
        by = later + timedelta(hours=7 * k - 50, seconds=k, microseconds=k)
        events += shifted(path, by, customer=("ACME", "BOLT", "CORA")[k % 3])
    return events


def rebuilt(events: list[DomainEvent], moment: datetime) -> Projector:
    """A fresh projector fed, stream by stream, only the events recorded up to ``moment``."""
    projector = Projector(ViewStore(MEMORY))
    for items in by_stream(e for e in events if e.recorded <= moment).values():
        for start in range(0, len(items), 50):
            projector.apply(items[start:start + 50])
    return projector


def loaded(store: ViewStore, events: list[DomainEvent]) -> Projector:
    projector = Projector(store)
    for items in by_stream(events).values():
        projector.apply(items)
    return projector


def moments(events: list[DomainEvent]) -> list[datetime]:
    """Every fourth moment an event was recorded at, and a microsecond before it."""
    times = sorted({e.recorded for e in events})[::4]
    return sorted({t for moment in times for t in (moment, moment - MICRO)})


def test_the_table_as_of_a_moment_equals_a_rebuild_of_the_events_recorded_up_to_it(
        store: ViewStore) -> None:
    """rule: R-S5 — the Sample Record Summary as it stood at any moment (e.g. 16:00)."""
    events = history()
    projector = loaded(store, events)
    fold = projector.models.samples.fold()
    checked = 0
    for moment in moments(events):
        reference = rebuilt(events, moment)
        try:
            expected = reference.models.samples.rows(reference.store)
            assert as_of.rows(store, fold, moment) == expected, moment
            checked += bool(expected)
        finally:
            reference.store.close()
    assert checked > 20
    everything = max(e.recorded for e in events)
    assert as_of.rows(store, fold, everything) == projector.models.samples.rows(store)
    assert as_of.rows(store, fold, min(e.recorded for e in events) - MICRO) == []


@pytest.mark.parametrize("filters", [{"customer": "BOLT"}, {"month": "2026-10"}, {"month": "2026-11"},
                                     {"status": "trial_ok"}, {"customer": "ACME", "month": "2026-11"},
                                     {"customer": "NOBODY"}, {"customer": "", "status": None}])
def test_as_of_filters_as_the_live_table_filters(store: ViewStore, filters: dict[str, Any]) -> None:
    """rule: R-S5 — a customer's or a month's rows (months in the company's zone) as of 16:00."""
    events = history()
    fold = loaded(store, events).models.samples.fold()
    sixteen = datetime(2026, 11, 3, 16, 0, tzinfo=SHANGHAI)
    reference = rebuilt(events, sixteen)
    try:
        expected = reference.models.samples.rows(reference.store, **filters)
    finally:
        reference.store.close()
    assert as_of.rows(store, fold, sixteen, **filters) == expected
    if filters.get("month") == "2026-10":
        assert [r["request_no"] for r in expected] == ["S-00", "S-01"]


def test_events_of_one_record_are_folded_in_version_order_whatever_their_clock_says(
        store: ViewStore) -> None:
    """rule: R-S5 — a receipt recorded (clock set back) with a time before the shipment's is
    still folded after it, as a rebuild does: the status is "received", not "shipped"."""
    events = history()
    fold = loaded(store, events).models.samples.fold()
    ship = next(e for e in events if isinstance(e, sales.SampleShipped) and e.request_no == "S-04")
    receipt = next(e for e in events
                   if isinstance(e, sales.SampleReceiptConfirmed) and e.request_no == "S-04")
    assert receipt.recorded < ship.recorded
    def s04(moment: datetime) -> dict[str, Any]:
        return next(r for r in as_of.rows(store, fold, moment) if r["request_no"] == "S-04")

    between = s04(ship.recorded - MICRO)
    assert between["shipped_at"] is None and between["received_on"] is not None
    assert s04(ship.recorded)["status"] == "received"


def test_an_event_recorded_before_the_moment_that_arrives_later_is_in_the_next_answer(
        store: ViewStore) -> None:
    """rule: R-S5 — as-of answers from the events the projections hold: production's stream
    behind, its events are missing until they arrive; then the answer is the rebuild's."""
    events = history()
    streams = by_stream(events)
    projector = Projector(store)
    for name, items in streams.items():
        if "PRODUCTION" not in name:
            projector.apply(items)
    fold = projector.models.samples.fold()
    moment = datetime(2026, 11, 3, 16, 0, tzinfo=SHANGHAI)
    early = as_of.rows(store, fold, moment)
    assert all(r["promised_at"] is None for r in early)
    for name, items in streams.items():
        if "PRODUCTION" in name:
            projector.apply(items)
    reference = rebuilt(events, moment)
    try:
        assert as_of.rows(store, fold, moment) == reference.models.samples.rows(reference.store)
    finally:
        reference.store.close()


def test_as_of_is_refused_while_the_audit_trail_has_no_complete_table(store: ViewStore) -> None:
    """rule: R-S5 — the audit trail being rebuilt after a schema change: as-of cannot answer."""
    projector = loaded(store, history())
    _, build = projector.live["audit"]
    with store.write() as c:
        registry.forget(store, c, "audit", build.token)
    with pytest.raises(Rebuilding) as refused:
        as_of.rows(store, projector.models.samples.fold(), datetime.now(UTC))
    assert refused.value.model == "audit"


def test_an_unknown_filter_or_a_moment_without_its_zone_is_a_programming_error(
        store: ViewStore) -> None:
    fold = loaded(store, history()).models.samples.fold()
    with pytest.raises(ValueError, match="no filter"):
        as_of.rows(store, fold, T0, colour="red")
    with pytest.raises(ValueError, match="time zone"):
        as_of.rows(store, fold, datetime(2026, 11, 3, 16, 0))


# -- the query and the command line -------------------------------------------------------------
@pytest.mark.parametrize("moment", ["1999-12-31T23:59:59+00:00", "2999-01-01T00:00:00+00:00",
                                    "2026-12-01T16:00:00", "yesterday"])
def test_an_as_of_moment_is_a_past_moment_with_its_zone(moment: str) -> None:
    """rule: R-S5 — not in the future, not before 2000, never without a UTC offset."""
    with pytest.raises(ValidationError) as refused:
        SamplesQuery.model_validate({"as_of": moment})
    error = query_error(refused.value)
    assert (error.kind, error.field) == ("validation", "as_of")
    assert error.message_en and error.message_zh


def test_a_moment_up_to_now_is_accepted() -> None:
    """rule: R-S5"""
    now = datetime(2026, 12, 1, 16, 0, tzinfo=SHANGHAI)
    query = SamplesQuery.model_validate({"as_of": "2026-12-01T16:00:00+08:00"}, context={"now": now})
    assert query.as_of == now
    with pytest.raises(ValidationError):
        SamplesQuery.model_validate({"as_of": "2026-12-01T16:05:00+08:00"}, context={"now": now})


def test_the_command_line_reads_a_moment_without_offset_in_the_company_zone() -> None:
    """rule: R-S5 — `salesflow samples --as-of "2026-12-01 16:00"` is 16:00 in Shanghai."""
    args = argparse.Namespace(as_of=cli_as_of.parse("2026-12-01 16:00"))
    assert cli_as_of.query(args, SHANGHAI) == {"as_of": "2026-12-01T16:00:00+08:00"}
    assert cli_as_of.title(args, SHANGHAI).startswith("as of 2026-12-01 16:00 (Asia/Shanghai)")
    given = argparse.Namespace(as_of=cli_as_of.parse("2026-12-01T08:00+00:00"))
    assert cli_as_of.query(given, SHANGHAI) == {"as_of": "2026-12-01T08:00:00+00:00"}
    assert cli_as_of.query(argparse.Namespace(as_of=None), SHANGHAI) == {}
    with pytest.raises(argparse.ArgumentTypeError, match="YYYY-MM-DD HH:MM"):
        cli_as_of.parse("tomorrow at four")


class LargeTable:
    """Projections whose whole Sample Record Summary does not fit one NATS message: asked
    without ``limit`` they refuse, as ``projection_queries.too_large`` does; pages they give."""

    def __init__(self, n: int) -> None:
        self.rows = [{"request_no": f"S-{i:05d}", "customer": "ACME"} for i in range(n)]

    async def query(self, subject: str, query: dict[str, Any]) -> Any:
        if "limit" not in query:
            raise AssertionError("the whole table was asked for: it would be refused")
        page = self.rows[query["offset"]:query["offset"] + query["limit"]]
        return {"items": page, "total": len(self.rows), "offset": query["offset"],
                "limit": query["limit"]}


async def test_the_command_line_prints_a_table_larger_than_one_message_page_by_page(
        capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-S5 — `salesflow samples` after importing years of history."""
    args = argparse.Namespace(as_of=None, json=True, customer="ACME", status=None, month=None)
    assert await cli_as_of.show(LargeTable(2_345), QUERY_SAMPLES, args, SHANGHAI,
                                ("customer", "status", "month"), lambda rows, zone: "") == 0
    shown = json.loads(capsys.readouterr().out)
    assert [r["request_no"] for r in shown] == [f"S-{i:05d}" for i in range(2_345)]


def compared_with_rebuilds(store: ViewStore, events: list[DomainEvent], model: str) -> int:
    """Assert that ``model`` (a summary table's name in ``ReadModels``) as of every sampled
    moment equals a rebuild of the events recorded up to it, and as of the last one equals the
    live table; returns how many non-empty tables were compared."""
    projector = loaded(store, events)
    fold = getattr(projector.models, model).fold()
    checked = 0
    for moment in moments(events):
        reference = rebuilt(events, moment)
        try:
            expected = getattr(reference.models, model).rows(reference.store)
            assert as_of.rows(store, fold, moment) == expected, moment
            checked += bool(expected)
        finally:
            reference.store.close()
    assert as_of.rows(store, fold, max(e.recorded for e in events)) == \
        getattr(projector.models, model).rows(store)
    return checked


def as_of_and_rebuilt(store: ViewStore, events: list[DomainEvent], model: str, moment: datetime,
                      **filters: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """``model``'s rows with ``filters`` as of ``moment``, and a rebuild's up to it."""
    fold = getattr(loaded(store, events).models, model).fold()
    reference = rebuilt(events, moment)
    try:
        expected = getattr(reference.models, model).rows(reference.store, **filters)
    finally:
        reference.store.close()
    return as_of.rows(store, fold, moment, **filters), expected
