"""The dashboard's key figures (issue 11), computed from the rows the read models answer: the
three summary tables and the SLA runs. Pure: no I/O, the moment and the zone are given.

A record counts in the ISO week and the month it entered its table (samples ``requested_at``,
orders and complaints ``received_at``, company time zone), as the packs choose their rows; a row
without that time counts as undated and in no period. On time: an order against its latest
promise, as the month analysis decides it (``order_month.delivery``); a sample make (one run of
SLA-SAMPLE-MAKE per round) met within its working hours, late once breached, counted in the
period its sample was requested. SLA breaches (breached, or breached then met) count per
responsible department on the day they were due.

Default range: the last 12 ISO weeks (from the Monday 11 weeks before this week) for the weekly
figures and the last 12 months (from the 1st, 11 months before this month) for the monthly ones
and the totals, both up to today; a given ``first`` applies to both.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from projections.order_month import delivery
from services.reports.pack_data import BREACHED, ENTERED, local_day

Row = dict[str, Any]
TABLES = ("samples", "orders", "complaints")
PERIODS = 12  # weeks and months shown by default
MAX_DAYS = 1100  # about three years: a wider range is refused (the page draws one bar a week)
SAMPLE_MAKE = "SLA-SAMPLE-MAKE"
UNKNOWN = "?"  # a complaint not registered yet has no category, a run no department


class RangeRefused(ValueError):
    """A range whose first day is after its last, or one longer than ``MAX_DAYS``."""


@dataclass(frozen=True)
class Period:
    """One bar of a chart: an ISO week (``2026-W01``) or a month (``2026-01``), cut to the range."""

    label: str
    first: date
    last: date

    def holds(self, day: date) -> bool:
        return self.first <= day <= self.last


def day_of(row: Row, key: str, zone: tzinfo) -> date | None:
    """The company-zone day of the row's ``key`` time, None if it has none (or not a time)."""
    try:
        return local_day(row.get(key), zone)
    except (TypeError, ValueError):
        return None


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weeks(first: date, last: date) -> list[Period]:
    """The ISO weeks from ``first`` to ``last``, the first and last cut to the range."""
    found, monday = [], first - timedelta(days=first.weekday())
    while monday <= last:
        found.append(Period(week_label(monday), max(monday, first),
                            min(monday + timedelta(days=6), last)))
        monday += timedelta(days=7)
    return found


def _month_start(day: date, back: int = 0) -> date:
    months = day.year * 12 + day.month - 1 - back
    return date(months // 12, months % 12 + 1, 1)


def months(first: date, last: date) -> list[Period]:
    """The months from ``first`` to ``last``, the first and last cut to the range."""
    found, start = [], _month_start(first)
    while start <= last:
        following = _month_start(start + timedelta(days=31))
        found.append(Period(start.strftime("%Y-%m"), max(start, first),
                            min(following - timedelta(days=1), last)))
        start = following
    return found


def default_range(today: date) -> tuple[date, date]:
    """(first day of the weekly figures, first day of the monthly ones) ending ``today``."""
    this_monday = today - timedelta(days=today.weekday())
    return this_monday - timedelta(weeks=PERIODS - 1), _month_start(today, PERIODS - 1)


def _rate(on_time: int, late: int) -> float | None:
    return round(on_time / (on_time + late), 3) if on_time + late else None


def _ranked(counts: Counter[str]) -> list[dict[str, Any]]:
    """Most first, then by name: what a bar chart shows from top to bottom."""
    return [{"name": name, "count": n}
            for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _sample_makes(sla: Iterable[Row]) -> dict[str, Counter[str]]:
    """Per sample (request no.): its makes on time and late (undecided runs left out)."""
    made: dict[str, Counter[str]] = {}
    for run in sla:
        if run.get("clock") != SAMPLE_MAKE:
            continue
        verdict = "on_time" if run["state"] == "met" else "late" if run["state"] in BREACHED \
            else None
        if verdict:
            made.setdefault(str(run["record"]), Counter())[verdict] += 1
    return made


def _bucket(periods: Sequence[Period], dated: Mapping[str, list[tuple[date, Row]]],
            makes: Mapping[str, Counter[str]], breaches: Sequence[tuple[date, Row]],
            ) -> list[dict[str, Any]]:
    shown = []
    for period in periods:
        figures: dict[str, Any] = {"period": period.label, "first": period.first.isoformat(),
                                   "last": period.last.isoformat()}
        held = {name: [row for day, row in dated[name] if period.holds(day)] for name in TABLES}
        figures |= {name: len(held[name]) for name in TABLES}
        figures |= _on_time(held["orders"], held["samples"], makes)
        figures["sla_breaches"] = sum(1 for day, _ in breaches if period.holds(day))
        shown.append(figures)
    return shown


def _on_time(orders: Sequence[Row], samples: Sequence[Row],
             makes: Mapping[str, Counter[str]]) -> dict[str, Any]:
    decided = Counter(d for d in map(delivery, orders) if d)
    made: Counter[str] = Counter()
    for row in samples:
        made.update(makes.get(str(row.get("request_no")), Counter()))
    return {"orders_on_time": decided["on_time"], "orders_late": decided["late"],
            "orders_on_time_rate": _rate(decided["on_time"], decided["late"]),
            "samples_on_time": made["on_time"], "samples_late": made["late"],
            "samples_on_time_rate": _rate(made["on_time"], made["late"])}


def kpis(tables: Mapping[str, Sequence[Row]], sla: Sequence[Row], *, zone: tzinfo,
         now: datetime, first: date | None = None, last: date | None = None) -> dict[str, Any]:
    """The figures of the KPI page from the three tables' rows and the SLA runs, as they stand
    at ``now`` (the as-of moment, or the present), for ``first`` to ``last`` (company days)."""
    last = last or now.astimezone(zone).date()
    weeks_from, months_from = (first, first) if first else default_range(last)
    if months_from > last:
        raise RangeRefused(f"the range starts {months_from} after it ends {last}")
    if (last - months_from).days >= MAX_DAYS:
        raise RangeRefused(f"the range is longer than {MAX_DAYS} days")
    dated: dict[str, list[tuple[date, Row]]] = {name: [] for name in TABLES}
    undated = Counter[str]()
    for name in TABLES:
        for row in tables.get(name, ()):
            day = day_of(row, ENTERED[name], zone)
            if day is None:
                undated[name] += 1
            elif months_from <= day <= last:
                dated[name].append((day, row))
    makes = _sample_makes(sla)
    breaches = [(day, run) for run in sla if run.get("state") in BREACHED
                and (day := day_of(run, "due", zone)) and months_from <= day <= last]
    complaints = [row for _, row in dated["complaints"]]
    return {
        "zone": str(zone),
        "from": months_from.isoformat(), "weeks_from": weeks_from.isoformat(),
        "to": last.isoformat(),
        "totals": {name: len(dated[name]) for name in TABLES}
        | _on_time([r for _, r in dated["orders"]], [r for _, r in dated["samples"]], makes)
        | {"sla_breaches": len(breaches)},
        "weeks": _bucket(weeks(weeks_from, last), dated, makes, breaches),
        "months": _bucket(months(months_from, last), dated, makes, breaches),
        "complaints_per_customer": _ranked(Counter(str(r.get("customer") or UNKNOWN)
                                                   for r in complaints)),
        "complaints_per_problem": _ranked(Counter(str(r.get("category") or UNKNOWN)
                                                  for r in complaints)),
        "sla_breaches_per_department": _ranked(Counter(str(run.get("department") or UNKNOWN)
                                                       for _, run in breaches)),
        "undated": {name: undated[name] for name in TABLES},
    }
