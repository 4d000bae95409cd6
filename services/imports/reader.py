"""Reading one table out of a workbook: the sheet, its header row, and its rows as cells by field.

Fast on large files: openpyxl finds the sheet and its header; the rows are streamed straight from
the sheet's XML (``sheet_xml``; dates then come as Excel serials, which ``cells`` reads), and
merged ranges are read from the sheet's ``<mergeCells>`` in the xlsx zip (``merges``).

- The sheet: ``--sheet`` if given, else the first whose header row has every required column.
- The header row: the first of the sheet's first ``HEADER_SCAN`` rows holding every required
  column; title rows above it are passed over. Headers are compared ``cells.normalize``d
  (full-width, spacing, case and punctuation do not matter; columns in any order). A header
  naming no field is ignored (and reported); a second column for the same field too.
- The rows: a blank row is skipped; a merged cell's value fills its whole range (a customer
  merged over several rows belongs to each of them).
- Where the table ends (the notes or month analysis written under it, as the export and the
  staff do, R-S8 / R-O6 / R-C6): at the first row, after the header, that
  (a) begins with a summary word (合计, 总计, 小计, 月度分析, 月度总结, 备注, 说明, Total,
      Summary, Analysis, Notes, Month-end ...), or
  (b) follows a blank row and holds a value in one cell only (a heading such as
      "2026-11 月度分析" or a note typed across merged cells: a record has several cells), or
  (c) repeats the header (another table below this one).
  Everything from that row on is not read; the report says where and why it stopped.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from services.imports import sheet_xml
from services.imports.cells import is_blank, normalize
from services.imports.table import TableImport

HEADER_SCAN = 30  # title rows above a header: a few in practice
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')
_STARTS = ("合计", "总计", "小计", "备注", "说明", "分析", "总结", "total", "subtotal", "summary",
           "analysis", "notes", "monthend", "monthlysummary")
_CONTAINS = ("月度分析", "月度总结", "月度小结", "月分析", "月总结")


class WorkbookRefused(ValueError):
    """A file that cannot be imported as a whole: unreadable, no such sheet, columns missing."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.en, self.zh = en, zh


@dataclass(frozen=True)
class Header:
    """The header row found: which column holds which field."""

    row: int
    columns: dict[int, str]  # 0-based column index -> field
    found: dict[str, str]  # field -> the header as written in the sheet
    ignored: tuple[str, ...]  # headers naming no field (or a field's second column)


@dataclass(frozen=True)
class TableEnd:
    """Where the table stopped before the sheet's end, and why."""

    row: int
    text: str  # the row's first cell, shortened
    reason_en: str
    reason_zh: str


@dataclass(frozen=True)
class Merge:
    min_col: int
    min_row: int
    max_col: int
    max_row: int


@dataclass
class TableReader:
    """One table of a workbook, opened for reading; ``rows()`` streams it once."""

    path: Path
    table: TableImport
    sheet: str = ""
    header: Header = field(init=False)
    ended: TableEnd | None = field(init=False, default=None)
    size: int | None = field(init=False, default=None)  # the sheet's last row, if it says

    def __post_init__(self) -> None:
        self._book = _open(self.path)
        self._ws, self.header = choose_sheet(self._book, self.table, self.sheet or None)
        self.sheet = self._ws.title
        self.size = self._ws.max_row
        self._ws.reset_dimensions()  # some writers state wrong dimensions: read every cell
        self._merges = merges(self.path, getattr(self._ws, "_worksheet_path", ""))

    def close(self) -> None:
        self._book.close()

    def _values(self) -> Iterator[Sequence[Any]]:
        """The sheet's rows from row 1: straight from the zip (``sheet_xml``, fast), or through
        openpyxl when the sheet's part is not known."""
        part = getattr(self._ws, "_worksheet_path", "")
        if part:
            return sheet_xml.rows(str(self.path), part)
        return self._ws.iter_rows(min_row=1, values_only=True)  # type: ignore[no-any-return]

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(row number, {field: value}) of every record row, top to bottom."""
        fields = tuple(self.table.headers)
        columns = self.header.columns
        header_keys = _keys(columns, self.header.found)
        pending = sorted((m for m in self._merges if m.min_row > self.header.row),
                         key=lambda m: m.min_row)
        active: list[tuple[Merge, Any]] = []
        after_blank = False
        for number, raw in enumerate(self._values(), start=1):
            if number <= self.header.row:
                continue
            while pending and pending[0].min_row == number:
                merge = pending.pop(0)
                anchor = raw[merge.min_col - 1] if merge.min_col <= len(raw) else None
                active.append((merge, anchor))
            active = [(m, v) for m, v in active if m.max_row >= number]
            if all(is_blank(v) for v in raw):
                after_blank = True
                continue
            end = self._end(number, raw, after_blank, header_keys)
            if end is not None:
                self.ended = end
                return
            after_blank = False
            values = list(raw)
            for merge, anchor in active:
                if len(values) < merge.max_col:
                    values.extend([None] * (merge.max_col - len(values)))
                for col in range(merge.min_col - 1, merge.max_col):
                    values[col] = anchor
            cells: dict[str, Any] = dict.fromkeys(fields)
            for index, name in columns.items():
                if index < len(values):
                    cells[name] = values[index]
            yield number, cells

    def _end(self, number: int, raw: Sequence[Any], after_blank: bool,
             header_keys: frozenset[str]) -> TableEnd | None:
        filled = [v for v in raw if not is_blank(v)]
        first = str(filled[0]).strip()
        shown = first[:40]
        words = normalize(first)
        if words.startswith(_STARTS) or any(w in words for w in _CONTAINS):
            return TableEnd(number, shown, "a summary or notes row under the table",
                            "表格下方的汇总或备注行")
        if after_blank and len(filled) == 1:
            return TableEnd(number, shown, "a single-cell row after a blank row (a heading or "
                            "a note under the table)", "空行之后只有一个单元格的行（表格下方的标题或备注）")
        if len(filled) >= 2 and frozenset(normalize(str(v)) for v in filled) <= header_keys:
            return TableEnd(number, shown, "the header repeated (another table below)",
                            "表头重复出现（下方是另一张表）")
        return None


def _keys(columns: dict[int, str], found: dict[str, str]) -> frozenset[str]:
    return frozenset(normalize(text) for text in found.values())


def _open(path: Path) -> Any:
    if not path.is_file():
        raise WorkbookRefused(f"{path}: no such file", f"{path}：文件不存在")
    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise WorkbookRefused(
            f"{path}: not a readable .xlsx workbook ({type(error).__name__}: {str(error)[:80]})",
            f"{path}：无法读取的 .xlsx 工作簿") from error


def spellings(table: TableImport) -> dict[str, str]:
    """Every accepted header spelling, normalized, -> its field."""
    known: dict[str, str] = {}
    for name, accepted in table.headers.items():
        for spelling in (name, *accepted):
            known.setdefault(normalize(spelling), name)
    return known


def match_header(values: Sequence[Any], known: dict[str, str], row: int) -> Header:
    columns: dict[int, str] = {}
    found: dict[str, str] = {}
    ignored: list[str] = []
    for index, value in enumerate(values):
        if is_blank(value):
            continue
        written = str(value).strip()
        name = known.get(normalize(written))
        if name is None or name in found:
            ignored.append(written)
            continue
        columns[index] = name
        found[name] = written
    return Header(row, columns, found, tuple(ignored))


def find_header(ws: Any, table: TableImport) -> tuple[Header | None, Header | None]:
    """(the header row with every required column, else None; the best row seen)."""
    known = spellings(table)
    best: Header | None = None
    for number, values in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SCAN,
                                                 values_only=True), start=1):
        header = match_header(values, known, number)
        if table.required <= set(header.found):
            return header, header
        if header.found and (best is None or len(header.found) > len(best.found)):
            best = header
    return None, best


def missing_text(table: TableImport, missing: Sequence[str]) -> tuple[str, str]:
    """The missing columns named by their field and two of their accepted headers."""
    named = "; ".join(f"{m} ({' / '.join(table.headers.get(m, ())[:3])})" for m in missing)
    return named, named


def choose_sheet(book: Any, table: TableImport, wanted: str | None) -> tuple[Any, Header]:
    """The sheet to read and its header row; refused naming what is missing, in both languages."""
    names = list(book.sheetnames)
    if wanted is not None:
        if wanted not in names:
            raise WorkbookRefused(f"no sheet named {wanted!r}; the sheets are: {', '.join(names)}",
                                  f"没有名为 {wanted!r} 的工作表；现有工作表：{'、'.join(names)}")
        candidates = [wanted]
    else:
        candidates = names
    closest: tuple[str, Header | None] | None = None
    for name in candidates:
        ws = book[name]
        header, best = find_header(ws, table)
        if header is not None:
            return ws, header
        if closest is None or (best is not None and (closest[1] is None
                                                     or len(best.found) > len(closest[1].found))):
            closest = (name, best)
    assert closest is not None  # a workbook has at least one sheet
    name, best = closest
    if best is None:
        raise WorkbookRefused(
            f"no sheet has a header row of the {table.title_en} (looked at the first "
            f"{HEADER_SCAN} rows of: {', '.join(candidates)})",
            f"没有找到{table.title_zh}的表头行（已查看工作表 {'、'.join(candidates)} 的前 "
            f"{HEADER_SCAN} 行）")
    missing = sorted(table.required - set(best.found))
    named, _ = missing_text(table, missing)
    raise WorkbookRefused(
        f"sheet {name!r} (header row {best.row}) lacks required columns of the "
        f"{table.title_en}: {named}",
        f"工作表 {name!r}（表头第 {best.row} 行）缺少{table.title_zh}的必需列：{named}")


def merges(path: Path, sheet_path: str) -> list[Merge]:
    """The sheet's merged ranges, read from its XML in the zip: ``<mergeCells>`` follows the
    sheet's data, so the stream is scanned in chunks without holding the whole sheet."""
    if not sheet_path:
        return []
    found: list[Merge] = []
    try:
        with zipfile.ZipFile(path) as archive, archive.open(sheet_path.lstrip("/")) as xml:
            tail = b""
            collecting = False
            while chunk := xml.read(1 << 20):
                data = tail + chunk
                if not collecting:
                    at = data.find(b"mergeCells")
                    if at < 0:
                        tail = data[-64:]
                        continue
                    collecting, data = True, data[max(0, at - 8):]
                tail = data  # the block is small: keep it whole until the end
            if collecting:
                for ref in _MERGE.findall(tail):
                    min_col, min_row, max_col, max_row = range_boundaries(ref.decode())
                    found.append(Merge(min_col or 1, min_row or 1, max_col or 1, max_row or 1))
    except (KeyError, zipfile.BadZipFile, zlib.error, OSError, ValueError):
        return []
    return found
