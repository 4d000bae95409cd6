"""The Sample Record Summary as a table: rows kept as JSON, keyed and filtered by a few columns.

The month a sample belongs to is the month of its request in the company's time zone: a
request made at 07:30 on 1 November in Shanghai (23:30 UTC the day before) is November's.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, tzinfo
from typing import Any, ClassVar

import orjson

from events import sales
from events.envelope import DomainEvent
from projections import registry, sample_summary
from projections.as_of import Fold
from projections.model import Build, Item, ReadModel
from projections.sample_summary import Row
from projections.store import ViewStore


@functools.lru_cache(maxsize=4096)
def _local_month(minute: str, zone: tzinfo) -> str:
    """The month of a UTC ``YYYY-MM-DDTHH:MM`` in ``zone`` (zones shift by whole minutes; cached,
    as a rebuild asks for the same few minutes thousands of times)."""
    return datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m")


class SampleSummaryTable(ReadModel):
    """Read model ``samples`` (table ``sample_summary``): one row per sample request."""

    name: ClassVar[str] = "samples"
    # v2: an earlier round's production progress is forgotten when a round starts (rows no
    # longer depend on how the streams interleave, which as-of reading relies on).
    version: ClassVar[int] = 2
    tables: ClassVar[tuple[str, ...]] = ("sample_summary", "sample_summary_applied")
    applied: ClassVar[str | None] = "sample_summary_applied"

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def fingerprint(self) -> str:
        # Month buckets depend on the zone: a different zone means different rows.
        return f"v{self.version} zone={self.zone}"

    def wants(self, event: DomainEvent) -> bool:
        # Promises of customer orders share their event types with samples' (``promises``).
        return (type(event) in sample_summary.FOLD and bool(event.record_no)
                and getattr(event, "promises", "sample") == "sample")

    def ddl(self) -> list[str]:
        return ["CREATE TABLE {sample_summary} (request_no TEXT PRIMARY KEY, "
                "month TEXT, customer TEXT, status TEXT, row_json TEXT NOT NULL)"]

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        rows = self.load(store, c, build, {e.record_no for e, _, _ in items if e.record_no})
        changed: dict[str, Row] = {}
        for event, _, _ in items:
            record = event.record_no or ""
            row = rows.setdefault(record, sample_summary.new_row(record))
            sample_summary.apply(row, event)
            changed[record] = row
        self.save(store, c, build, changed.values())

    def load(self, store: ViewStore, c: Any, build: Build,
             request_nos: Iterable[str]) -> dict[str, Row]:
        keys = sorted(set(request_nos))
        rows: dict[str, Row] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            c.execute(build.sql(store, f"SELECT request_no, row_json FROM {{sample_summary}} "
                                       f"WHERE request_no IN ({marks})"), chunk)
            for found in c.fetchall():
                rows[found["request_no"]] = json.loads(found["row_json"])
        return rows

    def fold(self) -> Fold:
        """How the table is folded again as of a past moment (``projections.as_of``)."""
        return Fold(events=tuple(sample_summary.FOLD), wants=self.wants,
                    new_row=sample_summary.new_row, apply=sample_summary.apply,
                    filters={"customer": lambda r: r["customer"], "status": lambda r: r["status"],
                             "month": self.month},
                    order=lambda r: r["request_no"], opened_by=sales.SampleRequested,
                    opening_decides=("customer", "month"))

    def month(self, row: Row) -> str | None:
        requested = row["requested_at"]
        return _local_month(requested[:16], self.zone) if requested else None

    def save(self, store: ViewStore, c: Any, build: Build, rows: Iterable[Row]) -> None:
        params = [(r["request_no"], self.month(r), r["customer"], r["status"],
                   orjson.dumps(r).decode()) for r in rows]
        c.executemany(build.sql(store,
            "INSERT INTO {sample_summary} (request_no, month, customer, status, row_json) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (request_no) DO UPDATE SET "
            "month = excluded.month, customer = excluded.customer, status = excluded.status, "
            "row_json = excluded.row_json"), params)

    def rows(self, store: ViewStore, customer: str | None = None, status: str | None = None,
             month: str | None = None) -> list[Row]:
        """Rows, optionally filtered; ``month`` is a month in the company's zone (YYYY-MM)."""
        where, params = [], {}
        for name, value in (("customer", customer), ("status", status), ("month", month)):
            if value:
                where.append(f"{name} = %({name})s")
                params[name] = value
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with store.read() as c:
            build = registry.require_live(store, c, self)
            c.execute(build.sql(store, f"SELECT row_json FROM {{sample_summary}}{clause} "
                                       "ORDER BY request_no"), params)
            return [json.loads(r["row_json"]) for r in c.fetchall()]

    def count(self, store: ViewStore) -> int:
        """How many rows the live build holds (0 while it has none)."""
        with store.read() as c:
            build = registry.live_build(store, c, self)
            if build is None:
                return 0
            c.execute(build.sql(store, "SELECT COUNT(*) AS n FROM {sample_summary}"))
            return int(c.fetchone()["n"])
