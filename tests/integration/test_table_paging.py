"""A summary table larger than a page, and larger than a NATS message, is paged, sorted and
searched by the projections (issue 12); the gateway passes a page through and exports fetch a
whole table page by page. Rows are written straight into the read model: thousands of them in
a second, instead of importing a workbook."""
from __future__ import annotations

import argparse
import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
import openpyxl
import pytest
from eventsourcing.persistence import OperationalError

from contracts.queries import SAMPLE_SEARCHED
from contracts.subjects import QUERY_ORDERS, QUERY_SAMPLES
from projections import registry, sample_summary
from projections.sample_table import SampleSummaryTable
from projections.store import ViewStore
from projections.table_paging import Slice, in_python
from services.cli import export as export_cli
from services.cli.client import Client
from services.reports import exports
from services.runtime import nats_server as embedded
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from tests.integration.gateway_harness import gateway_on
from tests.integration.system import running

ROWS = 2600
CUSTOMERS = ("ACME Gaskets", "Bolt 博尔特", "Huaxin 华信", "Zeta_100%")


def generated(n: int) -> list[dict[str, Any]]:
    """``n`` sample rows: every fourth customer, a product, a round, some without a promise."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        row = sample_summary.new_row(f"S-{i:05d}")
        row.update(customer=CUSTOMERS[i % 4], product=f"gasket {i % 7}", part_no=f"P{i % 13}",
                   salesperson="bob" if i % 2 else "amy", status="requested",
                   requested_at=(start + timedelta(minutes=i * 37)).isoformat(),
                   round=1 + i % 11, promised_at=None if i % 5 == 0 else
                   (start + timedelta(days=i % 90)).isoformat())
        rows.append(row)
    return rows


def write(settings: Settings, rows: list[dict[str, Any]]) -> tuple[ViewStore, SampleSummaryTable]:
    """The rows saved in the live samples model, as the projector saves folded rows."""
    store, model = ViewStore(settings.store_env("projections")), SampleSummaryTable(settings.zone())
    deadline = time.monotonic() + 15
    while True:
        try:
            with store.write() as c:
                model.save(store, c, registry.require_live(store, c, model), rows)
            return store, model
        except OperationalError:  # the running projections hold the file's write lock
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


async def ask(nc: Any, subject: str, query: dict[str, Any]) -> Any:
    return json.loads((await nc.request(subject, json.dumps(query).encode(), timeout=20)).data)


def keys(rows: list[dict[str, Any]]) -> list[str]:
    return [r["request_no"] for r in rows]


async def test_the_projections_answer_a_page_sorted_and_searched_with_the_matching_total(
        backend_settings: Settings) -> None:
    """rule: R-S5 — a table of more rows than a page is read a page at a time."""
    settings = backend_settings
    async with running(settings, ["projections"]):
        rows = generated(ROWS)
        store, model = write(settings, rows)
        nc = await nats.connect(settings.nats_url or "")
        try:
            second = await ask(nc, QUERY_SAMPLES, {"limit": 1000, "offset": 1000})
            assert (second["total"], second["offset"], second["limit"]) == (ROWS, 1000, 1000)
            assert keys(second["items"]) == [f"S-{i:05d}" for i in range(1000, 2000)]
            assert all("sla_flags" in r for r in second["items"])
            last = await ask(nc, QUERY_SAMPLES, {"limit": 1000, "offset": 2000})
            assert len(last["items"]) == ROWS - 2000

            newest = await ask(nc, QUERY_SAMPLES, {"limit": 3, "sort": "requested_at",
                                                   "desc": True})
            assert keys(newest["items"]) == ["S-02599", "S-02598", "S-02597"]
            # numbers sort as numbers (round 11 after round 2), ties by record number
            rounds = await ask(nc, QUERY_SAMPLES, {"limit": 1000, "sort": "round", "desc": True})
            assert [r["round"] for r in rounds["items"][:240]] == [11] * 236 + [10] * 4
            # empty cells last, in either direction
            for desc in (False, True):
                promised = await ask(nc, QUERY_SAMPLES, {"limit": 1000, "offset": 2000,
                                                         "sort": "promised_at", "desc": desc})
                assert [r["promised_at"] for r in promised["items"][-520:]] == [None] * 520

            found = await ask(nc, QUERY_SAMPLES, {"limit": 50, "search": "bolt", "sort": "customer"})
            assert found["total"] == ROWS // 4
            assert {r["customer"] for r in found["items"]} == {"Bolt 博尔特"}
            # LIKE's own wildcards are plain text in a search
            assert (await ask(nc, QUERY_SAMPLES, {"limit": 1, "search": "_100%"}))["total"] \
                == ROWS // 4
            # with a filter: Bolt's rows of product "gasket 1" (i = 1 modulo 28)
            assert (await ask(nc, QUERY_SAMPLES, {"limit": 1, "search": "GASKET 1",
                                                  "customer": "Bolt 博尔特"}))["total"] == 93
            narrowed = await ask(nc, QUERY_SAMPLES, {"limit": 10, "search": "S-0123"})
            assert keys(narrowed["items"]) == [f"S-0123{i}" for i in range(10)]

            whole = await ask(nc, QUERY_SAMPLES, {"customer": "ACME Gaskets"})
            assert isinstance(whole, list) and len(whole) == ROWS // 4
        finally:
            await nc.close()
        # The as-of path pages in Python: the same order and matches as the SQL.
        live = model.rows(store)
        for part in (Slice(sort="customer", desc=True, limit=70, offset=640),
                     Slice(sort="promised_at", limit=100, offset=2050),
                     Slice(sort="round", desc=True, search="GASKET 3", limit=30, offset=300),
                     Slice(search="%", limit=5), Slice(desc=True, limit=9, offset=1)):
            assert model.page(store, part) == in_python(live, "request_no", SAMPLE_SEARCHED,
                                                        part), part


REFUSED: list[tuple[dict[str, Any], str]] = [
    ({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"limit": "ten"}, "limit"),
    ({"limit": 10, "offset": -1}, "offset"), ({"limit": 10, "offset": 10_000_001}, "offset"),
    ({"offset": 100}, "offset"), ({"limit": 10, "sort": "colour"}, "sort"),
    ({"limit": 10, "sort": "row_json"}, "sort"), ({"search": "x" * 81}, "search"),
    ({"search": "  "}, "search"), ({"limit": 10, "desc": "sideways"}, "desc"),
]


async def test_a_page_out_of_bounds_is_refused_naming_the_field_in_english_and_chinese(
        settings: Settings) -> None:
    async with running(settings, ["projections"]):
        nc = await nats.connect(settings.nats_url or "")
        try:
            for query, field in REFUSED:
                for subject in (QUERY_SAMPLES, QUERY_ORDERS):
                    reply = await ask(nc, subject, query)
                    assert set(reply) == {"error"}, (query, reply)
                    error = reply["error"]
                    assert (error["kind"], error["field"]) == ("validation", field), (query, error)
                    assert error["message_en"].startswith(field), error
                    assert error["message_zh"].startswith(field + "：") and any(
                        "\u4e00" <= ch <= "\u9fff" for ch in error["message_zh"]), error
        finally:
            await nc.close()


@pytest.fixture
def nats_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[EmbeddedNats]:
    """This module's nats-server carries at most 2 MB a message: a page of 1,000 generated rows
    fits, the whole table of 2,600 does not."""
    monkeypatch.setattr(embedded, "MAX_PAYLOAD", "max_payload: 2MB\n")
    server = EmbeddedNats(tmp_path / "nats", log_file=tmp_path / "nats.log")
    server.start()
    yield server
    server.stop()


async def test_a_table_larger_than_a_nats_message_is_paged_by_the_gateway_and_exported_whole(
        settings: Settings, tmp_path: Path) -> None:
    """rule: R-S5"""
    async with gateway_on(settings, ["sla", "projections"]) as h:
        write(settings, generated(ROWS))
        client = await Client.open(settings)
        try:
            full_page = await h.get("/tables/samples", "ada", limit=1000, offset=0)
            assert full_page.status_code == 200, full_page.text  # one page fits
            whole = await client.nc.request(QUERY_SAMPLES, b"{}", timeout=20)
            assert "MB" in json.loads(whole.data)["error"]["message_en"]  # the whole does not

            page = (await h.get("/tables/samples", "ada", limit=100, offset=200, sort="customer",
                                desc="true", search="a")).json()
            assert page["total"] == ROWS and len(page["items"]) == 100
            assert {r["customer"] for r in page["items"]} == {"Zeta_100%"}
            bad = await h.get("/tables/samples", "ada", sort="colour")
            assert bad.status_code == 422 and "sort" in bad.text

            answer = await h.get("/exports/samples.xlsx", "ada", lang="en")
            assert answer.status_code == 200, answer.text
            sheet = openpyxl.load_workbook(io.BytesIO(answer.content))[exports.SUMMARY_SHEET]
            column_a = [c.value for c in sheet["A"]]
            assert f"{ROWS} rows" in column_a
            assert [v for v in column_a if str(v).startswith("S-")] == \
                [f"S-{i:05d}" for i in range(ROWS)]

            out = tmp_path / "samples.xlsx"
            args = argparse.Namespace(table="samples", month=None, as_of=None, lang="zh",
                                      output=out)
            assert await export_cli.run(args, settings, client) == 0
            sheet = openpyxl.load_workbook(out)[exports.SUMMARY_SHEET]
            assert len([c for c in sheet["A"] if str(c.value).startswith("S-")]) == ROWS
        finally:
            await client.close()
