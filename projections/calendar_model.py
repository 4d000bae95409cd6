"""The company calendar's entries (read model ``calendar``): every holiday, make-up working day
and working-hours change an admin declared, in the order they were declared.

Keyed by event id, so an entry delivered twice is kept once. The order is the calendar record's
version (one aggregate for the company), which is the order in which a later entry for the same
day wins over an earlier one: ``entries`` hands them back in that order, as stored events, so a
reader folds them into its ``WorkingCalendar`` exactly as the services do.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC
from typing import Any, ClassVar

from events.envelope import DomainEvent
from events.sla import CalendarEvent
from projections import registry
from projections.model import Build, Item, ReadModel
from projections.store import ViewStore


class CalendarEntries(ReadModel):
    """Read model ``calendar`` (table ``calendar_entries``)."""

    name: ClassVar[str] = "calendar"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]] = ("calendar_entries",)

    def wants(self, event: DomainEvent) -> bool:
        return isinstance(event, CalendarEvent)

    def ddl(self) -> list[str]:
        return [("CREATE TABLE {calendar_entries} (event_id TEXT PRIMARY KEY, "
                 "version INTEGER NOT NULL, type TEXT NOT NULL, declared_at TEXT NOT NULL, "
                 "declared_by TEXT NOT NULL, event TEXT NOT NULL)")]

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        entries = [(str(e.event_id), e.originator_version, type(e).type_key(),
                    e.timestamp.astimezone(UTC).isoformat(), e.actor.user, e.model_dump_json())
                   for e, _, _ in items if self.wants(e)]
        if entries:
            c.executemany(build.sql(store,
                "INSERT INTO {calendar_entries} (event_id, version, type, declared_at, "
                "declared_by, event) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (event_id) DO NOTHING"), entries)

    def entries(self, store: ViewStore) -> list[dict[str, Any]]:
        """Every entry, oldest first: ``type`` (registry key), who declared it and when, and
        the stored ``event``."""
        with store.read() as c:
            build = registry.require_live(store, c, self)
            c.execute(build.sql(store, "SELECT type, declared_at, declared_by, event "
                                       "FROM {calendar_entries} ORDER BY version, event_id"))
            return [{**dict(r), "event": json.loads(r["event"])} for r in c.fetchall()]
