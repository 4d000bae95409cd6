"""Where the read models live: SQLite or PostgreSQL, through eventsourcing's tracking recorders.

Each batch of events is written in one transaction together with the tracking of its stream
(eventsourcing ``Tracking``), so a read model never holds an effect twice or half an effect.
Statements are written once with ``{t}`` before table names and ``%s`` / ``%(name)s``
placeholders; ``sql()`` adapts them to the backend.
"""
from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import InfrastructureFactory, Tracking, TrackingRecorder

_NAMED = re.compile(r"%\((\w+)\)s")


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

    def reset(self, tables: Iterable[str]) -> None:
        """Empty the given tables and forget every position (the start of a rebuild)."""
        with self.write() as c:
            for table in tables:
                c.execute(self.sql(f"DELETE FROM {{t}}{table}"))
            c.execute(f"DELETE FROM {self.tracking_table} WHERE application_name <> '__migration__'")

    def close(self) -> None:
        self.factory.close()
