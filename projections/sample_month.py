"""Month-end analysis of the Sample Record Summary, with the assistant's notes (R-S8).

The figures are computed from the summary rows when asked, so they always match the table;
the notes are their own small read model, folded from ``SampleMonthNoted`` and keyed by its
event id. Months are the company's (its time zone), as the summary's month column is.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from contracts.calendar import WorkingCalendar
from events.envelope import DomainEvent
from events.sales import SampleMonthNoted
from projections.month_notes import MonthNotes
from projections.sample_summary import Row


class SampleMonthNotes(MonthNotes):
    """Read model ``month_notes`` (table ``sample_month_notes``): every month-end note, in order."""

    name: ClassVar[str] = "month_notes"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]] = ("sample_month_notes",)
    noted: ClassVar[type[DomainEvent]] = SampleMonthNoted


def analyse(month: str, rows: Sequence[Row], calendar: WorkingCalendar) -> dict[str, Any]:
    """R-S8: counts by status and customer, OK / NG rate, working hours to make, late samples."""
    # Every recorded trial of every round: a sample tried NG, then OK, counts one of each.
    trials = Counter(t["result"] for r in rows for t in r.get("trials") or [])
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
