"""The audit trail: every event of every department, who did it and when, by record number.

Each row keeps the event exactly as it travelled (its JSON), plus the columns it is looked up
and ordered by: ``occurred_at`` is the business time (when it happened on the floor, the order
of the history), ``recorded_at`` when salesflow recorded it (what as-of reading selects by). Rows are keyed by the event id, so an event that arrives twice (a duplicate
past the dedupe window, a recreated stream read again) is one row. Nothing in a row depends on
where the event sat in its stream: a rebuild from a recreated stream gives the same rows.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any, ClassVar

from events.envelope import DomainEvent
from projections import registry
from projections.model import Build, Item, ReadModel
from projections.store import ViewStore

COLUMNS = ("event_id", "record_no", "occurred_at", "recorded_at", "type", "department",
           "aggregate_id", "version", "actor_user", "actor_role", "event_json")
SHOWN = ("record_no", "occurred_at", "recorded_at", "type", "department", "actor_user",
         "actor_role", "event_json")
ENVELOPE = ("originator_id", "originator_version", "timestamp", "event_id", "actor",
            "correlation_id", "causation_id", "recorded_at")


def row(event: DomainEvent, data: bytes) -> tuple[Any, ...]:
    if type(event).secret_fields:  # a password's or a token's hash is never shown
        data = event.model_dump_json(exclude=set(type(event).secret_fields)).encode()
    return (str(event.event_id), event.record_no, event.timestamp.astimezone(UTC).isoformat(),
            event.recorded.astimezone(UTC).isoformat(), type(event).__name__, event.department.value, str(event.originator_id),
            event.originator_version, event.actor.user, event.actor.role.value, data.decode())


def entry(stored: dict[str, Any]) -> dict[str, Any]:
    """One audit row as the history query answers it: envelope fields, and the facts apart."""
    event = json.loads(stored.pop("event_json"))
    envelope = {key: event.pop(key, None) for key in ENVELOPE}
    return {**stored, "event_id": envelope["event_id"], "aggregate_id": envelope["originator_id"],
            "version": envelope["originator_version"], "correlation_id": envelope["correlation_id"],
            "causation_id": envelope["causation_id"], "facts": event}


class AuditTrail(ReadModel):
    """Read model ``audit``: one row per event of every stream."""

    name: ClassVar[str] = "audit"
    version: ClassVar[int] = 2  # 2: recorded_at
    tables: ClassVar[tuple[str, ...]] = ("audit",)

    def wants(self, event: DomainEvent) -> bool:
        return True

    def ddl(self) -> list[str]:
        return [
            "CREATE TABLE {audit} (event_id TEXT PRIMARY KEY, record_no TEXT, "
            "occurred_at TEXT NOT NULL, recorded_at TEXT NOT NULL, type TEXT NOT NULL, "
            "department TEXT NOT NULL, "
            "aggregate_id TEXT NOT NULL, version BIGINT NOT NULL, actor_user TEXT NOT NULL, "
            "actor_role TEXT NOT NULL, event_json TEXT NOT NULL)",
            "CREATE INDEX {index}_audit_record ON {audit} (record_no)",
        ]

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        marks = ", ".join(["%s"] * len(COLUMNS))
        c.executemany(build.sql(store, f"INSERT INTO {{audit}} ({', '.join(COLUMNS)}) "
                                       f"VALUES ({marks}) ON CONFLICT (event_id) DO NOTHING"),
                      [row(e, data) for e, _, data in items])

    def history(self, store: ViewStore, record_no: str) -> list[dict[str, Any]]:
        with store.read() as c:
            build = registry.require_live(store, c, self)
            c.execute(build.sql(store, f"SELECT {', '.join(SHOWN)} FROM {{audit}} "
                                       "WHERE record_no = %(record_no)s "
                                       "ORDER BY occurred_at, department, aggregate_id, version"),
                      {"record_no": record_no})
            return [entry(dict(r)) for r in c.fetchall()]
