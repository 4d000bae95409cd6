"""The Sample Record Summary as a table: rows kept as JSON, keyed and filtered by a few columns."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from projections import sample_summary
from projections.model import Item
from projections.sample_summary import Row
from projections.store import ViewStore


class SampleSummaryTable:
    """Read model ``sample_summary``: one row per sample request."""

    tables = ("sample_summary",)

    def ddl(self) -> list[str]:
        return ["CREATE TABLE IF NOT EXISTS {t}sample_summary (request_no TEXT PRIMARY KEY, "
                "month TEXT, customer TEXT, status TEXT, row_json TEXT NOT NULL)"]

    def apply(self, store: ViewStore, c: Any, items: Sequence[Item]) -> None:
        mine = [e for e, _, _ in items if e.record_no and type(e) in sample_summary.FOLD]
        if not mine:
            return
        rows = self.load(store, c, {e.record_no for e in mine if e.record_no})
        changed: dict[str, Row] = {}
        for event in mine:
            record = event.record_no or ""
            row = rows.setdefault(record, sample_summary.new_row(record))
            sample_summary.apply(row, event)
            changed[record] = row
        self.save(store, c, changed.values())

    def load(self, store: ViewStore, c: Any, request_nos: Iterable[str]) -> dict[str, Row]:
        keys = sorted(set(request_nos))
        rows: dict[str, Row] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            c.execute(store.sql(f"SELECT request_no, row_json FROM {{t}}sample_summary "
                                f"WHERE request_no IN ({marks})"), chunk)
            for found in c.fetchall():
                rows[found["request_no"]] = json.loads(found["row_json"])
        return rows

    def save(self, store: ViewStore, c: Any, rows: Iterable[Row]) -> None:
        params = [(r["request_no"], (r["requested_at"] or "")[:7] or None, r["customer"],
                   r["status"], orjson.dumps(r).decode()) for r in rows]
        c.executemany(store.sql(
            "INSERT INTO {t}sample_summary (request_no, month, customer, status, row_json) "
            "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (request_no) DO UPDATE SET "
            "month = excluded.month, customer = excluded.customer, status = excluded.status, "
            "row_json = excluded.row_json"), params)

    def rows(self, store: ViewStore, customer: str | None = None, status: str | None = None,
             month: str | None = None) -> list[Row]:
        where, params = [], {}
        for name, value in (("customer", customer), ("status", status), ("month", month)):
            if value:
                where.append(f"{name} = %({name})s")
                params[name] = value
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with store.read() as c:
            c.execute(store.sql(f"SELECT row_json FROM {{t}}sample_summary{clause} "
                                "ORDER BY request_no"), params)
            return [json.loads(r["row_json"]) for r in c.fetchall()]
