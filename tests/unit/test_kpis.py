"""The dashboard's key figures (issue 11) from hand-built rows: records counted in the ISO week
and month they entered (company zone, Asia/Shanghai = UTC+8), across a year end and a month end,
on-time rates of orders and sample makes, complaints per customer and per problem (R-C6), SLA
breaches per department; an empty input, rows without dates, and refused ranges. Every expected
figure below was worked out by hand from the rows."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.reports.kpis import RangeRefused, kpis, months, weeks

ZONE = ZoneInfo("Asia/Shanghai")
FIRST, LAST = date(2025, 12, 22), date(2026, 2, 8)
NOW = datetime(2026, 2, 20, tzinfo=UTC)


def sample(no: str, at: str | None) -> dict[str, Any]:
    return {"request_no": no, "requested_at": at, "customer": "ACME"}


def order(no: str, at: str, on_time: bool | None, promised: str | None = None,
          missed: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"order_no": no, "received_at": at, "delivered_on_time": on_time,
            "promised_at": promised, "promises_missed": list(missed)}


def complaint(no: str, at: str | None, customer: str, category: str | None) -> dict[str, Any]:
    return {"complaint_no": no, "received_at": at, "customer": customer, "category": category}


def run(clock: str, record: str, state: str, due: str, department: str) -> dict[str, Any]:
    return {"clock": clock, "record": record, "run": "1", "state": state, "due": due,
            "department": department}


TABLES = {
    "samples": [
        sample("S-1", "2025-12-28T15:30:00+00:00"),  # 23:30 on Sunday 28 Dec: 2025-W52
        sample("S-2", "2025-12-28T16:30:00+00:00"),  # 00:30 on Monday 29 Dec: 2026-W01, December
        sample("S-3", None),  # no request time: undated
        sample("S-4", "2025-12-21T12:00:00+00:00"),  # 21 Dec, before the range
    ],
    "orders": [
        order("O-1", "2026-01-31T15:50:00+00:00", True),  # 23:50 on 31 Jan: January, W05
        order("O-2", "2026-01-31T16:10:00+00:00", False),  # 00:10 on 1 Feb: February, W05
        order("O-3", "2026-02-02T01:00:00+00:00", None, "2026-02-05T08:00:00+00:00",
              ("2026-02-05T08:00:00+00:00",)),  # its latest promise missed: late, W06
        order("O-4", "2026-01-05T02:00:00+00:00", None),  # undecided, W02
    ],
    "complaints": [
        complaint("C-1", "2026-01-02T03:00:00+00:00", "ACME", "burr"),  # W01
        complaint("C-2", "2026-01-03T03:00:00+00:00", "ACME", None),  # W01, not registered
        complaint("C-3", "2026-02-08T15:59:00+00:00", "Lumen", "burr"),  # 23:59 on 8 Feb: W06
        complaint("C-4", "2026-02-08T16:00:00+00:00", "Lumen", "burr"),  # 9 Feb: after the range
        {"complaint_no": "C-5", "customer": "Lumen"},  # no received_at at all: undated
    ],
}
SLA = [
    run("SLA-SAMPLE-MAKE", "S-1", "met", "2026-01-05T02:00:00+00:00", "production"),
    run("SLA-SAMPLE-MAKE", "S-2", "breached_then_met", "2026-01-06T02:00:00+00:00", "production"),
    run("SLA-SAMPLE-MAKE", "S-2", "running", "2026-01-09T02:00:00+00:00", "production"),
    run("SLA-PMC-REPLY", "O-1", "breached", "2026-01-31T16:30:00+00:00", "production"),  # 1 Feb
    run("SLA-COMPLAINT-INTAKE", "C-1", "met", "2026-01-02T05:00:00+00:00", "sales"),
    run("SLA-DAILY-REPORT", "samples", "breached", "2026-02-09T08:00:00+00:00", "sla"),  # after
    run("SLA-CUSTOMER-DATE", "O-9", "breached", "2025-12-31T08:00:00+00:00", "sales"),  # W01
]


def figures(period: dict[str, Any]) -> tuple[Any, ...]:
    return (period["period"], period["samples"], period["orders"], period["complaints"],
            period["orders_on_time"], period["orders_late"], period["samples_on_time"],
            period["samples_late"], period["sla_breaches"])


def test_records_count_in_the_iso_week_they_entered_across_a_year_end() -> None:
    found = kpis(TABLES, SLA, zone=ZONE, now=NOW, first=FIRST, last=LAST)
    assert [figures(w) for w in found["weeks"]] == [
        ("2025-W52", 1, 0, 0, 0, 0, 1, 0, 0),
        ("2026-W01", 1, 0, 2, 0, 0, 0, 1, 1),
        ("2026-W02", 0, 1, 0, 0, 0, 0, 0, 1),
        ("2026-W03", 0, 0, 0, 0, 0, 0, 0, 0),
        ("2026-W04", 0, 0, 0, 0, 0, 0, 0, 0),
        ("2026-W05", 0, 2, 0, 1, 1, 0, 0, 1),
        ("2026-W06", 0, 1, 1, 0, 1, 0, 0, 0),
    ]
    assert (found["weeks"][1]["first"], found["weeks"][1]["last"]) == ("2025-12-29", "2026-01-04")
    assert found["weeks"][5]["orders_on_time_rate"] == 0.5


def test_records_count_in_the_month_they_entered_in_the_company_zone() -> None:
    found = kpis(TABLES, SLA, zone=ZONE, now=NOW, first=FIRST, last=LAST)
    assert [figures(m) for m in found["months"]] == [
        ("2025-12", 2, 0, 0, 0, 0, 1, 1, 1),
        ("2026-01", 0, 2, 2, 1, 0, 0, 0, 1),
        ("2026-02", 0, 2, 1, 0, 2, 0, 0, 1),
    ]
    assert [(m["first"], m["last"]) for m in found["months"]] == [
        ("2025-12-22", "2025-12-31"), ("2026-01-01", "2026-01-31"), ("2026-02-01", "2026-02-08")]
    assert [m["orders_on_time_rate"] for m in found["months"]] == [None, 1.0, 0.0]
    assert found["months"][0]["samples_on_time_rate"] == 0.5


def test_totals_on_time_rates_and_breaches_per_department() -> None:
    """R-C6: complaints per customer and per problem (category; '?' before registration)."""
    found = kpis(TABLES, SLA, zone=ZONE, now=NOW, first=FIRST, last=LAST)
    assert (found["from"], found["weeks_from"], found["to"]) == (
        "2025-12-22", "2025-12-22", "2026-02-08")
    assert found["totals"] == {
        "samples": 2, "orders": 4, "complaints": 3, "orders_on_time": 1, "orders_late": 2,
        "orders_on_time_rate": 0.333, "samples_on_time": 1, "samples_late": 1,
        "samples_on_time_rate": 0.5, "sla_breaches": 3}
    assert found["complaints_per_customer"] == [{"name": "ACME", "count": 2},
                                                {"name": "Lumen", "count": 1}]
    assert found["complaints_per_problem"] == [{"name": "burr", "count": 2},
                                               {"name": "?", "count": 1}]
    assert found["sla_breaches_per_department"] == [{"name": "production", "count": 2},
                                                    {"name": "sales", "count": 1}]
    assert found["undated"] == {"samples": 1, "orders": 0, "complaints": 1}


def test_by_default_the_last_twelve_weeks_and_months_up_to_today_in_the_company_zone() -> None:
    # 16:30 UTC on 31 January is 00:30 on Sunday 1 February in Shanghai.
    found = kpis({}, [], zone=ZONE, now=datetime(2026, 1, 31, 16, 30, tzinfo=UTC))
    assert found["to"] == "2026-02-01"
    assert [w["period"] for w in found["weeks"]][::11] == ["2025-W46", "2026-W05"]
    assert len(found["weeks"]) == 12 and found["weeks_from"] == "2025-11-10"
    assert [m["period"] for m in found["months"]][::11] == ["2025-03", "2026-02"]
    assert len(found["months"]) == 12 and found["from"] == "2025-03-01"
    assert (found["months"][-1]["first"], found["months"][-1]["last"]) == ("2026-02-01",
                                                                            "2026-02-01")


def test_empty_input_gives_zero_bars_and_no_rates() -> None:
    found = kpis({"samples": [], "orders": [], "complaints": []}, [], zone=ZONE, now=NOW)
    assert all(figures(w)[1:] == (0,) * 8 for w in found["weeks"] + found["months"])
    assert found["totals"]["orders_on_time_rate"] is None
    assert found["totals"]["samples_on_time_rate"] is None
    assert found["complaints_per_customer"] == found["sla_breaches_per_department"] == []
    assert found["undated"] == {"samples": 0, "orders": 0, "complaints": 0}


def test_a_row_without_its_entry_time_is_undated_and_in_no_period() -> None:
    rows = {"orders": [order("O-1", "", True), {"order_no": "O-2"}],
            "samples": [sample("S-1", "not a time")]}
    found = kpis(rows, [], zone=ZONE, now=NOW)
    assert found["undated"] == {"samples": 1, "orders": 2, "complaints": 0}
    assert found["totals"]["orders"] == found["totals"]["samples"] == 0


def test_a_range_backwards_or_too_long_is_refused() -> None:
    with pytest.raises(RangeRefused):
        kpis({}, [], zone=ZONE, now=NOW, first=date(2026, 2, 2), last=date(2026, 2, 1))
    with pytest.raises(RangeRefused):
        kpis({}, [], zone=ZONE, now=NOW, first=date(2020, 1, 1), last=date(2026, 2, 1))


def test_periods_are_cut_to_the_range() -> None:
    assert [(p.label, p.first, p.last) for p in weeks(date(2026, 1, 1), date(2026, 1, 6))] == [
        ("2026-W01", date(2026, 1, 1), date(2026, 1, 4)),
        ("2026-W02", date(2026, 1, 5), date(2026, 1, 6))]
    assert [p.label for p in months(date(2024, 1, 31), date(2024, 3, 1))] == [
        "2024-01", "2024-02", "2024-03"]
    assert months(date(2024, 2, 10), date(2024, 2, 29))[0].last == date(2024, 2, 29)
