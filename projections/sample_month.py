"""Month-end analysis of the Sample Record Summary, with the assistant's notes (R-S8).

The figures are computed from the summary rows when asked, so they always match the table;
the notes are their own small read model, folded from ``SampleMonthNoted``.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from contracts.calendar import WorkingCalendar
from events.sales import SampleMonthNoted
from projections.model import Item
from projections.sample_summary import Row
from projections.store import ViewStore


class SampleMonthNotes:
    """Read model ``sample_month_notes``: every month-end note, in order."""

    tables = ("sample_month_notes",)

    def ddl(self) -> list[str]:
        return ["CREATE TABLE IF NOT EXISTS {t}sample_month_notes (stream TEXT NOT NULL, "
                "seq BIGINT NOT NULL, month TEXT NOT NULL, noted_at TEXT NOT NULL, "
                "noted_by TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (stream, seq))"]

    def apply(self, store: ViewStore, c: Any, items: Sequence[Item]) -> None:
        notes = [(t.application_name, t.notification_id, e.month,
                  e.timestamp.astimezone(UTC).isoformat(), e.actor.user, e.text)
                 for e, t, _ in items if isinstance(e, SampleMonthNoted)]
        if notes:
            c.executemany(store.sql(
                "INSERT INTO {t}sample_month_notes (stream, seq, month, noted_at, noted_by, text) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (stream, seq) DO NOTHING"), notes)

    def notes(self, store: ViewStore, month: str) -> list[dict[str, Any]]:
        with store.read() as c:
            c.execute(store.sql("SELECT month, noted_at, noted_by, text FROM {t}sample_month_notes "
                                "WHERE month = %(month)s ORDER BY noted_at, seq"), {"month": month})
            return [dict(r) for r in c.fetchall()]


def analyse(month: str, rows: Sequence[Row], calendar: WorkingCalendar) -> dict[str, Any]:
    """R-S8: counts by status and customer, OK / NG rate, working hours to make, late samples."""
    trials = Counter(r["trial_result"] for r in rows if r["trial_result"])
    tried = trials["ok"] + trials["ng"]
    hours = [calendar.working_hours_between(datetime.fromisoformat(r["documents_received_at"]),
                                            datetime.fromisoformat(r["completed_at"]))
             for r in rows if r["documents_received_at"] and r["completed_at"]]
    late = [r["request_no"] for r in rows if r["late"] or r["penalty_requested_at"]]
    return {
        "month": month,
        "samples": len(rows),
        "by_status": dict(sorted(Counter(r["status"] for r in rows).items())),
        "by_customer": dict(sorted(Counter(r["customer"] or "?" for r in rows).items())),
        "trials": {"ok": trials["ok"], "ng": trials["ng"],
                   "ok_rate": round(trials["ok"] / tried, 3) if tried else None},
        "made": len(hours),
        "average_working_hours_to_make": round(sum(hours) / len(hours), 2) if hours else None,
        "late": late,
        "penalties": [r["request_no"] for r in rows if r["penalty_requested_at"]],
    }
