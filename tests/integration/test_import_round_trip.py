"""Export -> import round trip (issue 12): a system's summary table exported to Excel and imported
into another, empty system shows the same rows, column for column, on real nats-servers.

System A is filled by importing a generated workbook (records at every stage the table has);
its summary is exported as the staff would (``salesflow export``'s workbook); system B, with
its own nats-server and stores, imports that export. Every column of the export is compared
row by row, except the ones named in ``NOT_CARRIED`` with the reason."""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.workbooks import generate
from contracts.subjects import COMPONENTS
from services.cli import imports as import_cli
from services.cli.client import Client
from services.reports import exports
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from tests.integration.system import running, until

ROWS = 60
KEYS = {"samples": "request_no", "orders": "order_no", "complaints": "complaint_no"}
# Columns the import does not read, by design (services/imports/*.py): the SLA flags are worked
# out again from live clocks (imported history marks none), so they are not compared either;
# a sample's price status follows from its status, so it is compared; a complaint's notes
# (redirected from, reopened n times, the visit) are live history the import does not recreate.
NOT_READ: dict[str, set[str]] = {"samples": {"price_status", "flags"}, "orders": {"flags"},
                                 "complaints": {"flags", "marks"}}
NOT_CARRIED: dict[str, set[str]] = {"samples": {"flags"}, "orders": {"flags"},
                                    "complaints": {"flags", "marks"}}


def args(table: str, path: Path) -> argparse.Namespace:
    return argparse.Namespace(table=table, file=path, sheet=None, dry_run=False, json=True,
                              actor=None, window=4, bulk=50, progress=False)


async def table_rows(settings: Settings, table: str) -> list[dict[str, Any]]:
    client = await Client.open(settings)
    try:
        return list(await client.query(exports.TABLES[table].subject, {}))
    finally:
        await client.close()


async def import_and_wait(settings: Settings, table: str, path: Path, count: int,
                          out: Callable[[], str]) -> dict[str, Any]:
    assert await import_cli.run(args(table, path), settings) == 0, out()
    report: dict[str, Any] = json.loads(out())

    async def all_shown() -> bool:
        return len(await table_rows(settings, table)) >= count
    await until(all_shown, f"{count} {table} in the summary", 60)
    return report


def cells_by_number(table: str, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    summary = exports.TABLES[table]
    skip = NOT_CARRIED[table]
    return {str(r[KEYS[table]]): {key: value for key, value in summary.cells(r).items()
                                  if key in dict(summary.columns) and key not in skip}
            for r in rows}


@pytest.mark.parametrize("table", ["samples", "orders", "complaints"])
async def test_an_exported_table_imported_into_an_empty_system_shows_the_same_rows(
        table: str, settings: Settings, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-S5 rule: R-O3 rule: R-C2"""
    source = generate(table, ROWS, tmp_path / f"{table}.xlsx")
    exported = tmp_path / f"{table}-export.xlsx"
    async with running(settings, list(COMPONENTS)):
        await import_and_wait(settings, table, source.path, ROWS,
                              lambda: capsys.readouterr().out)
        before = await table_rows(settings, table)
        client = await Client.open(settings)
        try:
            book = await exports.export(client.query, table, zone=settings.zone(),
                                        now=datetime.now(UTC))
        finally:
            await client.close()
        book.save(exported)

    other = EmbeddedNats(tmp_path / "nats-b", log_file=tmp_path / "nats-b.log")
    other.start()
    try:
        empty = settings.model_copy(update={"data_dir": tmp_path / "data-b",
                                            "nats_url": other.url})
        async with running(empty, list(COMPONENTS)):
            report = await import_and_wait(empty, table, exported, ROWS,
                                           lambda: capsys.readouterr().out)
            after = await table_rows(empty, table)
    finally:
        other.stop()

    assert (report["stored"], report["refused"]) == (ROWS, []), report
    headers = dict(exports.TABLES[table].columns)
    assert set(report["ignored_columns"]) == {headers[k].split()[-1] for k in NOT_READ[table]}
    first, second = cells_by_number(table, before), cells_by_number(table, after)
    assert set(first) == set(second) and len(first) == ROWS
    columns = {key for row in first.values() for key in row}
    assert len(columns) >= 8, columns  # the comparison covers the table, not two cells
    differences = {(number, key): (value, second[number].get(key))
                   for number, row in first.items() for key, value in row.items()
                   if second[number].get(key) != value}
    assert not differences, differences
