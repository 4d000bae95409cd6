"""The month-end analysis of the Order Summary (R-O6): figures computed from the month's rows,
durations in working hours of the company calendar, and the assistant's notes."""
from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.calendar import WorkingCalendar
from contracts.subjects import QUERY_ORDER_MONTH
from projections import order_month
from projections.projector import Projector
from projections.store import ViewStore
from services.cli import main, orders
from services.cli.orders import month_report
from services.runtime.settings import Settings
from tests.order_events import order_note, order_path
from tests.projection_events import by_stream, month_note

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar(use_chinese_holidays=False)  # Mon-Sat 08-12, 13-17 in Shanghai
MONDAY_16 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # Monday 16:00 in Shanghai


def month_of_orders(store: ViewStore) -> Projector:
    """Three November orders and one of December:
    A: PMC replies 10:00 -> 12:30 (2.0 h), customer told at 14:00 (1.0 h after the lunch break),
       shipped before its promise, one of two lots reworked, an exception still open;
    B: PMC replies Monday 17:00 -> Tuesday 09:00 (1.0 h), told at 14:00 (4.0 h), shipped after
       its promise, its exception delivered to everyone;
    C: a timely delay, then the new promise missed (penalty), nothing made yet (1.0 h, 1.0 h)."""
    events = [e for no, kw in [
        ("O-A", {"replied": 3.5, "told": 5, "promised": 200}),
        ("O-B", {"start": MONDAY_16, "replied": 17, "told": 22, "lots": [("L1", 1000, 0)],
                 "shipments": [("L1",)], "exception_closed": True}),
        ("O-C", {"customer": "Bolt", "lots": [], "shipments": [], "ordered": 500,
                 "delayed": True, "missed": True}),
        ("O-D", {"start": datetime(2026, 12, 1, 1, tzinfo=UTC)}),
    ] for stream in order_path(no, **kw).values() for e in stream]  # type: ignore[arg-type]
    events += order_note("2026-11", "rework down; chase PMC replies") + month_note("2026-11", "x")
    projector = Projector(store, zone=SHANGHAI)
    for items in by_stream(events).values():
        projector.apply(items)
    return projector


def analysis(projector: Projector, store: ViewStore, month: str = "2026-11",
             calendar: WorkingCalendar = CALENDAR) -> dict[str, Any]:
    """As the order-month query answers it."""
    rows = projector.models.orders.rows(store, month=month)
    return {**order_month.analyse(month, rows, calendar),
            "notes": projector.models.order_notes.notes(store, month)}


def test_the_month_analysis_counts_orders_delivery_times_exceptions_and_rework(
        store: ViewStore) -> None:
    """rule: R-O6 — counts by status and customer, on-time delivery against the latest promise,
    PMC reply and customer-notice averages in working hours, exceptions by kind, rework rate."""
    report = analysis(month_of_orders(store), store)
    assert report["orders"] == 3
    assert report["by_status"] == {"customer_notified": 1, "shipped": 2}
    assert report["by_customer"] == {"ACME": 2, "Bolt": 1}
    assert (report["ordered_qty"], report["shipped_qty"]) == (2500, 2000)
    assert report["delivery"] == {"on_time": 1, "late": 2, "on_time_rate": 0.333}
    assert (report["pmc_replies"], report["average_pmc_reply_working_hours"]) == (3, 1.33)
    assert (report["customer_notices"], report["average_customer_notice_working_hours"]) == (3, 2.0)
    assert report["exceptions_by_kind"] == {"delay": 1, "material_shortage": 3}
    assert (report["exceptions"], report["exceptions_open"]) == (4, 3)
    assert (report["lots_inspected"], report["lots_reworked"], report["rework_rate"]) == (3, 1, 0.333)
    assert (report["delay_notices"], report["delay_notices_timely"]) == (1, 1)
    assert report["late"] == ["O-B", "O-C"] and report["penalties"] == ["O-C"]


def test_working_hours_follow_the_company_calendar(store: ViewStore) -> None:
    """rule: R-O6 — a holiday on the Tuesday leaves B's overnight reply and notice no working
    time, and the averages change with it."""
    projector = month_of_orders(store)
    holiday = WorkingCalendar(use_chinese_holidays=False, extra_holidays=frozenset({date(2026, 11, 3)}))
    rows = projector.models.orders.rows(store, month="2026-11")
    only_b = [r for r in rows if r["order_no"] == "O-B"]
    assert order_month.analyse("2026-11", only_b, CALENDAR)["average_pmc_reply_working_hours"] == 1.0
    report = order_month.analyse("2026-11", only_b, holiday)
    assert (report["average_pmc_reply_working_hours"],
            report["average_customer_notice_working_hours"]) == (0.0, 0.0)


def test_the_assistants_notes_are_kept_under_the_month_apart_from_the_samples(
        store: ViewStore) -> None:
    """rule: R-O6 — the month-end summary is written under the month's Order Summary."""
    projector = month_of_orders(store)
    report = analysis(projector, store)
    assert [(n["noted_by"], n["text"]) for n in report["notes"]] == [
        ("amy", "rework down; chase PMC replies")]
    assert analysis(projector, store, "2026-12")["notes"] == []
    assert [n["text"] for n in projector.models.month_notes.notes(store, "2026-11")] == ["x"]


def test_an_empty_month_has_no_rates(store: ViewStore) -> None:
    """rule: R-O6"""
    report = analysis(month_of_orders(store), store, "2027-01")
    assert report["orders"] == 0 and report["delivery"]["on_time_rate"] is None
    assert report["average_pmc_reply_working_hours"] is None and report["rework_rate"] is None
    assert "(none yet / 暂无)" in month_report(report)


def test_the_month_report_prints_in_english_and_chinese(store: ViewStore) -> None:
    """rule: R-O6"""
    text = month_report(analysis(month_of_orders(store), store))
    assert "on-time rate 准时率 33%" in text and "average 平均 1.3 h over 3" in text
    assert "rework rate 返工率 33%" in text and "penalty requests 处罚申请: O-C" in text
    assert "amy: rework down; chase PMC replies" in text


def test_a_row_is_late_once_its_latest_promise_is_recorded_missed() -> None:
    """rule: R-O6 — undecided until shipped in full or the promise is missed."""
    row = {"delivered_on_time": None, "promised_at": "2026-11-05T01:00:00+00:00",
           "promises_missed": []}
    assert order_month.delivery(row) is None
    assert order_month.delivery({**row, "promises_missed": [row["promised_at"]]}) == "late"
    earlier = datetime(2026, 11, 4, 1, tzinfo=UTC).isoformat()  # a promise since replaced
    assert order_month.delivery({**row, "promises_missed": [earlier]}) is None


async def test_salesflow_order_month_prints_the_report_with_stored_escapes_visible(
        store: ViewStore, capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-O6 — `salesflow order-month 2026-11`."""
    report = analysis(month_of_orders(store), store)
    report["notes"][0]["text"] = "first\nsecond \x1b]0;t\x07"

    class Answering:
        async def query(self, subject: str, payload: Any = None, timeout: float = 10.0) -> Any:
            assert (subject, payload) == (QUERY_ORDER_MONTH, {"month": "2026-11"})
            return report

    args = main.parser().parse_args(["order-month", "2026-11"])
    assert await orders.run(args, Settings(), Answering()) == 0  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert out.startswith("Order month 2026-11 / 2026-11 订单月度分析")
    assert "first\nsecond \\x1b]0;t\\x07" in out and "\x1b" not in out
