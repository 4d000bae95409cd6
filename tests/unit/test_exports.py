"""The summary tables as Excel workbooks: the CLI's columns in Chinese or English, one row per
record, times as local date-times, and a month's analysis and notes under the table (R-S8, R-O6,
R-C6). The read models are stood in for by their answers."""
from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from contracts import subjects as s
from services.cli.complaints import COMPLAINT_COLUMNS
from services.cli.orders import ORDER_COLUMNS
from services.cli.tables import SAMPLE_COLUMNS
from services.reports import exports
from services.reports.workbook import to_bytes

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
SAMPLES = [
    {"request_no": "S-1", "requested_at": "2026-11-02T01:30:00+00:00", "customer": "Huaxin 华信",
     "salesperson": "bob", "die_difficulty": "normal", "status": "returned", "status_zh": "已退回",
     "sla_flags": [{"clock": "SLA-SAMPLE-MAKE", "state_zh": "已超时"}], "round": 1},
    {"request_no": "S-2", "requested_at": "2026-11-03T02:00:00+00:00",
     "customer": "=HYPERLINK(\"http://x\")", "status": "requested", "round": 1},
]
SAMPLE_MONTH = {"month": "2026-11", "samples": 2, "by_status": {"returned": 1, "requested": 1},
                "by_customer": {"Huaxin 华信": 1}, "trials": {"ok": 1, "ng": 0, "ok_rate": 1.0},
                "made": 1, "average_working_hours_to_make": 20.5, "late": ["S-1"], "penalties": [],
                "notes": [{"noted_at": "2026-11-30T09:00:00+00:00", "noted_by": "amy",
                           "text": "one late die 一个刀模延误"}]}


class Answers:
    """The projections' answers by subject, and the queries asked."""

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers, self.asked = answers, []  # type: ignore[var-annotated]

    async def __call__(self, subject: str, query: dict[str, Any]) -> Any:
        self.asked.append((subject, query))
        return self.answers[subject]


def opened(book: Any) -> Worksheet:
    loaded = openpyxl.load_workbook(io.BytesIO(to_bytes(book)))
    assert loaded.sheetnames == [exports.SUMMARY_SHEET]
    return loaded[exports.SUMMARY_SHEET]


def header_row(ws: Worksheet) -> int:
    """The row of the table's header, the one frozen above the records."""
    return int(str(ws.freeze_panes)[1:]) - 1


def values(ws: Worksheet, row: int) -> list[Any]:
    return [c.value for c in ws[row] if c.value is not None]


@pytest.mark.parametrize(("name", "columns"), [("samples", SAMPLE_COLUMNS),
                                               ("orders", ORDER_COLUMNS),
                                               ("complaints", COMPLAINT_COLUMNS)])
async def test_each_table_has_the_cli_columns_with_chinese_headers_by_default_and_english_on_request(
        name: str, columns: tuple[tuple[str, str], ...]) -> None:
    table = exports.TABLES[name]
    ask = Answers({table.subject: []})
    chinese = opened(await exports.export(ask, name, zone=ZONE, now=NOW))
    assert values(chinese, header_row(chinese)) == [label.rpartition(" ")[2] for _, label in columns]
    assert chinese["A1"].value.startswith(table.title_zh)
    english = opened(await exports.export(ask, name, zone=ZONE, now=NOW, lang="en"))
    assert values(english, header_row(english)) == [label.rpartition(" ")[0] for _, label in columns]
    assert english["A1"].value.startswith(table.title_en)


async def test_one_row_per_record_with_times_in_the_company_zone_and_formulas_kept_as_text() -> None:
    ask = Answers({s.QUERY_SAMPLES: SAMPLES})
    ws = opened(await exports.export(ask, "samples", zone=ZONE, now=NOW))
    head = header_row(ws)
    first, second = values(ws, head + 1), [c.value for c in ws[head + 2]]
    assert first[:3] == ["S-1", datetime(2026, 11, 2, 9, 30), "Huaxin 华信"]
    assert "sample-make 已超时" in first and "returned 已退回" in first
    assert second[2] == "=HYPERLINK(\"http://x\")" and ws.cell(head + 2, 3).data_type == "s"
    assert ws.cell(head + 3, 1).value is None
    assert "共 2 条" in [c.value for c in ws["A"]]
    assert ask.asked == [(s.QUERY_SAMPLES, {})]


async def test_a_month_brings_its_analysis_figures_and_notes_under_the_table() -> None:
    """rule: R-S8"""
    ask = Answers({s.QUERY_SAMPLES: SAMPLES, s.QUERY_SAMPLE_MONTH: SAMPLE_MONTH})
    as_of = datetime(2026, 11, 30, 16, tzinfo=ZONE)
    ws = opened(await exports.export(ask, "samples", zone=ZONE, now=NOW, month="2026-11",
                                     as_of=as_of))
    assert ask.asked == [(s.QUERY_SAMPLES, {"month": "2026-11", "as_of": as_of.isoformat()}),
                         (s.QUERY_SAMPLE_MONTH, {"month": "2026-11"})]
    column_a = [c.value for c in ws["A"]]
    assert "截至 2026-11-30 16:00" in column_a
    analysis = column_a.index("2026-11 月度分析") + 1
    assert analysis > header_row(ws) + len(SAMPLES)
    figures = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(analysis + 1, ws.max_row + 1)}
    assert figures["打样数"] == 2 and figures["完成打样"] == 1
    assert figures["平均打样工时"] == 20.5 and figures["试用 / 合格率"] == 1.0
    assert figures["按状态 / returned"] == 1 and figures["逾期"] == "S-1"
    assert figures["处罚申请"] == "无"
    notes = column_a.index("月度总结") + 1  # a row number counts from 1
    assert [c.value for c in ws[notes + 1]][:3] == [datetime(2026, 11, 30, 17), "amy",
                                                   "one late die 一个刀模延误"]


async def test_a_month_analysis_in_english_labels_the_figures_in_english() -> None:
    """rule: R-S8"""
    ask = Answers({s.QUERY_SAMPLES: [], s.QUERY_SAMPLE_MONTH: SAMPLE_MONTH})
    ws = opened(await exports.export(ask, "samples", zone=ZONE, now=NOW, month="2026-11",
                                     lang="en"))
    column_a = [c.value for c in ws["A"]]
    assert "Month-end analysis 2026-11" in column_a and "Month-end notes" in column_a
    assert "Trials / OK rate" in column_a and "0 rows" in column_a


def test_the_month_analysis_of_complaints_lists_per_customer_and_per_problem() -> None:
    """rule: R-C6"""
    report = {"month": "2026-11", "complaints": 3, "per_customer": {"Huaxin": {"complaints": 2}},
              "per_category": {"burr 毛刺": {"complaints": 1, "open": 1}},
              "repeated": [{"customer": "Huaxin", "category": "burr", "complaints": ["K1", "K2"]}],
              "notes": []}
    rows = dict(exports.figure_rows(report, "zh"))
    assert rows == {"客诉数": 3, "按客户 / Huaxin / 客诉数": 2, "按问题类别 / burr 毛刺 / 客诉数": 1,
                    "按问题类别 / burr 毛刺 / 未结案": 1, "重复投诉": "Huaxin / burr / K1+K2"}


def test_the_file_is_named_after_the_table_the_month_and_the_moment() -> None:
    assert exports.file_name("orders", None, None, ZONE) == "orders.xlsx"
    assert exports.file_name("samples", "2026-11", datetime(2026, 12, 1, 8, tzinfo=UTC),
                             ZONE) == "samples-2026-11-20261201-1600.xlsx"


class GrowingTable:
    """The projections' pages of a table that gains a row (in the middle) after the first page."""

    def __init__(self, n: int) -> None:
        self.rows = [{"order_no": f"O-{i:05d}"} for i in range(n)]
        self.asked: list[dict[str, Any]] = []

    async def __call__(self, subject: str, query: dict[str, Any]) -> Any:
        self.asked.append(query)
        if "limit" not in query:
            return list(self.rows)
        page = self.rows[query["offset"]:query["offset"] + query["limit"]]
        answer = {"items": page, "total": len(self.rows), "offset": query["offset"],
                  "limit": query["limit"]}
        if len(self.asked) == 1:
            self.rows.insert(10, {"order_no": "O-00009a"})
        return answer


async def test_a_table_is_fetched_page_by_page_each_row_once_also_when_it_grows_meanwhile() -> None:
    table = GrowingTable(2 * exports.EXPORT_PAGE + 5)
    rows = await exports.page_by_page(table)(s.QUERY_ORDERS, {"month": "2026-11"})
    assert [q["offset"] for q in table.asked] == [0, 1000, 2000]
    assert all(q["month"] == "2026-11" and q["limit"] == 1000 for q in table.asked)
    numbers = [r["order_no"] for r in rows]
    assert len(numbers) == len(set(numbers)) == 2 * exports.EXPORT_PAGE + 5
    assert numbers == sorted(numbers)  # the row added behind the pages read is not asked for


async def test_a_page_asked_for_or_another_query_passes_through_unchanged() -> None:
    table = GrowingTable(3)
    page = {"limit": 2, "offset": 0}
    assert (await exports.page_by_page(table)(s.QUERY_ORDERS, page))["total"] == 3
    assert len(await exports.page_by_page(table)(s.QUERY_ORDER_MONTH, {})) == 4
    assert table.asked == [page, {}]
