"""A sheet's cell values streamed straight from the xlsx zip: several times faster than
openpyxl's read-only mode, which builds objects and looks up styles for every cell (100,000 rows
of a summary took over a minute there). The header is still found with openpyxl; the rows come
from here.

Values: shared and inline strings as text, numbers as int or float, booleans, formula results
(cached values). Styles are not read, so a date comes as its Excel serial number, which
``cells.moment`` reads as the date it is.
"""
from __future__ import annotations

import zipfile
from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import iterparse

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _TEXT, _SI = (f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}t", f"{_NS}si")
_INLINE = f"{_NS}is"


def shared_strings(book: zipfile.ZipFile) -> list[str]:
    """The workbook's shared strings (rich text runs joined)."""
    try:
        stream = book.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    found: list[str] = []
    with stream:
        for _, element in iterparse(stream):
            if element.tag == _SI:
                found.append("".join(t.text or "" for t in element.iter(_TEXT)))
                element.clear()
    return found


def _column(reference: str) -> int:
    """0-based column of a cell reference such as ``AB12``."""
    index = 0
    for char in reference:
        if char.isdigit():
            break
        index = index * 26 + (ord(char) - 64)
    return index - 1


def _number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eE") else int(text)


def _value(cell: Any, strings: list[str]) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(_INLINE)
        return "".join(t.text or "" for t in inline.iter(_TEXT)) if inline is not None else None
    found = cell.find(_VALUE)
    text = found.text if found is not None else None
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind in ("str", "e"):
        return text
    if kind == "b":
        return text == "1"
    return _number(text)


def rows(path: str, sheet_path: str) -> Iterator[tuple[Any, ...]]:
    """Every row of the sheet from row 1, as a tuple of values (an empty row: ``()``)."""
    with zipfile.ZipFile(path) as book:
        strings = shared_strings(book)
        with book.open(sheet_path.lstrip("/")) as stream:
            last = 0
            for _, element in iterparse(stream):
                if element.tag != _ROW:
                    continue
                number = int(element.get("r") or last + 1)
                while last + 1 < number:  # rows the file leaves out are empty
                    last += 1
                    yield ()
                values: list[Any] = []
                for position, cell in enumerate(element.iter(_CELL)):
                    reference = cell.get("r")
                    column = _column(reference) if reference else position
                    if column >= len(values):
                        values.extend([None] * (column + 1 - len(values)))
                    values[column] = _value(cell, strings)
                last = number
                element.clear()
                yield tuple(values)
