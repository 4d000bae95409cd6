"""The KPI and month tabs (issue 11): the charts' figures equal ``GET /kpis`` and follow a command
without a reload, in both languages; the month view shows the month analyses' figures; composite
cells (an order's exceptions, a sample's trials) read as text, never as JSON; a phone fits."""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.browser.conftest import CUSTOMER, Commands, signed_in_page
from tests.integration.live_gateway import Live

TABLES = ("samples", "orders", "complaints")


def request_sample(commands: Commands, no: str) -> None:
    commands.send("sales", "request_sample", "sales_assistant", request_no=no, customer=CUSTOMER,
                  product="foam pad 泡棉垫", part_no=f"P-{no}", salesperson="bob",
                  materials={"drawings": True})


def complaint(commands: Commands, no: str, category: str) -> None:
    """R-C1, R-C2: taken in by sales, forwarded, registered by technical support."""
    commands.send("sales", "receive_complaint", "salesperson", complaint_no=no, channel="phone",
                  customer=CUSTOMER, summary="burrs 毛刺", salesperson="bob")
    commands.send("sales", "forward_complaint", "salesperson", complaint_no=no, to="tina")
    commands.send("sales", "register_complaint", "technical_support", complaint_no=no,
                  customer=CUSTOMER, salesperson="bob", product_model="G-7",
                  problem="burrs 毛刺", category=category)


def eventually(check: Callable[[], Any], what: str, seconds: float = 10) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.1)


def bars(page: Any, chart: str) -> dict[str, float]:
    """A chart's bars as the page drew them: key → value (data-value)."""
    return page.evaluate(  # type: ignore[no-any-return]
        "(c) => Object.fromEntries([...document.querySelectorAll(`[data-chart='${c}'] rect.bar`)]"
        ".map((r) => [r.dataset.key, Number(r.dataset.value)]))", chart)


def charted(kpis: dict[str, Any]) -> dict[str, dict[str, float]]:
    """What the charts should show, from the /kpis answer."""
    shown = {f"{t}-{p}": {x["period"]: x[t] for x in kpis[f"{p}s"]}
             for t in TABLES for p in ("week", "month")}
    shown["per-problem"] = {c["name"]: c["count"] for c in kpis["complaints_per_problem"]}
    shown["per-customer"] = {c["name"]: c["count"] for c in kpis["complaints_per_customer"]}
    shown["breaches"] = {c["name"]: c["count"] for c in kpis["sla_breaches_per_department"]}
    for t in ("orders", "samples"):
        shown[f"{t}-on-time-month"] = {m["period"]: m[f"{t}_on_time_rate"] or 0
                                       for m in kpis["months"]}
    shown["on-time"] = {t: kpis["totals"][f"{t}_on_time_rate"] or 0 for t in ("orders", "samples")}
    return shown


def matches(page: Any, commands: Commands) -> dict[str, Any] | None:
    kpis: dict[str, Any] = commands.http.get("/kpis").json()
    expected = charted(kpis)
    return kpis if all(bars(page, c) == v for c, v in expected.items()) else None


def test_the_kpi_tab_charts_equal_the_kpis_and_follow_a_command_live(
        browser: Any, live: Live, commands: Commands, artefacts: Path) -> None:
    request_sample(commands, "B-KPI-1")
    complaint(commands, "B-KPI-K1", "burr")
    page = signed_in_page(browser, live)
    page.click("[data-tab=kpis]")
    page.wait_for_selector("[data-chart=samples-week] rect.bar", state="attached")
    kpis = eventually(lambda: matches(page, commands), "the charts to equal /kpis")
    week = kpis["weeks"][-1]
    title = page.text_content(f"[data-chart=samples-week] rect[data-key='{week['period']}'] title")
    assert title == f"{week['period']} ({week['first']} – {week['last']}): {week['samples']}"
    assert page.inner_text("[data-chart=samples-week] figcaption") == "每周新增打样"
    assert "burr" in page.text_content("[data-chart=per-problem] svg")
    page.evaluate("window.notReloaded = true")
    request_sample(commands, "B-KPI-2")
    eventually(  # the live notice redraws the chart: no reload
        lambda: bars(page, "samples-week")[week["period"]] == week["samples"] + 1,
        "the new sample in this week's bar", 5)
    assert page.evaluate("window.notReloaded") is True
    eventually(lambda: matches(page, commands), "the charts to equal /kpis after the command")
    page.screenshot(path=str(artefacts / "kpis.png"), full_page=True)
    page.click("#lang")
    assert page.inner_text("[data-chart=samples-week] figcaption") == "Samples requested per week"
    assert page.text_content("[data-chart=samples-week] text.axis-label >> nth=0") == "week"
    assert page.inner_text("[data-tab=kpis]") == "KPIs"
    page.click("#lang")
    assert page.inner_text("[data-chart=orders-month] figcaption") == "每月新接订单"
    page.fill("#kpi-from", (date.today() - timedelta(days=1)).isoformat())
    page.dispatch_event("#kpi-from", "change")
    eventually(lambda: 0 < len(bars(page, "samples-month")) <= 2, "the months of the chosen range")
    page.context.close()


def test_the_month_view_shows_the_month_analyses(
        browser: Any, live: Live, commands: Commands, artefacts: Path) -> None:
    complaint(commands, "B-MON-K1", "dent")
    request_sample(commands, "B-MON-1")
    page = signed_in_page(browser, live)
    page.click("[data-tab=months]")
    page.wait_for_selector("[data-table=complaints] tr[data-figure=complaints]")
    month = page.input_value("#month-pick")

    def same() -> bool:
        answers = {t: commands.http.get(f"/months/{t}/{month}").json() for t in TABLES}
        shown = {t: page.inner_text(f"[data-table={t}] tr[data-figure={t}] td.value")
                 for t in TABLES}
        per_problem = {k: v["complaints"] for k, v in answers["complaints"]["per_category"].items()}
        return (shown == {t: str(answers[t][t]) for t in TABLES}
                and bars(page, "month-complaints") == per_problem and "dent" in per_problem)
    eventually(same, "the month view to equal the month analyses")
    assert "打样月度分析" in page.inner_text("[data-table=samples] h3")
    page.screenshot(path=str(artefacts / "months.png"), full_page=True)
    page.click("#lang")
    assert "Month-end order analysis" in page.inner_text("[data-table=orders] h3")
    assert page.inner_text("[data-table=samples] tr[data-figure=samples] td >> nth=0") == "Samples"
    page.click("#lang")
    page.context.close()


def test_composite_cells_read_as_text(browser: Any, live: Live, commands: Commands) -> None:
    commands.send("sales", "receive_order", "salesperson", order_no="B-ORD-1", po_no="PO-1",
                  customer=CUSTOMER, salesperson="bob", assistant="amy",
                  lines=[{"product": "gasket", "part_no": "P-1", "quantity": 500}],
                  requested_date=(date.today() + timedelta(days=20)).isoformat())
    commands.send("sales", "report_order_exception", "sales_assistant", order_no="B-ORD-1",
                  exception_no="E-1", kind="machine_breakdown", description="die cutter down")
    page = signed_in_page(browser, live)
    page.click("[data-tab=orders]")
    row = "tr[data-record='B-ORD-1']"
    page.wait_for_selector(f"{row} td:has-text('machine_breakdown')")
    index = page.evaluate("[...document.querySelectorAll('#table th')]"
                          ".findIndex((th) => th.dataset.key === 'exceptions')")
    assert page.inner_text(f"{row} td >> nth={index}").startswith("1")
    for tab in ("orders", "samples", "complaints", "sla"):
        page.click(f"[data-tab={tab}]")
        page.wait_for_selector("#table tbody tr")
        text = page.inner_text("#table tbody")
        assert "[object" not in text and "{" not in text and "}" not in text, (tab, text)
    page.context.close()


def test_the_kpi_tab_fits_a_phone(browser: Any, live: Live, artefacts: Path) -> None:
    page = signed_in_page(browser, live, viewport={"width": 390, "height": 800}, is_mobile=True)
    page.click("[data-tab=kpis]")
    page.wait_for_selector("[data-chart=breaches]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    page.screenshot(path=str(artefacts / "kpis-phone.png"), full_page=True)
    page.context.close()
