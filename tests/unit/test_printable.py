"""The packs as pages to print (R-M1, R-M2, R-S5, R-O5, R-C5): the SVG charts, the page in both
languages, the moved meeting, the figures equal to the pack's data, every stored value as text.
The read models are stood in for by their answers (tests/unit/test_packs.py)."""
from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any

from contracts import subjects as s
from contracts.calendar import WorkingCalendar
from services.reports import charts, pack_data, packs, printable
from services.reports.pack_data import PackData
from services.reports.pack_sections import ExtraSection
from services.reports.workbook import Lang
from tests.unit.test_packs import LATER, Answers, reopened, run, sample

CALENDAR = WorkingCalendar()
EVIL = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"


class Page(HTMLParser):
    """The tags of a page, and its figures table as (label, value) rows."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.figures: list[tuple[str, str]] = []
        self._in_figures = False
        self._cell: list[str] | None = None
        self._row: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "table" and ("class", "figures") in attrs and not self.figures:
            self._in_figures = True
        elif self._in_figures and tag in ("th", "td"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if not self._in_figures:
            return
        if tag in ("th", "td") and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr":
            self.figures.append((self._row[0], self._row[1]))
            self._row = []
        elif tag == "table":
            self._in_figures = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def week_40() -> PackData:
    """2026-W40: Saturday 3 October is National Day, the meeting moves to Wednesday 30 September."""
    ask = Answers(**{
        s.QUERY_SAMPLES: [sample("S-IN", "2026-09-28T01:00:00+00:00"),
                          {**sample("S-EVIL", "2026-09-29T01:00:00+00:00"), "customer": EVIL}],
        s.QUERY_SLA: [run("O-1", "breached", "2026-09-29T02:00:00+00:00", "production"),
                      run("O-2", "met", "2026-09-29T03:00:00+00:00", "production"),
                      run("O-3", "at_risk", "2026-10-09T03:00:00+00:00", "sales"),
                      run("O-4", "met", "2026-09-30T03:00:00+00:00", "<b>QA</b>")]})
    return asyncio.run(pack_data.gather(ask, "weekly", "2026-W40", CALENDAR, LATER))


def test_a_chart_escapes_every_text_and_stays_well_formed_svg() -> None:
    svg = charts.bar_chart(f"t {EVIL}", ["<b>", "09-28"], [(EVIL, [1, 3]), ("&", [0, 2])],
                           empty="none")
    root = ET.fromstring(svg)  # raises if an unescaped < or & broke the markup
    shown = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "<b>" in shown and EVIL in shown and "&" in shown and "<script" not in svg
    assert len(root.findall("{http://www.w3.org/2000/svg}rect")) == 4 + 2  # bars + legend keys


def test_share_bars_draw_each_share_in_proportion_and_label_it_as_a_percentage() -> None:
    svg = charts.share_bars("on time", [("production", 0.5), ("sales", 1.0)], empty="none")
    root = ET.fromstring(svg)
    widths = [float(r.get("width") or 0) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    track, half, _, full = widths
    assert half == track / 2 and full == track
    assert "50.0%" in svg and "100.0%" in svg


def test_a_chart_without_values_says_so_instead_of_drawing_bars() -> None:
    svg = charts.bar_chart("new", ["a", "b"], [("x", [0, 0])], empty="无数据")
    assert "无数据" in svg and "<rect" not in svg
    assert "<rect" not in charts.count_bars("breaches", [], empty="none")


def test_the_value_axis_ends_on_a_round_whole_number() -> None:
    assert charts.nice_top(0) == (4.0, 1.0)
    assert charts.nice_top(3) == (3.0, 1.0)
    assert charts.nice_top(37) == (40.0, 10.0)
    assert charts.nice_top(9) == (10.0, 2.5)


def test_a_stored_value_named_like_markup_is_printed_as_text() -> None:
    """rule: R-M1 (the pack shows what users typed; the page runs nothing)"""
    data = week_40()
    data.extra_sections.append(ExtraSection("Needs <i>", "需求 <i>", [EVIL],
                                            (("need", "Need 需求"),), [{"need": EVIL}]))
    html = printable.page(data, "en")
    assert "<script" not in html and "<b>QA" not in html and "<i>" not in html
    assert html.count(ESCAPED) == 3  # the customer, the extra line, the extra table's cell
    assert "&lt;b&gt;QA&lt;/b&gt;" in html
    assert Page(html).tags <= {"html", "head", "meta", "title", "style", "body", "header", "h1",
                               "h2", "h3", "small", "br", "p", "div", "section", "table", "thead",
                               "tbody", "tr", "th", "td", "svg", "text", "rect", "line"}
    assert f'http-equiv="Content-Security-Policy" content="{charts.text(printable.POLICY)}"' in html


def test_the_page_is_in_chinese_by_default_and_in_english_on_request() -> None:
    """rule: R-M1"""
    data = week_40()
    zh, en = printable.page(data), printable.page(data, "en")
    assert '<html lang="zh-CN">' in zh and "<h1>周销售例会资料 2026-W40 (R-M1)<br>" in zh
    assert "资料截止 2026-09-30 08:30" in zh and "<h2>数据 <small>Figures</small></h2>" in zh
    assert "<th>客户</th>" in zh and "<th>Customer</th>" not in zh
    assert '<html lang="en">' in en and "<h1>Weekly sales meeting pack 2026-W40 (R-M1)<br>" in en
    assert "Pack due 2026-09-30 08:30" in en and "<h2>Figures <small>数据</small></h2>" in en
    assert "<th>Customer</th>" in en


def test_a_moved_meeting_shows_when_it_was_meant_for_when_it_is_held_and_why() -> None:
    """rule: R-M1 (2026-W40: National Day moves Saturday's meeting to Wednesday)"""
    zh, en = printable.page(week_40(), "zh"), printable.page(week_40(), "en")
    assert '<div class="moved">' in zh
    assert "原定 2026-10-03 09:30，改为 2026-09-30 09:30。" in zh and "法定节假日（国庆节）" in zh
    assert "Meant for 2026-10-03 09:30, held 2026-09-30 09:30." in en
    assert "a public holiday (National Day)" in en
    plain = asyncio.run(pack_data.gather(Answers(), "weekly", "2026-W47", CALENDAR, LATER))
    assert '<div class="moved">' not in printable.page(plain, "en")


def test_the_figures_on_the_page_are_the_packs_figures() -> None:
    """rule: R-M1 (the same data as the workbook's cover)"""
    data = week_40()
    for lang in ("zh", "en"):
        lang_: Lang = lang  # type: ignore[assignment]
        found = Page(printable.page(data, lang_)).figures
        assert found == [(f.label(lang_), printable.figure_text(f)) for f in data.figures()]
    en = dict(Page(printable.page(data, "en")).figures)
    assert en["Samples requested"] == "2" and en["SLA breaches"] == "1"
    assert en["SLA on time / production"] == "50.0%" and en["SLA on time / <b>QA</b>"] == "100.0%"
    assert "SLA on time / sales" not in en  # its only clock is due after the week
    sheet = reopened(packs.workbook(data, "en"))[packs.COVER_SHEET]
    cover = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)}
    assert all(cover[f.label("en")] == f.value for f in data.figures())


def test_the_charts_count_new_records_per_day_of_the_week_and_per_week_of_the_month() -> None:
    """rule: R-M1, R-M2"""
    data = week_40()
    assert [b[0] for b in pack_data.buckets(data)] == [f"{d:%m-%d}" for d in (
        date(2026, 9, 28), date(2026, 9, 29), date(2026, 9, 30), date(2026, 10, 1),
        date(2026, 10, 2), date(2026, 10, 3), date(2026, 10, 4))]
    assert pack_data.entries(data)["samples"] == [1, 1, 0, 0, 0, 0, 0]
    month = asyncio.run(pack_data.gather(Answers(**{s.QUERY_SAMPLES: [
        sample("S-1", "2026-09-01T01:00:00+00:00"), sample("S-2", "2026-09-30T01:00:00+00:00")],
        s.QUERY_SAMPLE_MONTH: {"month": "2026-09", "notes": []},
        s.QUERY_ORDER_MONTH: {"month": "2026-09", "notes": []},
        s.QUERY_COMPLAINT_MONTH: {"month": "2026-09", "notes": []}}),
        "monthly", "2026-09", CALENDAR, LATER))
    spans = pack_data.buckets(month)
    assert [(b[0], b[1].day, b[2].day) for b in spans] == [
        ("W36", 1, 6), ("W37", 7, 13), ("W38", 14, 20), ("W39", 21, 27), ("W40", 28, 30)]
    assert pack_data.entries(month)["samples"] == [1, 0, 0, 0, 1]
    assert "新增打样、订单、客诉（按周）" in printable.page(month)


def test_the_daily_page_has_the_three_tables_and_no_meeting() -> None:
    """rule: R-S5, R-O5, R-C5"""
    order = {"order_no": "O-9", "received_at": "2026-11-27T02:00:00+00:00", "customer": "ACME",
             "ordered_qty": 5, "shipped_qty": 0, "status": "received", "exception_count": 0,
             "exceptions_open": 0}
    ask = Answers(**{s.QUERY_ORDERS: [order]})
    now = datetime(2026, 11, 28, tzinfo=UTC)
    data = asyncio.run(pack_data.gather(ask, "daily", "2026-11-27", CALENDAR, now))
    html = printable.page(data, "en")
    assert "<h1>Daily 16:00 report 2026-11-27<br>" in html and 'class="moved"' not in html
    assert "Tables as of 2026-11-27 16:00" in html and "SLA breaches" not in html
    figures = dict(Page(html).figures)
    assert figures["Order Summary rows"] == "1" and figures["Orders received on 2026-11-27"] == "1"
    assert "<td>O-9</td>" in html and "<td>2026-11-27 10:00</td>" in html


def test_an_extra_section_is_written_to_the_workbook_too() -> None:
    """rule: R-M2 (a section a pack adds, e.g. resource needs, shows in both writers)"""
    data = week_40()
    data.extra_sections.append(ExtraSection("Resource needs", "资源需求", ["two more dies"],
                                            (("need", "Need 需求"),), [{"need": "press"}]))
    book = reopened(packs.workbook(data, "zh"))
    column: list[Any] = [c.value for c in book[packs.EXTRA_SHEET]["A"]]
    assert column[:2] == ["资源需求", "two more dies"] and "press" in column
    assert "<h2>资源需求 <small>Resource needs</small></h2>" in printable.page(data)
