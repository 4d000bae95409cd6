"""A summary table (打样记录汇总表, 订单汇总表): one row per record, folded by a pure fold, kept as JSON.

The fold (a module with ``new_row(no)`` and ``apply(row, event) -> bool``) knows the columns; the
table keys rows by the record number, keeps a few columns beside the JSON to filter by, and
buckets each row in the month of one of its times in the company's time zone: an order taken at
07:30 on 1 November in Shanghai (23:30 UTC the day before) is November's.
"""
from __future__ import annotations

import functools
import json
import operator
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar, Protocol

import orjson

from events.envelope import DomainEvent
from projections import as_of, registry
from projections.as_of import Fold
from projections.model import Build, Item, ReadModel
from projections.store import ViewStore
from projections.table_paging import (
    RecentFolds,
    Slice,
    in_python,
    order_by,
    searched,
    source,
)

Row = dict[str, Any]


class RowFold(Protocol):
    """What a summary table needs of its fold module (looked up at each call, so it can be
    patched): the events it folds, a new row, and the fold of one event."""

    @property
    def FOLD(self) -> Mapping[type[DomainEvent], Any]: ...  # noqa: N802 - the module's constant

    def new_row(self, no: str) -> Row: ...

    def apply(self, row: Row, event: DomainEvent) -> bool: ...


@functools.lru_cache(maxsize=4096)
def local_month(minute: str, zone: tzinfo) -> str:
    """The month of a UTC ``YYYY-MM-DDTHH:MM`` in ``zone`` (zones shift by whole minutes; cached,
    as a rebuild asks for the same few minutes thousands of times)."""
    return datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m")


class SummaryTable(ReadModel):
    """Rows of one fold, keyed by ``key``; ``tables`` are (rows, applied event ids)."""

    key: ClassVar[str]
    summary: ClassVar[RowFold]
    dated_by: ClassVar[str]  # the row's time whose month the row belongs to
    filters: ClassVar[tuple[str, ...]] = ("customer", "status")
    # the event (or events: a live one, an imported row) that opens a row
    opened_by: ClassVar[type[DomainEvent] | tuple[type[DomainEvent], ...]]
    opening_decides: ClassVar[tuple[str, ...]] = ("customer", "month")  # filters it alone sets
    searched: ClassVar[tuple[str, ...]]  # the columns a query's ``search`` looks in

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.recent = RecentFolds()  # the pages of a table as of a moment are cut from one fold

    @property
    def table(self) -> str:
        return self.tables[0]

    def fingerprint(self) -> str:
        # Month buckets depend on the zone: a different zone means different rows.
        return f"v{self.version} zone={self.zone}"

    def ddl(self) -> list[str]:
        filters = "".join(f"{name} TEXT, " for name in self.filters)
        return [f"CREATE TABLE {{{self.table}}} ({self.key} TEXT PRIMARY KEY, "
                f"month TEXT, {filters}row_json TEXT NOT NULL)"]

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        rows = self.load(store, c, build, {e.record_no for e, _, _ in items if e.record_no})
        changed: dict[str, Row] = {}
        for event, _, _ in items:
            record = event.record_no or ""
            row = rows.setdefault(record, self.summary.new_row(record))
            self.summary.apply(row, event)
            changed[record] = row
        self.save(store, c, build, changed.values())

    def load(self, store: ViewStore, c: Any, build: Build, keys: Iterable[str]) -> dict[str, Row]:
        wanted = sorted(set(keys))
        rows: dict[str, Row] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            c.execute(build.sql(store, f"SELECT {self.key}, row_json FROM {{{self.table}}} "
                                       f"WHERE {self.key} IN ({marks})"), chunk)
            for found in c.fetchall():
                rows[found[self.key]] = json.loads(found["row_json"])
        return rows

    def month(self, row: Row) -> str | None:
        at = row[self.dated_by]
        return local_month(at[:16], self.zone) if at else None

    def save(self, store: ViewStore, c: Any, build: Build, rows: Iterable[Row]) -> None:
        names = (self.key, "month", *self.filters, "row_json")
        params = [(r[self.key], self.month(r), *(r[f] for f in self.filters),
                   orjson.dumps(r).decode()) for r in rows]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names[1:])
        c.executemany(build.sql(store,
            f"INSERT INTO {{{self.table}}} ({', '.join(names)}) "
            f"VALUES ({', '.join(['%s'] * len(names))}) "
            f"ON CONFLICT ({self.key}) DO UPDATE SET {updates}"), params)

    def rows(self, store: ViewStore, at: datetime | None = None, **filters: str | None) -> list[Row]:
        """Rows whose filter columns (and ``month``, YYYY-MM in the company's zone) equal the
        given values (None: any): as the table stands, or as it stood at the moment ``at``,
        folded again from the events recorded up to it (R-S5, R-O5, R-C5: the 16:00 view)."""
        if at is not None:
            return as_of.rows(store, self.fold(), at, **filters)
        return self.select(store, **filters)

    def select(self, store: ViewStore, **equal: str | None) -> list[Row]:
        """Rows whose ``month`` or filter columns equal the given values (None: any)."""
        where = [f"{name} = %({name})s" for name, value in equal.items() if value]
        assert set(equal) <= {"month", *self.filters}, equal
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with store.read() as c:
            build = registry.require_live(store, c, self)
            c.execute(build.sql(store, f"SELECT row_json FROM {{{self.table}}}{clause} "
                                       f"ORDER BY {self.key}"),
                      {name: value for name, value in equal.items() if value})
            return [json.loads(r["row_json"]) for r in c.fetchall()]

    def page(self, store: ViewStore, part: Slice, at: datetime | None = None,
             **filters: str | None) -> tuple[list[Row], int]:
        """``rows`` searched, sorted and cut to ``part``, and how many matched: in SQL for the
        live table, in Python for the table as of ``at`` (it is folded again in memory)."""
        if at is not None:
            def folded() -> list[Row]:
                return as_of.rows(store, self.fold(), at, **filters)
            if part.limit is None:
                rows = folded()
            else:
                rows = self.recent.rows((at.isoformat(), *sorted(filters.items())), folded)
            return in_python(rows, self.key, self.searched, part)
        assert set(filters) <= {"month", *self.filters}, filters
        where = [f"{name} = %({name})s" for name, value in filters.items() if value]
        params: dict[str, Any] = {name: value for name, value in filters.items() if value}
        search, found = searched(store, self.searched, part)
        params.update(found)
        table = f"{{{self.table}}}"
        cut = "" if part.limit is None else f" LIMIT {int(part.limit)} OFFSET {int(part.offset)}"
        with store.read() as c:
            build = registry.require_live(store, c, self)
            if part.sort is None and not search:  # in key order: the primary key's index
                clause = f" WHERE {' AND '.join(where)}" if where else ""
                c.execute(build.sql(store, f"SELECT row_json FROM {table}{clause}"
                                           f"{order_by(store, self.key, part)}{cut}"), params)
                rows = [json.loads(r["row_json"]) for r in c.fetchall()]
                if part.limit is None:  # the whole table: its rows are the count
                    return rows, len(rows)
                c.execute(build.sql(store, f"SELECT COUNT(*) AS n FROM {table}{clause}"), params)
                return rows, int(c.fetchone()["n"])
            # Sorted or searched: the page's record numbers first, sorting narrow rows only.
            matched = source(store, table, self.key, where, search)
            c.execute(build.sql(store, f"SELECT {self.key} AS k, COUNT(*) OVER () AS n{matched}"
                                       f"{order_by(store, self.key, part)}{cut}"), params)
            found_keys = c.fetchall()
            if found_keys:
                total = int(found_keys[0]["n"])
            else:  # past the end, or nothing matched
                c.execute(build.sql(store, f"SELECT COUNT(*) AS n{matched}"), params)
                total = int(c.fetchone()["n"])
            keys = [r["k"] for r in found_keys]
            by_key = self.load(store, c, build, keys)
            return [by_key[k] for k in keys], total

    def fold(self) -> Fold:
        """How the table is folded again as of a past moment (``projections.as_of``)."""
        return Fold(events=tuple(self.summary.FOLD), wants=self.wants,
                    new_row=self.summary.new_row, apply=self.summary.apply,
                    filters={**{name: operator.itemgetter(name) for name in self.filters},
                             "month": self.month},
                    order=operator.itemgetter(self.key), opened_by=self.opened_by,
                    opening_decides=self.opening_decides)

    def count(self, store: ViewStore) -> int:
        """How many rows the live build holds (0 while it has none)."""
        with store.read() as c:
            build = registry.live_build(store, c, self)
            if build is None:
                return 0
            c.execute(build.sql(store, f"SELECT COUNT(*) AS n FROM {{{self.table}}}"))
            return int(c.fetchone()["n"])
