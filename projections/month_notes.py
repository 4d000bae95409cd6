"""The month-end notes written under a summary table (R-S8, R-O6): every note, in order.

A small read model per table, folded from that table's ``...MonthNoted`` event and keyed by its
event id, so a note delivered twice is kept once.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any, ClassVar

from events.envelope import DomainEvent
from projections import registry
from projections.model import Build, Item, ReadModel
from projections.store import ViewStore


class MonthNotes(ReadModel):
    """Notes of one table; ``noted`` is its event (with ``month`` and ``text``), ``tables`` its
    one table."""

    noted: ClassVar[type[DomainEvent]]

    @property
    def table(self) -> str:
        return self.tables[0]

    def wants(self, event: DomainEvent) -> bool:
        return isinstance(event, self.noted)

    def ddl(self) -> list[str]:
        return [f"CREATE TABLE {{{self.table}}} (event_id TEXT PRIMARY KEY, "
                "month TEXT NOT NULL, noted_at TEXT NOT NULL, noted_by TEXT NOT NULL, "
                "text TEXT NOT NULL)"]

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        notes = [(str(e.event_id), getattr(e, "month"), e.timestamp.astimezone(UTC).isoformat(),
                  e.actor.user, getattr(e, "text")) for e, _, _ in items if self.wants(e)]
        if notes:
            c.executemany(build.sql(store,
                f"INSERT INTO {{{self.table}}} (event_id, month, noted_at, noted_by, text) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (event_id) DO NOTHING"), notes)

    def notes(self, store: ViewStore, month: str) -> list[dict[str, Any]]:
        with store.read() as c:
            build = registry.require_live(store, c, self)
            c.execute(build.sql(store, f"SELECT month, noted_at, noted_by, text "
                                       f"FROM {{{self.table}}} WHERE month = %(month)s "
                                       "ORDER BY noted_at, event_id"), {"month": month})
            return [dict(r) for r in c.fetchall()]
