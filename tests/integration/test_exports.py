"""The Excel exports against a running system (real nats-server, services, projections, the
gateway): opened with openpyxl, their headers, row counts and month figures equal what the read
models answer, over HTTP and from ``salesflow export`` (R-S8, R-O6, R-C6)."""
from __future__ import annotations

import argparse
import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet

from contracts.subjects import COMPONENTS
from services.cli import demo
from services.cli import export as export_cli
from services.cli import packs as packs_cli
from services.cli.client import Client
from services.reports import exports, meetings, packs
from services.reports.workbook import Lang, label
from services.runtime.settings import Settings
from tests.integration.gateway_harness import Harness, gateway_on
from tests.integration.system import until


def sheet_of(data: bytes) -> Worksheet:
    return openpyxl.load_workbook(io.BytesIO(data))[exports.SUMMARY_SHEET]


def content(ws: Worksheet) -> tuple[list[Any], int, dict[Any, Any]]:
    """The header, the number of records and the month figures (label → value) of a sheet."""
    head = int(str(ws.freeze_panes)[1:]) - 1
    header = [c.value for c in ws[head] if c.value is not None]
    records = 0
    while ws.cell(head + records + 1, 1).value is not None:
        records += 1
    figures = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(head + records + 2,
                                                                        ws.max_row + 1)
               if ws.cell(r, 2).value is not None and not isinstance(ws.cell(r, 1).value, datetime)}
    return header, records, figures


async def expected(client: Client, name: str, month: str, lang: Lang) -> tuple[list[str], int,
                                                                                dict[str, Any]]:
    table = exports.TABLES[name]
    rows = await client.query(table.subject, {"month": month})
    report = await client.query(table.month_subject, {"month": month})
    figures = {k: v for k, v in exports.figure_rows(report, lang) if v is not None}
    return [label(text, lang) for _, text in table.columns], len(rows), figures


async def agrees(h: Harness, client: Client, name: str, month: str, lang: Lang) -> bool:
    answer = await h.get(f"/exports/{name}.xlsx", "ada", month=month, lang=lang)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"{name}-{month}.xlsx" in answer.headers["content-disposition"]
    found = content(sheet_of(answer.content))
    return found == await expected(client, name, month, lang)


async def test_exported_tables_equal_the_read_models_over_http_and_from_the_cli(
        settings: Settings, tmp_path: Path) -> None:
    """rule: R-S8, R-O6, R-C6"""
    async with gateway_on(settings, list(COMPONENTS)) as h:
        client = await Client.open(settings)
        try:
            await demo.run(client, 3, "X", out=lambda *_: None)
            month = datetime.now(settings.zone()).strftime("%Y-%m")
            for name, lang in (("samples", "zh"), ("orders", "en"), ("complaints", "zh")):
                # The demo's last reactions may still be reaching the read models.
                await until(lambda n=name, lg=lang: agrees(h, client, n, month, lg),  # type: ignore[misc]
                            what=f"the {name} export to equal the read model")
            header, records, figures = content(sheet_of(
                (await h.get("/exports/orders.xlsx", "ada", month=month, lang="en")).content))
            print(f"orders {month}: {records} rows, {len(figures)} figures, "
                  f"on-time rate {figures.get('Delivery vs latest promise / On-time rate')}")
            assert records >= 7 and figures["Orders"] == records and header[0] == "No."

            as_of = (await h.get("/exports/complaints.xlsx", "ada",
                                 as_of=datetime.now(UTC).isoformat())).content
            assert content(sheet_of(as_of))[1] == len(await client.query(
                exports.TABLES["complaints"].subject, {}))
            assert (await h.http.get("/exports/samples.xlsx")).status_code == 401
            assert (await h.get("/exports/samples.xlsx", "ada", month="2026-13")).status_code == 422
            assert (await h.get("/exports/invoices.xlsx", "ada")).status_code == 422

            path = tmp_path / "samples.xlsx"
            args = argparse.Namespace(table="samples", month=month, as_of=None, lang="zh",
                                      output=path)
            assert await export_cli.run(args, settings, client) == 0
            assert content(sheet_of(path.read_bytes())) == await expected(client, "samples",
                                                                           month, "zh")
        finally:
            await client.close()


async def test_the_packs_are_served_and_written_with_the_read_models_rows(
        settings: Settings, tmp_path: Path) -> None:
    """rule: R-M1, R-M2, R-S5, R-O5, R-C5"""
    async with gateway_on(settings, list(COMPONENTS)) as h:
        client = await Client.open(settings)
        try:
            await demo.run(client, 2, "P", out=lambda *_: None)
            today = datetime.now(settings.zone()).date()
            week, month = meetings.week_of(today), today.strftime("%Y-%m")
            for path, first_sheet in ((f"/packs/daily/{today.isoformat()}.xlsx", "打样 Samples"),
                                      (f"/packs/weekly/{week}.xlsx", packs.COVER_SHEET),
                                      (f"/packs/monthly/{month}.xlsx", packs.COVER_SHEET)):
                answer = await h.get(path, "ada")
                assert answer.status_code == 200, answer.text
                book = openpyxl.load_workbook(io.BytesIO(answer.content))
                assert book.sheetnames[0] == first_sheet
            cover = book[packs.COVER_SHEET]
            assert "月度销售会议（R-M2）" in str(cover["A2"].value)
            assert (await h.get("/packs/weekly/2025-W53.xlsx", "ada")).status_code == 422
            assert (await h.http.get(f"/packs/monthly/{month}.xlsx")).status_code == 401

            output = tmp_path / "weekly.xlsx"
            args = argparse.Namespace(kind="weekly", period=week, lang="en", output=output,
                                      format="xlsx")
            assert await packs_cli.run(args, settings, client) == 0
            cover = openpyxl.load_workbook(output)[packs.COVER_SHEET]
            assert str(cover["A1"].value).startswith(f"Weekly sales meeting pack {week} (R-M1)")
        finally:
            await client.close()
