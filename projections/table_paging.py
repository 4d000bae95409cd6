"""One page of a summary table, sorted and searched (issue 12): in SQL for the live table, in
Python for a table folded again as of a moment; both order and match the rows alike.

Order: by the sort column, empty cells last in either direction, numbers before text (SQLite's
order of types), text by code point; then by the record number, in the same direction.
Search: a case-insensitive part of any searched column (SQLite and PostgreSQL fold the case of
ASCII letters only in ``LIKE``, so a needle is lowered, as Python lowers the cells).
"""
from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from projections.store import ViewStore

Row = dict[str, Any]
_NAME = re.compile(r"^[a-z_]+$")  # columns are named in the contracts; never the asker's text


@dataclass(frozen=True)
class Slice:
    """What part of a table to answer: ``limit`` None is every row (from ``offset``)."""

    sort: str | None = None
    desc: bool = False
    search: str | None = None
    limit: int | None = None
    offset: int = 0

    def cut(self, rows: Sequence[Row]) -> list[Row]:
        end = None if self.limit is None else self.offset + self.limit
        return list(rows[self.offset:end])


def _column(store: ViewStore, name: str, text: bool = False) -> str:
    """A JSON column's value; in PostgreSQL from ``j``, the row's JSON parsed once (``source``)."""
    assert _NAME.match(name), name
    if store.postgres:
        return f"(j ->> '{name}')" if text else f"(j -> '{name}')"
    return f"json_extract(row_json, '$.{name}')"


def source(store: ViewStore, table: str, key: str, filters: list[str], search: str) -> str:
    """``FROM ... WHERE ...`` of the rows matching ``filters`` and ``search``: in PostgreSQL
    each row's JSON is parsed once, as ``j`` (OFFSET 0 keeps the planner from parsing it again
    for every use of ``j``)."""
    if store.postgres:
        inner = f" WHERE {' AND '.join(filters)}" if filters else ""
        return (f" FROM (SELECT {key}, row_json::jsonb AS j FROM {table}{inner} OFFSET 0) AS matched"
                + (f" WHERE {search}" if search else ""))
    terms = [*filters, search] if search else filters
    return f" FROM {table}" + (f" WHERE {' AND '.join(terms)}" if terms else "")


def order_by(store: ViewStore, key: str, part: Slice) -> str:
    way = "DESC" if part.desc else "ASC"
    if part.sort is None:
        return f" ORDER BY {key} {way}"
    value = _column(store, part.sort)
    if store.postgres:
        # jsonb orders strings by the database's collation: "C" is SQLite's (code points).
        text = _column(store, part.sort, text=True)
        return (f" ORDER BY ({value} IS NULL OR jsonb_typeof({value}) = 'null'), "
                f"(jsonb_typeof({value}) <> 'number') {way}, "
                f"CASE WHEN jsonb_typeof({value}) = 'number' THEN {text}::numeric END {way}, "
                f"{text} COLLATE \"C\" {way}, {key} {way}")
    return f" ORDER BY ({value} IS NULL), {value} {way}, {key} {way}"


def searched(store: ViewStore, columns: Sequence[str], part: Slice,
             ) -> tuple[str, dict[str, str]]:
    """The ``WHERE`` term (empty without a search) and parameters of ``part.search``."""
    if not part.search:
        return "", {}
    needle = part.search.lower()
    pattern = "%" + re.sub(r"([\\%_])", r"\\\1", needle) + "%"
    like = "ILIKE" if store.postgres else "LIKE"
    terms = [f"lower({_column(store, c, text=True)}) {like} %(search)s ESCAPE '\\'"
             for c in columns]
    return f"({' OR '.join(terms)})", {"search": pattern}


def _order_key(value: Any) -> tuple[int, Any]:
    number = isinstance(value, (int, float))
    return (0, value) if number else (1, str(value))


def in_python(rows: Sequence[Row], key: str, columns: Sequence[str], part: Slice,
              ) -> tuple[list[Row], int]:
    """``rows`` (already filtered) searched, sorted and cut as the SQL above does: the page
    and how many rows matched."""
    if part.search:
        needle = part.search.lower()
        rows = [r for r in rows
                if any(r.get(c) is not None and needle in str(r[c]).lower() for c in columns)]
    if part.sort is None:
        ordered = sorted(rows, key=lambda r: str(r[key]), reverse=part.desc)
    else:
        column = part.sort
        full = [r for r in rows if r.get(column) is not None]
        empty = [r for r in rows if r.get(column) is None]
        ordered = sorted(full, key=lambda r: (_order_key(r[column]), str(r[key])),
                         reverse=part.desc)
        ordered += sorted(empty, key=lambda r: str(r[key]), reverse=part.desc)
    return part.cut(ordered), len(ordered)


class RecentFolds:
    """The last tables folded again as of a moment, kept ``keep`` seconds (as JSON): the pages
    of one as-of table (an export, a daily pack) are asked one by one, and folding the audit
    trail again for each page costs seconds once a table has tens of thousands of rows. Every
    page of such a table is then cut from the same fold; an event recorded before the moment
    that reaches the projections within those seconds shows from the next fold on."""

    def __init__(self, keep: float = 30.0, size: int = 2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.keep, self.size, self.clock = keep, size, clock
        self._folds: dict[Hashable, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def rows(self, key: Hashable, fold: Callable[[], list[Row]]) -> list[Row]:
        with self._lock:
            found = self._folds.get(key)
        if found is not None and self.clock() - found[0] < self.keep:
            return orjson.loads(found[1])  # type: ignore[no-any-return]
        rows = fold()
        with self._lock:
            self._folds.pop(key, None)  # a fold made again is the newest
            self._folds[key] = (self.clock(), orjson.dumps(rows))
            while len(self._folds) > self.size:  # the oldest goes (dicts keep insertion order)
                del self._folds[next(iter(self._folds))]
        return rows
