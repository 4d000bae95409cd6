"""Where the read models live: SQLite or PostgreSQL, through eventsourcing's tracking recorders.

Each batch of events is written in one transaction together with the tracking of its stream
(eventsourcing ``Tracking``), so a read model never holds an effect twice or half an effect.
Statements are written once with ``{t}`` before table names and ``%s`` / ``%(name)s``
placeholders; ``sql()`` adapts them to the backend.
"""
from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking, TrackingRecorder

_NAMED = re.compile(r"%\((\w+)\)s")
MIGRATION = "__migration__"  # eventsourcing's own row in the tracking table


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

    @functools.lru_cache(maxsize=128)  # noqa: B019 - a few fixed statements per store
    def sql(self, statement: str) -> str:
        statement = statement.replace("{t}", self.prefix)
        if self.postgres:
            return statement
        return _NAMED.sub(r":\1", statement).replace("%s", "?")

    @contextmanager
    def read(self) -> Iterator[Any]:
        with self.datastore.transaction(commit=False) as cursor:
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

    def execute_all(self, statements: Iterable[str]) -> None:
        with self.write() as c:
            for statement in statements:
                c.execute(self.sql(statement))

    def track(self, c: Any, tracking: Tracking) -> None:
        self.recorder._insert_tracking(c, tracking)  # type: ignore[attr-defined]

    def position(self, stream: str) -> int:
        return self.recorder.max_tracking_id(stream) or 0

    def position_in(self, c: Any, key: str) -> int:
        """The tracked position of ``key``, read inside the caller's transaction."""
        c.execute(self.sql(f"SELECT MAX(notification_id) AS seq FROM {self.tracking_table} "
                           "WHERE application_name = %(key)s"), {"key": key})
        found = c.fetchone()
        return int(found["seq"] or 0) if found else 0

    def tracked_keys(self, c: Any) -> list[str]:
        c.execute(f"SELECT DISTINCT application_name FROM {self.tracking_table}")
        return [r["application_name"] for r in c.fetchall() if r["application_name"] != MIGRATION]

    def forget(self, c: Any, keys: Iterable[str]) -> None:
        for key in keys:
            c.execute(self.sql(f"DELETE FROM {self.tracking_table} WHERE application_name = %(key)s"),
                      {"key": key})

    def claim(self, c: Any, table: str, event_ids: list[str]) -> set[str]:
        """Record event ids as applied to ``table``; returns those that were not recorded yet.

        One indexed insert-or-ignore per batch, in the batch's transaction."""
        if self.postgres:
            c.execute(f"INSERT INTO {self.prefix}{table} (event_id) SELECT unnest(%s::text[]) "
                      "ON CONFLICT (event_id) DO NOTHING RETURNING event_id", (event_ids,))
        else:
            # WHERE true: SQLite's parser needs it before ON CONFLICT in INSERT ... SELECT.
            c.execute(f"INSERT INTO {table} (event_id) SELECT value FROM json_each(?) WHERE true "
                      "ON CONFLICT (event_id) DO NOTHING RETURNING event_id",
                      (json.dumps(event_ids),))
        return {r["event_id"] for r in c.fetchall()}

    def table_names(self, c: Any) -> list[str]:
        if self.postgres:
            c.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s",
                      (getattr(self.datastore, "schema", "") or "public",))
            return [r["tablename"] for r in c.fetchall()]
        c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return [r["name"] for r in c.fetchall()]

    def drop(self, c: Any, table: str) -> None:
        c.execute(f"DROP TABLE IF EXISTS {self.prefix}{table}")

    def close(self) -> None:
        self.factory.close()
