"""Month-end analysis of the Complaint Summary per customer and per problem, with technical
support's notes (R-C6).

The figures are computed from the summary rows of the month (the month sales took each complaint
in, in the company's zone) when asked, so they always match the table; the notes are their own
small read model (``ComplaintMonthNoted``). Time to close is counted in working hours of the
company calendar, from intake to closing. A repeat is a complaint beyond the first of the same
problem category from the same customer within the month.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, ClassVar

from contracts.calendar import WorkingCalendar
from events.envelope import DomainEvent
from events.sales import ComplaintMonthNoted
from projections.complaint_summary import Row
from projections.month_notes import MonthNotes

UNKNOWN = "?"  # a complaint not registered or judged yet has no category, severity or department


class ComplaintMonthNotes(MonthNotes):
    """Read model ``complaint_notes`` (table ``complaint_month_notes``): every note, in order."""

    name: ClassVar[str] = "complaint_notes"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]] = ("complaint_month_notes",)
    noted: ClassVar[type[DomainEvent]] = ComplaintMonthNoted


def _sorted(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items()))


def _hours_to_close(row: Row, calendar: WorkingCalendar) -> float | None:
    if not (row["received_at"] and row["closed_at"]):
        return None
    return calendar.working_hours_between(datetime.fromisoformat(row["received_at"]),
                                          datetime.fromisoformat(row["closed_at"]))


def _figures(rows: Sequence[Row], calendar: WorkingCalendar) -> dict[str, Any]:
    """Counts, severity mix, open vs closed and the average working hours to close of ``rows``."""
    hours = [h for h in (_hours_to_close(r, calendar) for r in rows) if h is not None]
    closed = sum(1 for r in rows if r["closed_at"])
    return {"complaints": len(rows), "open": len(rows) - closed, "closed": closed,
            "by_severity": _sorted(Counter(r["severity"] or UNKNOWN for r in rows)),
            "average_working_hours_to_close": round(sum(hours) / len(hours), 2) if hours else None}


def _repeats(rows: Sequence[Row]) -> int:
    pairs = Counter((r["customer"] or UNKNOWN, r["category"] or UNKNOWN) for r in rows)
    return sum(n - 1 for n in pairs.values())


def _grouped(rows: Sequence[Row], key: Callable[[Row], str],
             calendar: WorkingCalendar) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        groups[key(row)].append(row)
    return {name: _figures(group, calendar) | {"repeats": _repeats(group)}
            for name, group in sorted(groups.items())}


def analyse(month: str, rows: Sequence[Row], calendar: WorkingCalendar) -> dict[str, Any]:
    """R-C6: the month's complaints per customer and per problem category (counts, severity mix,
    open vs closed, average working hours to close, repeats), by responsible department, and the
    same problem repeated by the same customer."""
    def customer(row: Row) -> str:
        return str(row["customer"] or UNKNOWN)

    def category(row: Row) -> str:
        return str(row["category"] or UNKNOWN)

    def responsible(row: Row) -> str:  # a minor complaint is sales' own to answer (R-C2)
        return str(row["responsible"] or ("sales" if row["severity"] == "minor" else UNKNOWN))

    pairs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["received_at"] or "", r["complaint_no"])):
        pairs[(customer(row), category(row))].append(row["complaint_no"])
    return {
        "month": month,
        **_figures(rows, calendar),
        "by_status": _sorted(Counter(r["status"] or UNKNOWN for r in rows)),
        "reopened": sum(1 for r in rows if r["reopen_count"]),
        "repeats": _repeats(rows),
        "per_customer": _grouped(rows, customer, calendar),
        "per_category": _grouped(rows, category, calendar),
        "by_responsible": _grouped(rows, responsible, calendar),
        "repeated": [{"customer": who, "category": what, "complaints": numbers}
                     for (who, what), numbers in sorted(pairs.items()) if len(numbers) > 1],
    }
