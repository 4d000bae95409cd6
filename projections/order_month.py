"""Month-end analysis of the Order Summary, with the assistant's notes (R-O6).

The figures are computed from the summary rows when asked, so they always match the table; the
notes are their own small read model (``OrderMonthNoted``). Months are the company's (its time
zone), as the summary's month column is. Durations are working hours of the company calendar:
PMC's reply from the internal order reaching PMC (``InternalOrderReceived``; the hand-over by
sales if production's receipt is not in yet) to its first promise, and the customer notice from
that first promise to the first time the date was passed to the customer (R-O2).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

from contracts.calendar import WorkingCalendar
from events.envelope import DomainEvent
from events.sales import OrderMonthNoted
from projections.month_notes import MonthNotes
from projections.order_summary import Row


class OrderMonthNotes(MonthNotes):
    """Read model ``order_notes`` (table ``order_month_notes``): every month-end note, in order."""

    name: ClassVar[str] = "order_notes"
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]] = ("order_month_notes",)
    noted: ClassVar[type[DomainEvent]] = OrderMonthNoted


def _average(hours: Sequence[float]) -> float | None:
    return round(sum(hours) / len(hours), 2) if hours else None


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _hours(calendar: WorkingCalendar, pairs: Sequence[tuple[str | None, str | None]]) -> list[float]:
    return [calendar.working_hours_between(datetime.fromisoformat(start), datetime.fromisoformat(end))
            for start, end in pairs if start and end]


def delivery(row: Row) -> str | None:
    """``on_time`` / ``late`` against the latest promise, or None while undecided: an order is
    late once fully shipped after it, or once that promise was recorded missed."""
    if row["delivered_on_time"] is not None:
        return "on_time" if row["delivered_on_time"] else "late"
    if row["promised_at"] and row["promised_at"] in row["promises_missed"]:
        return "late"
    return None


def analyse(month: str, rows: Sequence[Row], calendar: WorkingCalendar) -> dict[str, Any]:
    """R-O6: counts by status and customer, on-time delivery, PMC reply and customer-notice
    times in working hours, exceptions by kind, rework rate, delays and penalties."""
    decided = Counter(d for d in map(delivery, rows) if d)
    # An imported row's hand-over to PMC has no time of its own (the old table kept none): its
    # reply is not timed; its notice is, from the PMC reply both tables keep.
    reply = _hours(calendar, [(r["pmc_received_at"] or r["issued_at"], r["pmc_replied_at"])
                              for r in rows if not r.get("imported")])
    notice = _hours(calendar, [(r["pmc_replied_at"], r["first_told_at"]) for r in rows])
    kinds = Counter(x["kind"] or "?" for r in rows for x in r["exceptions"].values())
    inspected = sum(r["inspected_lots"] for r in rows)
    reworked = sum(r["reworked_lots"] for r in rows)
    delays = [d for r in rows for d in r["delays"]]
    return {
        "month": month,
        "orders": len(rows),
        "by_status": dict(sorted(Counter(r["status"] or "?" for r in rows).items())),
        "by_customer": dict(sorted(Counter(r["customer"] or "?" for r in rows).items())),
        "ordered_qty": sum(r["ordered_qty"] or 0 for r in rows),
        "shipped_qty": sum(r["shipped_qty"] for r in rows),
        "delivery": {"on_time": decided["on_time"], "late": decided["late"],
                     "on_time_rate": _rate(decided["on_time"], decided["on_time"] + decided["late"])},
        "pmc_replies": len(reply),
        "average_pmc_reply_working_hours": _average(reply),
        "customer_notices": len(notice),
        "average_customer_notice_working_hours": _average(notice),
        "exceptions": sum(kinds.values()),
        "exceptions_open": sum(r["exceptions_open"] for r in rows),
        "exceptions_by_kind": dict(sorted(kinds.items())),
        "lots_inspected": inspected,
        "lots_reworked": reworked,
        "rework_rate": _rate(reworked, inspected),
        "delay_notices": len(delays),
        "delay_notices_timely": sum(1 for d in delays if d["timely"]),
        "late": [r["order_no"] for r in rows if delivery(r) == "late" or r["late"]],
        "penalties": [r["order_no"] for r in rows if r["penalties"]],
    }
