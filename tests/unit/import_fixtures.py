"""A small table import for the reader's and runner's tests (the real tables' modules are
tested with their own commands): request no., date, customer, quantity, status."""
from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, ClassVar

from openpyxl import Workbook

from contracts.commands.base import Command
from events.envelope import Actor
from events.imports import ImportSource
from services.imports import cells
from services.imports.table import TableImport

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
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


def patch(path: Path, part: str, edit: Callable[[bytes], bytes],
          added: Mapping[str, bytes] | None = None) -> Path:
    """Rewrite one part of a workbook's zip (and add parts): the XML a writer other than openpyxl
    leaves (shared strings, cached formula values, a wrong ``<dimension>``)."""
    with zipfile.ZipFile(path) as source:
        parts = {item.filename: source.read(item) for item in source.infolist()}
    parts[part] = edit(parts[part])
    parts.update(added or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def shared_strings(path: Path, strings: list[str]) -> Path:
    """Give the workbook a shared-strings part (as Excel writes strings), each ``string`` as XML
    of one ``<si>`` (rich text runs allowed); cells refer to them as ``t="s"`` by index."""
    body = "".join(f"<si>{s}</si>" for s in strings)
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{len(strings)}" '
           f'uniqueCount="{len(strings)}">{body}</sst>').encode()
    patch(path, "[Content_Types].xml", lambda data: data.replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    return patch(path, "xl/_rels/workbook.xml.rels", lambda data: data.replace(
        b"</Relationships>", b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>"), {"xl/sharedStrings.xml": xml})


def ods(path: Path, rows: list[list[Any]], sheet: str = "Sheet1") -> Path:
    """A minimal OpenDocument spreadsheet (as LibreOffice saves one) holding ``rows``: text,
    floats and dates (``datetime``) in one table."""
    def cell(value: Any) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, datetime):
            return (f'<table:table-cell office:value-type="date" office:date-value='
                    f'"{value:%Y-%m-%dT%H:%M:%S}"><text:p>{value}</text:p></table:table-cell>')
        if isinstance(value, int | float):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return (f'<table:table-cell office:value-type="string"><text:p>{value}</text:p>'
                "</table:table-cell>")
    table = "".join(f"<table:table-row>{''.join(cell(v) for v in row)}</table:table-row>"
                    for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{table}'
        "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        'vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path='
        '"content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    with zipfile.ZipFile(path, "w") as target:
        target.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                        compress_type=zipfile.ZIP_STORED)  # first and stored, as ODF asks
        target.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        target.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path
