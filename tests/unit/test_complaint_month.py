"""The month-end analysis of the Complaint Summary per customer and per problem (R-C6), checked
against figures computed by hand from a generated month of complaints, with technical support's
notes."""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.calendar import WorkingCalendar
from contracts.subjects import QUERY_COMPLAINT_MONTH
from events.envelope import DomainEvent
from projections import complaint_month
from projections.projector import Projector
from projections.store import ViewStore
from services.cli import complaints, main
from services.cli.complaints import month_report
from services.runtime.settings import Settings
from tests.complaint_events import complaint_note, complaint_path
from tests.order_events import order_note
from tests.projection_events import by_stream

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar(use_chinese_holidays=False)  # Mon-Sat 08-12, 13-17 in Shanghai
CUSTOMERS = ("ACME", "Bolt", "Cora", "Dyna", "Eko", "Fuji")
CATEGORIES = ("burr", "dimension", "adhesion", "dirt", "packing")
SEVERITIES = ("minor", "needs_data", "complex")
DEPARTMENTS = ("production", "quality", "engineering")
OPEN_AT = ("forwarded", "registered", "judged", "replied", "satisfied")


@dataclass(frozen=True)
class Spec:
    """One generated complaint, and what it should count as."""

    no: str
    customer: str
    category: str
    severity: str
    responsible: str
    received: datetime
    until: str  # "closed", or the step it is still at
    hours: float | None  # working hours from intake to closing, by construction
    reopened: int

    @property
    def closed(self) -> bool:
        return self.until == "closed"

    # What the table knows at the step reached: nothing is categorised before registration,
    # judged before judgement.
    @property
    def shown_category(self) -> str:
        return "?" if self.until == "forwarded" else self.category

    @property
    def shown_severity(self) -> str:
        return "?" if self.until in ("forwarded", "registered") else self.severity

    @property
    def shown_responsible(self) -> str:
        if self.until in ("forwarded", "registered"):
            return "?"
        return "sales" if self.severity == "minor" else self.responsible


def working_days_after(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (Monday to Saturday; no holidays here)."""
    while count:
        day += timedelta(days=1)
        count -= day.weekday() != 6
    return day


def generate(seed: int = 8, n: int = 40) -> list[Spec]:
    """``n`` November complaints from a seeded random: received at 08:00 or 09:00 on a working
    day; closed the same morning 1 or 2 hours later (1 or 2 working hours), or 1 to 3 working
    days later at the same time (8 working hours a day), or still open at some step."""
    rng = random.Random(seed)
    days = [date(2026, 11, d) for d in range(2, 29) if date(2026, 11, d).weekday() != 6]
    specs = []
    for k in range(n):
        day, hour = rng.choice(days), rng.choice((8, 9))
        received = datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)
        way = rng.choice(("same_day", "days", "open"))
        hours: float | None = None
        until = "closed"
        if way == "same_day":
            hours = float(rng.choice((1, 2)))
        elif way == "days":
            later = rng.choice((1, 2, 3))
            hours = 8.0 * later
        else:
            until = rng.choice(OPEN_AT)
        specs.append(Spec(no=f"C-{k:02}", customer=rng.choice(CUSTOMERS),
                          category=rng.choice(CATEGORIES), severity=rng.choice(SEVERITIES),
                          responsible=rng.choice(DEPARTMENTS), received=received, until=until,
                          hours=hours, reopened=int(until == "closed" and rng.random() < 0.2)))
    return specs


def closing(spec: Spec) -> datetime | None:
    if spec.hours is None:
        return None
    if spec.hours < 8:
        return spec.received + timedelta(hours=spec.hours)
    day = working_days_after(spec.received.date(), int(spec.hours // 8))
    return spec.received.replace(year=day.year, month=day.month, day=day.day)


def events_of(specs: list[Spec]) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    for k, s in enumerate(specs):
        path = complaint_path(s.no, customer=s.customer, category=s.category, severity=s.severity,
                              responsible=s.responsible, start=s.received, until=s.until,
                              closed_at=closing(s), reopened=s.reopened,
                              redirected_from=DEPARTMENTS[k % 3] if k % 7 == 0 else None)
        events += [e for stream in path.values() for e in stream]
    return events


def outside() -> list[DomainEvent]:
    """Complaints of October and December, one at 07:30 on 1 December in Shanghai (still 30
    November in UTC): none is November's."""
    starts = [datetime(2026, 10, 31, 16, tzinfo=SHANGHAI), datetime(2026, 12, 1, 7, 30, tzinfo=SHANGHAI),
              datetime(2026, 12, 3, 9, tzinfo=SHANGHAI)]
    return [e for n, start in enumerate(starts)
            for stream in complaint_path(f"X-{n}", customer="ACME", start=start).values()
            for e in stream]


def expected(specs: list[Spec]) -> dict[str, Any]:
    """The figures of R-C6, counted the plainest way from the specs."""
    def figures(group: list[Spec]) -> dict[str, Any]:
        hours = [s.hours for s in group if s.hours is not None]
        severities: dict[str, int] = {}
        for s in group:
            severities[s.shown_severity] = severities.get(s.shown_severity, 0) + 1
        pairs: dict[tuple[str, str], int] = {}
        for s in group:
            key = (s.customer, s.shown_category)
            pairs[key] = pairs.get(key, 0) + 1
        return {"complaints": len(group), "open": len([s for s in group if not s.closed]),
                "closed": len([s for s in group if s.closed]),
                "by_severity": dict(sorted(severities.items())),
                "average_working_hours_to_close": round(sum(hours) / len(hours), 2) if hours else None,
                "repeats": sum(count - 1 for count in pairs.values())}

    def per(key: Any) -> dict[str, Any]:
        return {name: figures([s for s in specs if key(s) == name])
                for name in sorted({key(s) for s in specs})}

    repeated = []
    for customer in sorted(CUSTOMERS):
        for category in sorted({s.shown_category for s in specs}):
            same = sorted((s for s in specs if (s.customer, s.shown_category) == (customer, category)),
                          key=lambda s: s.received)
            if len(same) > 1:
                repeated.append({"customer": customer, "category": category,
                                 "complaints": [s.no for s in same]})
    return {**figures(specs),
            "by_status": dict(sorted(Counter(s.until for s in specs).items())),
            "reopened": len([s for s in specs if s.reopened]),
            "per_customer": per(lambda s: s.customer),
            "per_category": per(lambda s: s.shown_category),
            "by_responsible": per(lambda s: s.shown_responsible),
            "repeated": repeated}


def loaded(store: ViewStore, events: list[DomainEvent]) -> Projector:
    projector = Projector(store, zone=SHANGHAI)
    for items in by_stream(events).values():
        for start in range(0, len(items), 200):
            projector.apply(items[start:start + 200])
    return projector


def analysis(projector: Projector, store: ViewStore, month: str = "2026-11") -> dict[str, Any]:
    """As the complaint-month query answers it."""
    rows = projector.models.complaints.rows(store, month=month)
    return {**complaint_month.analyse(month, rows, CALENDAR),
            "notes": projector.models.complaint_notes.notes(store, month)}


def test_the_month_analysis_matches_counts_computed_by_hand(store: ViewStore) -> None:
    """rule: R-C6 — per customer and per problem category: counts, severity mix, open vs closed,
    average working hours to close and repeats of the same problem for the same customer; by
    responsible department; checked against a generated month of 40 complaints."""
    specs = generate()
    assert len({s.customer for s in specs}) == 6 and len({s.category for s in specs}) == 5
    assert {s.until for s in specs} >= {"closed", *OPEN_AT} and any(s.reopened for s in specs)
    events = events_of(specs) + outside()
    report = analysis(loaded(store, events), store)
    hand = expected(specs)
    assert report["repeats"] > 0 and report["repeated"]  # the seed makes some repeats
    for key, value in hand.items():
        assert report[key] == value, key
    assert report["complaints"] == 40 and report["month"] == "2026-11"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_other_generated_months_match_too(seed: int, store: ViewStore) -> None:
    """rule: R-C6"""
    specs = generate(seed, n=30)
    report = analysis(loaded(store, events_of(specs)), store)
    hand = expected(specs)
    assert {key: report[key] for key in hand} == hand


def test_working_hours_to_close_follow_the_company_calendar(store: ViewStore) -> None:
    """rule: R-C6 — a holiday between intake and closing takes its 8 hours out."""
    received = datetime(2026, 11, 3, 9, tzinfo=SHANGHAI)  # Tuesday
    events = [e for s in complaint_path("C-1", start=received,
                                        closed_at=received + timedelta(days=2)).values() for e in s]
    rows = loaded(store, events).models.complaints.rows(store, month="2026-11")
    assert complaint_month.analyse("2026-11", rows, CALENDAR)["average_working_hours_to_close"] == 16.0
    holiday = WorkingCalendar(use_chinese_holidays=False,
                              extra_holidays=frozenset({date(2026, 11, 4)}))
    assert complaint_month.analyse("2026-11", rows, holiday)["average_working_hours_to_close"] == 8.0


def test_technical_supports_notes_are_kept_under_the_month_apart_from_the_orders(
        store: ViewStore) -> None:
    """rule: R-C6 — technical support's notes under the month's analysis."""
    events = (events_of(generate(n=3)) + complaint_note("2026-11", "burrs: die 7 worn",
                                                          "packing: new cartons") + order_note("2026-11", "x"))
    projector = loaded(store, events)
    report = analysis(projector, store)
    assert [(n["noted_by"], n["text"]) for n in report["notes"]] == [
        ("tina", "burrs: die 7 worn"), ("tina", "packing: new cartons")]
    assert analysis(projector, store, "2026-12")["notes"] == []
    assert [n["text"] for n in projector.models.order_notes.notes(store, "2026-11")] == ["x"]


def test_an_empty_month_has_no_averages(store: ViewStore) -> None:
    """rule: R-C6"""
    report = analysis(loaded(store, events_of(generate(n=3))), store, "2027-01")
    assert (report["complaints"], report["repeats"], report["per_customer"]) == (0, 0, {})
    assert report["average_working_hours_to_close"] is None
    text = month_report(report)
    assert "(none yet / 暂无)" in text and "repeated 重复投诉: none 无" in text


async def test_salesflow_complaint_month_prints_the_report_with_stored_escapes_visible(
        store: ViewStore, capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-C6 — `salesflow complaint-month 2026-11`, in English and Chinese."""
    events = [e for no, kw in [("C-1", {}), ("C-2", {"severity": "minor"}),
                               ("C-3", {"customer": "Bolt", "until": "replied"})]
              for s in complaint_path(no, **kw).values() for e in s]  # type: ignore[arg-type]
    report = analysis(loaded(store, events + complaint_note("2026-11", "die 7")), store)
    report["notes"][0]["text"] = "first\nsecond \x1b]0;t\x07"

    class Answering:
        async def query(self, subject: str, payload: Any = None, timeout: float = 10.0) -> Any:
            assert (subject, payload) == (QUERY_COMPLAINT_MONTH, {"month": "2026-11"})
            return report

    args = main.parser().parse_args(["complaint-month", "2026-11"])
    assert await complaints.run(args, Settings(), Answering()) == 0  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert out.startswith("Complaint month 2026-11 / 2026-11 客诉月度分析")
    assert "complaints 客诉数: 3 (open 未结案 1, closed 已结案 2, reopened 重开 0)" in out
    assert "    ACME: 2 (open 未结 0, closed 已结 2); severity 严重度 complex 1, minor 1" in out
    assert "to close 结案 13.0 h; repeats 重复 1" in out  # Tuesday 09:00 to Wednesday 15:00
    assert "    sales: 1 " in out and "    quality: 2 " in out
    assert "repeated 重复投诉: ACME / burr: C-1, C-2" in out
    assert "first\nsecond \\x1b]0;t\\x07" in out and "\x1b" not in out
