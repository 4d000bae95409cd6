"""openpyxl writers shared by the exports and the packs: a title block, a table with the CLI's
columns, a block of figures (a month analysis, a count) and notes, each under the last."""
from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, tzinfo
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.cli.tables import visible

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
Columns = Sequence[tuple[str, str]]
TIME_FORMAT = "yyyy-mm-dd hh:mm"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
MAX_WIDTH = 48


def label(text: str, lang: Lang) -> str:
    """One language of a CLI column label written ``English 中文`` (the Chinese is its last word)."""
    english, _, chinese = text.rpartition(" ")
    return chinese if lang == "zh" else english


def both(en: str, zh: str, lang: Lang) -> str:
    return zh if lang == "zh" else en


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed: each writer names its own)."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    return book


def sheet(book: Workbook, title: str) -> Worksheet:
    """A new sheet; Excel allows 31 characters and none of ``[]:*?/\\`` in a sheet's name."""
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31]
    return book.create_sheet(clean)


def put(ws: Worksheet, row: int, column: int, value: Any, zone: tzinfo) -> None:
    """One cell: a stored ISO time as a local date-time, a number as a number, text as visible
    text that Excel never runs as a formula (a customer name may begin with ``=``)."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, bool | int | float):
        cell.value = value
    elif isinstance(value, datetime):
        cell.value = value.astimezone(zone).replace(tzinfo=None)
        cell.number_format = TIME_FORMAT
    elif value is None or value == "":
        return
    else:
        text = str(value)
        moment = stored_moment(text)
        if moment is not None:
            put(ws, row, column, moment, zone)
            return
        cell.value = visible(text)
        cell.data_type = "s"  # openpyxl would store a text starting with "=" as a formula


def stored_moment(text: str) -> datetime | None:
    """A stored ISO time with its offset (``2026-11-27T08:00:00+00:00``), else None."""
    if len(text) < 19 or text[4:5] != "-" or text[10:11] != "T":
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.utcoffset() is not None else None


def title_block(ws: Worksheet, lines: Iterable[str], start: int = 1) -> int:
    """Lines above a table, the first in large bold type; the next free row."""
    row = start
    for index, text in enumerate(lines):
        cell = ws.cell(row=row, column=1, value=visible(text))
        cell.data_type = "s"
        cell.font = TITLE if index == 0 else BOLD
        row += 1
    return row + 1 if row > start else row


def table(ws: Worksheet, columns: Columns, rows: Sequence[dict[str, Any]], lang: Lang,
          zone: tzinfo, start: int = 1, cells: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
          ) -> int:
    """A header row in ``lang`` and one row per record; the next free row. The header row is
    frozen and filterable when the table starts the sheet's data."""
    for column, (_, text) in enumerate(columns, start=1):
        cell = ws.cell(row=start, column=column, value=label(text, lang))
        cell.font, cell.fill = BOLD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, record in enumerate(rows, start=1):
        shown = cells(record) if cells else record
        for column, (key, _) in enumerate(columns, start=1):
            put(ws, start + offset, column, shown.get(key), zone)
    last = start + len(rows)
    if ws.freeze_panes is None:
        ws.freeze_panes = f"A{start + 1}"
        ws.auto_filter.ref = f"A{start}:{get_column_letter(len(columns))}{last}"
    _widths(ws, len(columns))
    return last + 2


def figures(ws: Worksheet, heading: str, items: Sequence[tuple[str, Any]], zone: tzinfo,
            start: int) -> int:
    """A bold heading and one (label, value) row per figure; the next free row."""
    ws.cell(row=start, column=1, value=visible(heading)).font = BOLD
    for offset, (name, value) in enumerate(items, start=1):
        put(ws, start + offset, 1, name, zone)
        put(ws, start + offset, 2, value, zone)
    return start + len(items) + 2


def notes(ws: Worksheet, heading: str, written: Sequence[dict[str, Any]], lang: Lang,
          zone: tzinfo, start: int) -> int:
    """The month-end notes (R-S8, R-O6, R-C6) under a table: when, by whom, the text."""
    ws.cell(row=start, column=1, value=visible(heading)).font = BOLD
    if not written:
        put(ws, start + 1, 1, both("(none yet)", "（暂无）", lang), zone)
        return start + 3
    for offset, note in enumerate(written, start=1):
        put(ws, start + offset, 1, note.get("noted_at"), zone)
        put(ws, start + offset, 2, note.get("noted_by"), zone)
        put(ws, start + offset, 3, note.get("text"), zone)
    return start + len(written) + 2


def _widths(ws: Worksheet, count: int) -> None:
    for column in range(1, count + 1):
        letter = get_column_letter(column)
        longest = max((_width(c.value) for c in ws[letter] if c.value is not None), default=8)
        ws.column_dimensions[letter].width = min(MAX_WIDTH, max(8, longest + 2))


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def to_bytes(book: Workbook) -> bytes:
    """The workbook as the bytes of an ``.xlsx`` file."""
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
