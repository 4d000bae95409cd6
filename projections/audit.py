"""The audit trail: every event of every department, who did it and when, by record number.

Each row keeps the event exactly as it travelled (its JSON), plus the columns it is looked up
and ordered by.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from eventsourcing.persistence import Tracking

from events.envelope import DomainEvent
from projections.model import Item
from projections.store import ViewStore

COLUMNS = ("stream", "seq", "record_no", "occurred_at", "type", "department", "actor_user",
           "actor_role", "event_json")
ENVELOPE = ("originator_id", "originator_version", "timestamp", "event_id", "actor",
            "correlation_id", "causation_id")


def row(event: DomainEvent, tracking: Tracking, data: bytes) -> tuple[Any, ...]:
    return (tracking.application_name, tracking.notification_id, event.record_no,
            event.timestamp.astimezone(UTC).isoformat(), type(event).__name__,
            event.department.value, event.actor.user, event.actor.role.value, data.decode())


def entry(stored: dict[str, Any]) -> dict[str, Any]:
    """One audit row as the history query answers it: envelope fields, and the facts apart."""
    event = json.loads(stored.pop("event_json"))
    envelope = {key: event.pop(key, None) for key in ENVELOPE}
    return {**stored, "event_id": envelope["event_id"], "aggregate_id": envelope["originator_id"],
            "version": envelope["originator_version"], "correlation_id": envelope["correlation_id"],
            "causation_id": envelope["causation_id"], "facts": event}


class AuditTrail:
    """Read model ``audit``: one row per event of every stream."""

    tables = ("audit",)

    def ddl(self) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS {t}audit (stream TEXT NOT NULL, seq BIGINT NOT NULL, "
            "record_no TEXT, occurred_at TEXT NOT NULL, type TEXT NOT NULL, "
            "department TEXT NOT NULL, actor_user TEXT NOT NULL, actor_role TEXT NOT NULL, "
            "event_json TEXT NOT NULL, PRIMARY KEY (stream, seq))",
            "CREATE INDEX IF NOT EXISTS audit_record ON {t}audit (record_no)",
        ]

    def apply(self, store: ViewStore, c: Any, items: Sequence[Item]) -> None:
        marks = ", ".join(["%s"] * len(COLUMNS))
        c.executemany(store.sql(f"INSERT INTO {{t}}audit ({', '.join(COLUMNS)}) VALUES ({marks}) "
                                "ON CONFLICT (stream, seq) DO NOTHING"),
                      [row(e, t, data) for e, t, data in items])

    def history(self, store: ViewStore, record_no: str) -> list[dict[str, Any]]:
        with store.read() as c:
            c.execute(store.sql("SELECT * FROM {t}audit WHERE record_no = %(record_no)s "
                                "ORDER BY occurred_at, stream, seq"), {"record_no": record_no})
            return [entry(dict(r)) for r in c.fetchall()]
