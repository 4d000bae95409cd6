"""Where the read models live: SQLite or PostgreSQL, through eventsourcing's tracking recorders.

Each batch of events is written in one transaction together with the tracking of its stream
(eventsourcing ``Tracking``), so a read model never holds an effect twice or half an effect.
"""
from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import orjson
from eventsourcing.persistence import InfrastructureFactory, Tracking, TrackingRecorder

from projections import audit
from projections.sample_summary import Row

_NAMED = re.compile(r"%\((\w+)\)s")

TABLES = ("sample_summary", "audit")


class ViewStore:
    """The projections' own database (file ``projections.sqlite`` or schema ``projections``)."""

    def __init__(self, env: dict[str, str]) -> None:
        env = dict(env, CREATE_TABLE="y")
        self.factory = InfrastructureFactory.construct(env)  # type: ignore[arg-type]
        self.recorder: TrackingRecorder = self.factory.tracking_recorder()
        self.datastore: Any = getattr(self.recorder, "datastore")
        self.postgres = env.get("PERSISTENCE_MODULE", "").endswith("postgres")
        schema = getattr(self.datastore, "schema", "")
        self.prefix = f'"{schema}".' if self.postgres else ""
        self.tracking_table = (f'{self.prefix}"{getattr(self.recorder, "tracking_table_name")}"'
                               if self.postgres else "tracking")
        self._writer = threading.Lock()
        self._relaxed: set[int] = set()
        self.create_tables()

    @functools.lru_cache(maxsize=64)  # noqa: B019 - a few fixed statements per store
    def sql(self, statement: str) -> str:
        statement = statement.replace("{t}", self.prefix)
        if self.postgres:
            return statement
        return _NAMED.sub(r":\1", statement).replace("%s", "?")

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    @contextmanager
    def write(self) -> Iterator[Any]:
        """A write transaction that excludes every other writer of the read models.

        Four streams are applied concurrently and a row is read, folded and written back;
        without this, two batches touching one row would both start from the same old row.
        SQLite already has a single writer; PostgreSQL takes a transaction-level advisory lock
        (which also covers several projection processes sharing one database).
        """
        with self._writer:
            if self.postgres:
                with self.datastore.transaction(commit=True) as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('salesflow-projections'))")
                    yield cursor
                return
            with self.datastore.get_connection(commit=True) as conn:
                if id(conn) not in self._relaxed:
                    # The read models are replayed from JetStream after a crash (their tracking
                    # is in the same transaction), so WAL's NORMAL sync is safe here and saves
                    # an fsync per batch.
                    conn.cursor().execute("PRAGMA synchronous=NORMAL")
                    self._relaxed.add(id(conn))
                with conn.transaction(commit=True) as cursor:
                    yield cursor

    def create_tables(self) -> None:
        with self.transaction() as c:
            c.execute(self.sql(
                "CREATE TABLE IF NOT EXISTS {t}sample_summary (request_no TEXT PRIMARY KEY, "
                "month TEXT, customer TEXT, status TEXT, row_json TEXT NOT NULL)"))
            c.execute(self.sql(
                "CREATE TABLE IF NOT EXISTS {t}audit (stream TEXT NOT NULL, seq BIGINT NOT NULL, "
                "record_no TEXT, occurred_at TEXT NOT NULL, type TEXT NOT NULL, "
                "department TEXT NOT NULL, actor_user TEXT NOT NULL, actor_role TEXT NOT NULL, "
                "event_json TEXT NOT NULL, PRIMARY KEY (stream, seq))"))
            c.execute(self.sql("CREATE INDEX IF NOT EXISTS audit_record ON {t}audit (record_no)"))

    # -- writes -----------------------------------------------------------------------------
    def load_rows(self, c: Any, request_nos: Iterable[str]) -> dict[str, Row]:
        keys = sorted(set(request_nos))
        rows: dict[str, Row] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            params = {f"k{i}": k for i, k in enumerate(chunk)}
            marks = ", ".join(f"%(k{i})s" for i in range(len(chunk)))
            c.execute(self.sql(f"SELECT request_no, row_json FROM {{t}}sample_summary "
                               f"WHERE request_no IN ({marks})"), params)
            for found in c.fetchall():
                rows[found["request_no"]] = json.loads(found["row_json"])
        return rows

    def save_rows(self, c: Any, rows: Iterable[Row]) -> None:
        params = [{"request_no": r["request_no"], "month": (r["requested_at"] or "")[:7] or None,
                   "customer": r["customer"], "status": r["status"],
                   "row_json": orjson.dumps(r).decode()} for r in rows]
        if params:
            c.executemany(self.sql(
                "INSERT INTO {t}sample_summary (request_no, month, customer, status, row_json) "
                "VALUES (%(request_no)s, %(month)s, %(customer)s, %(status)s, %(row_json)s) "
                "ON CONFLICT (request_no) DO UPDATE SET month = excluded.month, "
                "customer = excluded.customer, status = excluded.status, "
                "row_json = excluded.row_json"), params)

    def save_audit(self, c: Any, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            marks = ", ".join(["%s"] * len(audit.COLUMNS))
            c.executemany(self.sql(f"INSERT INTO {{t}}audit ({', '.join(audit.COLUMNS)}) "
                                   f"VALUES ({marks}) ON CONFLICT (stream, seq) DO NOTHING"), rows)

    def track(self, c: Any, tracking: Tracking) -> None:
        self.recorder._insert_tracking(c, tracking)  # type: ignore[attr-defined]

    def position(self, stream: str) -> int:
        return self.recorder.max_tracking_id(stream) or 0

    def reset(self) -> None:
        """Empty every read model and forget every position (the start of a rebuild)."""
        with self.write() as c:
            for table in TABLES:
                c.execute(self.sql(f"DELETE FROM {{t}}{table}"))
            c.execute(f"DELETE FROM {self.tracking_table} WHERE application_name <> '__migration__'")

    # -- reads ------------------------------------------------------------------------------
    def samples(self, customer: str | None = None, status: str | None = None,
                month: str | None = None) -> list[Row]:
        where, params = [], {}
        for name, value in (("customer", customer), ("status", status), ("month", month)):
            if value:
                where.append(f"{name} = %({name})s")
                params[name] = value
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        with self.transaction(commit=False) as c:
            c.execute(self.sql(f"SELECT row_json FROM {{t}}sample_summary{clause} "
                               "ORDER BY request_no"), params)
            return [json.loads(r["row_json"]) for r in c.fetchall()]

    def history(self, record_no: str) -> list[dict[str, Any]]:
        with self.transaction(commit=False) as c:
            c.execute(self.sql(
                "SELECT * FROM {t}audit WHERE record_no = %(record_no)s "
                "ORDER BY occurred_at, stream, seq"), {"record_no": record_no})
            return [audit.entry(dict(r)) for r in c.fetchall()]

    def close(self) -> None:
        self.factory.close()
