"""``salesflow import`` end to end on a real nats-server (issue 12): a generated workbook of each
table is loaded into an empty system and its summary shows every row; the same file again stores
nothing; a messy workbook (title rows, full-width and reordered headers, merged customers, blank
rows, dates as text and serials, mixed statuses) stores its good rows and reports exactly its bad
ones with row, column and reason in both languages, storing nothing of them."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import nats
import pytest

from bench.workbooks import generate
from contracts.subjects import COMPONENTS, QUERY_COMPLAINTS, QUERY_ORDERS, QUERY_SAMPLES
from services.cli import imports as import_cli
from services.runtime.settings import Settings
from services.sales.application import SalesApplication
from tests.integration.system import request, running, until

SUBJECTS = {"samples": QUERY_SAMPLES, "orders": QUERY_ORDERS, "complaints": QUERY_COMPLAINTS}
KEYS = {"samples": "request_no", "orders": "order_no", "complaints": "complaint_no"}
ROWS = 150


def args(table: str, path: Path, **extra: Any) -> argparse.Namespace:
    options = {"table": table, "file": path, "sheet": None, "dry_run": False, "json": True,
               "actor": None, "window": 4, "bulk": 100, "progress": False, **extra}
    return argparse.Namespace(**options)


def stored_events(settings: Settings) -> int:
    app = SalesApplication(settings.store_env("sales"))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


async def shown(nc: Any, table: str) -> set[str]:
    return {r[KEYS[table]] for r in await request(nc, SUBJECTS[table], {})}


@pytest.mark.parametrize("table", ["samples", "orders", "complaints"])
async def test_a_generated_table_imports_whole_and_a_second_import_stores_nothing(
        table: str, settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-S5 rule: R-O3 rule: R-C2"""
    clean = generate(table, ROWS, tmp_path / f"{table}.xlsx")
    async with running(settings, list(COMPONENTS)):
        nc = await nats.connect(settings.nats_url)
        try:
            assert await import_cli.run(args(table, clean.path), settings) == 0
            first = json.loads(capsys.readouterr().out)
            assert (first["read"], first["stored"], first["refused"]) == (ROWS, ROWS, []), first
            numbers = {str(r["no"]) for r in clean.rows.values()}

            async def all_shown() -> bool:
                return numbers <= await shown(nc, table)
            await until(all_shown, f"the {ROWS} imported {table} in their summary", 60)

            before = stored_events(settings)
            assert await import_cli.run(args(table, clean.path), settings) == 0
            again = json.loads(capsys.readouterr().out)
            assert (again["stored"], again["unchanged"]) == (0, ROWS), again
            assert stored_events(settings) == before, "a second import stored something"
        finally:
            await nc.close()


@pytest.mark.parametrize("table", ["samples", "orders", "complaints"])
async def test_a_messy_workbook_stores_its_good_rows_and_reports_exactly_its_bad_ones(
        table: str, settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-S5 rule: R-O3 rule: R-C2"""
    messy = generate(table, ROWS, tmp_path / f"{table}-messy.xlsx", messy=True, seed=5)
    good = {str(r["no"]) for n, r in messy.rows.items() if n not in messy.bad}
    bad = {str(r["no"]) for n, r in messy.rows.items() if n in messy.bad}
    assert bad, "the generator planted no bad rows: the test would prove nothing"
    async with running(settings, list(COMPONENTS)):
        nc = await nats.connect(settings.nats_url)
        try:
            assert await import_cli.run(args(table, messy.path), settings) == 1
            result = json.loads(capsys.readouterr().out)
            refused = {r["row"]: r for r in result["refused"]}
            assert set(refused) == set(messy.bad), (refused, messy.bad)
            assert all(r["reason_en"] and r["reason_zh"] and r["column"] for r in refused.values())
            assert result["stored"] == len(good)

            async def good_shown() -> bool:
                return good <= await shown(nc, table)
            await until(good_shown, f"the messy workbook's good {table}", 60)
            assert not bad & await shown(nc, table), "a refused row was stored"
        finally:
            await nc.close()
