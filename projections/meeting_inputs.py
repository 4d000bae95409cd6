"""The monthly sales meeting's inputs (R-M2): every resource need and improvement the managers
entered for a month's meeting, the withdrawn ones left out of the answer.

Read model ``meeting_inputs``: one row per item, folded from ``ResourceNeedRecorded``,
``ImprovementRecorded`` and ``MeetingInputWithdrawn``; the projector hands it each event once
(its ``applied`` table).
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC
from typing import Any, ClassVar

from events.envelope import DomainEvent
from events.sales.meeting import (
    ImprovementRecorded,
    MeetingInputEvent,
    MeetingInputWithdrawn,
    ResourceNeedRecorded,
)
from projections import registry
from projections.model import Build, Item, ReadModel
from projections.store import ViewStore

KINDS: dict[type[DomainEvent], str] = {ResourceNeedRecorded: "resource_need",
                                       ImprovementRecorded: "improvement"}
COLUMNS = ("item_id", "kind", "department", "summary", "detail", "owner", "due", "recorded_by",
           "recorded_at")


class MeetingInputs(ReadModel):
    """Read model ``meeting_inputs`` (table ``meeting_inputs``): the items of each month."""

    name: ClassVar[str] = "meeting_inputs"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]] = ("meeting_inputs", "meeting_inputs_applied")
    applied: ClassVar[str | None] = "meeting_inputs_applied"

    def wants(self, event: DomainEvent) -> bool:
        return isinstance(event, MeetingInputEvent)

    def ddl(self) -> list[str]:
        return [("CREATE TABLE {meeting_inputs} (item_id TEXT PRIMARY KEY, month TEXT NOT NULL, "
                 "kind TEXT NOT NULL, department TEXT NOT NULL, summary TEXT NOT NULL, "
                 "detail TEXT NOT NULL, owner TEXT, due TEXT, recorded_by TEXT NOT NULL, "
                 "recorded_at TEXT NOT NULL, withdrawn_at TEXT)"),
                "CREATE INDEX {index}_meeting_inputs_month ON {meeting_inputs} (month)"]

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        for event, _, _ in items:
            if isinstance(event, (ResourceNeedRecorded, ImprovementRecorded)):
                c.execute(build.sql(store,
                    "INSERT INTO {meeting_inputs} (item_id, month, kind, department, summary, "
                    "detail, owner, due, recorded_by, recorded_at) VALUES (%s, %s, %s, %s, %s, "
                    "%s, %s, %s, %s, %s) ON CONFLICT (item_id) DO NOTHING"),
                    (event.item_id, event.month, KINDS[type(event)],
                     event.for_department.value, event.summary, event.detail, event.owner,
                     event.due.isoformat() if event.due else None, event.actor.user,
                     event.timestamp.astimezone(UTC).isoformat()))
            elif isinstance(event, MeetingInputWithdrawn):
                c.execute(build.sql(store,
                    "UPDATE {meeting_inputs} SET withdrawn_at = %s WHERE item_id = %s "
                    "AND withdrawn_at IS NULL"),
                    (event.timestamp.astimezone(UTC).isoformat(), event.item_id))

    def items(self, store: ViewStore, month: str) -> list[dict[str, Any]]:
        """The month's items still standing, in the order they were entered."""
        with store.read() as c:
            build = registry.require_live(store, c, self)
            c.execute(build.sql(store, f"SELECT {', '.join(COLUMNS)} FROM {{meeting_inputs}} "
                                       "WHERE month = %(month)s AND withdrawn_at IS NULL "
                                       "ORDER BY item_id"), {"month": month})
            return [dict(r) for r in c.fetchall()]
