"""Reading one cell of an old Excel table: tolerant of how people typed it, strict about what it
means. Every refusal is a ``CellRefused`` naming the field, in English and Chinese.

Accepted: header and status spellings compared after ``normalize`` (full-width to half-width,
case, spaces and punctuation dropped); dates as Excel dates, Excel serial numbers, or text such
as ``2026-11-03``, ``2026/11/3``, ``2026.11.3``, ``2026年11月3日``, ``20261103``, each with an
optional ``HH:MM[:SS]``; numbers with thousands separators.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any

EARLIEST = date(2000, 1, 1)  # older than any table the company keeps: a typo
_EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
_DROPPED = re.compile(r"[\s_\-/\\.,:;()\[\]{}<>'\"`~!?|*#]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                   r"(?:[ T]+(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class CellRefused(ValueError):
    """A cell whose value cannot be read as its field needs."""

    def __init__(self, field: str, en: str, zh: str) -> None:
        super().__init__(f"{field}: {en} / {zh}")
        self.field, self.en, self.zh = field, en, zh


def normalize(text: str) -> str:
    """The form two spellings are compared in: NFKC (full-width letters, digits and brackets
    become half-width), lower case, spaces, underscores and punctuation dropped."""
    return _DROPPED.sub("", unicodedata.normalize("NFKC", text)).casefold()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any, field: str, *, max_length: int, required: bool = False) -> str | None:
    """A text cell, stripped (NFKC: full-width letters and digits become half-width)."""
    if is_blank(value):
        if required:
            raise CellRefused(field, "is empty but required", "不能为空")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number typed into a text column: 1001, not 1001.0
    shown = unicodedata.normalize("NFKC", str(value)).strip()
    if len(shown) > max_length:
        raise CellRefused(field, f"is longer than {max_length} characters",
                          f"超过 {max_length} 个字符")
    return shown


def moment(value: Any, field: str, zone: tzinfo, *, required: bool = False,
           latest: datetime | None = None) -> datetime | None:
    """A date or date-time cell as an aware moment in ``zone`` (a date alone: 00:00); not
    before 2000-01-01 and not after ``latest`` (e.g. now)."""
    if type(value) is datetime:  # a date cell as calamine gives it: most cells, read first
        found = value
    elif is_blank(value):
        if required:
            raise CellRefused(field, "is empty but required", "不能为空")
        return None
    else:
        found = _read_moment(value, field)
    # combine, not replace(tzinfo=...): the same moment, in a quarter of the time on 3.11
    found = datetime.combine(found, found.time(), zone) if found.tzinfo is None \
        else found.astimezone(zone)
    if found.date() < EARLIEST:
        raise CellRefused(field, f"{found:%Y-%m-%d} is before {EARLIEST}",
                          f"{found:%Y-%m-%d} 早于 {EARLIEST}")
    if latest is not None and found > latest:
        raise CellRefused(field, f"{found:%Y-%m-%d %H:%M} is in the future",
                          f"{found:%Y-%m-%d %H:%M} 是将来的时间")
    return found


def day(value: Any, field: str, zone: tzinfo, *, required: bool = False,
        latest: datetime | None = None) -> date | None:
    found = moment(value, field, zone, required=required, latest=latest)
    return found.date() if found is not None else None


def _read_moment(value: Any, field: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, bool):
        raise CellRefused(field, "is not a date", "不是日期")
    if isinstance(value, (int, float)):  # an Excel serial date that lost its format
        if not 1 <= value < 2_958_466:  # Excel's own range: 1900-01-01 to 9999-12-31
            raise CellRefused(field, f"{value} is not a date", f"{value} 不是日期")
        # to the millisecond, as Excel shows it (a float day of 14:30 is 14:29:59.999999...)
        return _EXCEL_EPOCH + timedelta(milliseconds=round(float(value) * 86_400_000))
    raw = unicodedata.normalize("NFKC", str(value)).strip()
    if (compact := _COMPACT.match(raw)) is not None:
        parts: tuple[str | None, ...] = (*compact.groups(), None, None, None)
    elif (match := _DATE.match(raw)) is not None:
        parts = match.groups()
    else:
        raise CellRefused(field, f"{raw[:40]!r} is not a date (e.g. 2026-11-03 or 2026/11/3 14:30)",
                          f"{raw[:40]!r} 不是日期（例如 2026-11-03 或 2026/11/3 14:30）")
    numbers = [int(p) if p else 0 for p in parts]
    try:
        year, month, day_, hour, minute, second = numbers
        return datetime(year, month, day_, hour, minute, second)
    except ValueError as error:
        raise CellRefused(field, f"{raw[:40]!r} is not a real date", f"{raw[:40]!r} 不是有效日期") \
            from error


def integer(value: Any, field: str, *, low: int, high: int, required: bool = False) -> int | None:
    if type(value) is float and value.is_integer() and low <= value <= high:
        return int(value)  # a number cell (calamine: a float) in range; the rest as text below
    number = decimal(value, field, low=Decimal(low), high=Decimal(high), required=required)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise CellRefused(field, f"{number} is not a whole number", f"{number} 不是整数")
    return int(number)


def decimal(value: Any, field: str, *, low: Decimal, high: Decimal,
            required: bool = False) -> Decimal | None:
    if is_blank(value):
        if required:
            raise CellRefused(field, "is empty but required", "不能为空")
        return None
    if isinstance(value, bool):
        raise CellRefused(field, "is not a number", "不是数字")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # calamine gives whole numbers as floats: "-5", not "-5.0", if refused
    raw = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "")
    try:
        number = Decimal(raw)
    except InvalidOperation as error:
        raise CellRefused(field, f"{raw[:40]!r} is not a number", f"{raw[:40]!r} 不是数字") \
            from error
    if not number.is_finite() or not low <= number <= high:
        raise CellRefused(field, f"{raw[:40]} is not between {low} and {high}",
                          f"{raw[:40]} 不在 {low} 到 {high} 之间")
    return number


_LOOKUPS: dict[int, tuple[Mapping[str, tuple[str, ...]], dict[str, str], dict[str, str]]] = {}
_SEEN_MAX = 10_000  # cell texts remembered per spellings table (only those that were found)


def _lookup(spellings: Mapping[str, tuple[str, ...]]) -> tuple[dict[str, str], dict[str, str]]:
    """(normalized spelling -> canonical value, made once per spellings table: they are module
    constants and normalizing every spelling for every cell was most of an import's reading;
    cell text as written -> canonical value, filled as cells are read: a status column holds a
    few texts thousands of times, and normalizing each cell was most of ``choice``'s time)."""
    cached = _LOOKUPS.get(id(spellings))
    if cached is not None and cached[0] is spellings:
        return cached[1], cached[2]
    table: dict[str, str] = {}
    for canonical, accepted in spellings.items():
        for spelling in (canonical, *accepted):
            table.setdefault(normalize(spelling), canonical)
    _LOOKUPS[id(spellings)] = (spellings, table, {})
    return table, _LOOKUPS[id(spellings)][2]


def choice(value: Any, field: str, spellings: Mapping[str, tuple[str, ...]], *,
           required: bool = False) -> str | None:
    """The canonical value whose accepted spellings (compared ``normalize``d; the canonical
    name itself is always accepted) include the cell's."""
    if is_blank(value):
        if required:
            raise CellRefused(field, "is empty but required", "不能为空")
        return None
    table, seen = _lookup(spellings)
    if type(value) is str and (known := seen.get(value)) is not None:
        return known
    found = table.get(normalize(str(value)))
    if found is not None:
        if type(value) is str and len(seen) < _SEEN_MAX:
            seen[value] = found
        return found
    known = ", ".join(f"{c} ({'/'.join(a[:2])})" if a else c for c, a in spellings.items())
    raise CellRefused(field, f"{str(value)[:40]!r} is not one of: {known}",
                      f"{str(value)[:40]!r} 不是以下之一：{known}")
