"""A small table import for the reader's and runner's tests (the real tables' modules are
tested with their own commands): request no., date, customer, quantity, status."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from openpyxl import Workbook

from contracts.commands.base import Command
from events.envelope import Actor
from events.imports import ImportSource
from services.imports import cells
from services.imports.table import TableImport

STATUSES = {"requested": ("已申请",), "closed": ("已结案", "closed 已结案")}


class ImportTestRow(Command):
    """One row of the test table."""

    name: ClassVar[str] = "import_test_row"
    request_no: str
    requested_at: datetime
    customer: str
    quantity: int | None = None
    status: str
    source: ImportSource


def to_command(row: Mapping[str, Any], source: ImportSource, actor: Actor, zone: tzinfo,
               now: datetime) -> Command:
    return ImportTestRow(
        actor=actor, source=source,
        request_no=cells.text(row["request_no"], "request_no", max_length=40, required=True),
        requested_at=cells.moment(row["requested_at"], "requested_at", zone, required=True,
                                  latest=now),
        customer=cells.text(row["customer"], "customer", max_length=80, required=True),
        quantity=cells.integer(row["quantity"], "quantity", low=0, high=100_000),
        status=cells.choice(row["status"], "status", STATUSES, required=True))


TABLE = TableImport(
    table="samples", title_en="Sample Record Summary", title_zh="打样记录汇总表",
    department="sales",
    headers={"request_no": ("编号", "打样编号", "No.", "No. 编号"),
             "requested_at": ("日期", "申请日期", "Date"), "customer": ("客户", "客户名称"),
             "quantity": ("数量", "打样数量"), "status": ("状态", "Status 状态", "Status")},
    required=frozenset({"request_no", "requested_at", "customer", "status"}),
    key="request_no", to_command=to_command, statuses=STATUSES)


def workbook(path: Path, rows: list[list[Any]], *, merges: tuple[str, ...] = (),
             sheet: str = "Sheet1", before: tuple[str, ...] = ()) -> Path:
    """A workbook with one sheet holding ``rows`` (after sheets named ``before``)."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for other in before:
        book.create_sheet(other).append(["nothing", "here"])
    ws = book.create_sheet(sheet)
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    book.save(path)
    return path
