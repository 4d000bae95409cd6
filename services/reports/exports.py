"""The three summary tables as Excel workbooks (issue 11): the CLI's columns, Chinese headers by
default, and with a month the month-end analysis and its notes under the table (R-S8, R-O6, R-C6).

The read models are asked through ``ask(subject, payload)``: the CLI's ``Client.query`` or the
gateway's ``query_routes.ask``, so both give the same file.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from contracts import subjects as s
from services.cli.complaints import COMPLAINT_COLUMNS, complaint_cells
from services.cli.orders import ORDER_COLUMNS, order_cells
from services.cli.tables import SAMPLE_COLUMNS, sample_cells
from services.reports import workbook as wb
from services.reports.workbook import Lang, both

Ask = Callable[[str, dict[str, Any]], Awaitable[Any]]
SUMMARY_SHEET = "汇总表 Summary"


@dataclass(frozen=True)
class SummaryTable:
    """One summary table: its names, rules, queries and the CLI's columns."""

    name: str
    title_en: str
    title_zh: str
    rules: str
    subject: str
    month_subject: str
    columns: Sequence[tuple[str, str]]
    cells: Callable[[dict[str, Any]], dict[str, Any]]

    def title(self, lang: Lang) -> str:
        return both(self.title_en, self.title_zh, lang)


TABLES: dict[str, SummaryTable] = {t.name: t for t in (
    SummaryTable("samples", "Sample Record Summary", "打样记录汇总表", "R-S5, R-S8",
                 s.QUERY_SAMPLES, s.QUERY_SAMPLE_MONTH, SAMPLE_COLUMNS, sample_cells),
    SummaryTable("orders", "Order Summary", "订单汇总表", "R-O3, R-O5, R-O6",
                 s.QUERY_ORDERS, s.QUERY_ORDER_MONTH, ORDER_COLUMNS, order_cells),
    SummaryTable("complaints", "Complaint Summary", "客诉投诉汇总表", "R-C2, R-C5, R-C6",
                 s.QUERY_COMPLAINTS, s.QUERY_COMPLAINT_MONTH, COMPLAINT_COLUMNS, complaint_cells),
)}

# Labels of the month analyses' figures (the projections' keys); an unknown key shows as itself.
FIGURES: dict[str, tuple[str, str]] = {
    "samples": ("Samples", "打样数"), "made": ("Samples made", "完成打样"),
    "average_working_hours_to_make": ("Average working hours to make", "平均打样工时"),
    "trials": ("Trials", "试用"), "ok": ("OK", "合格"), "ng": ("NG", "不合格"),
    "ok_rate": ("OK rate", "合格率"), "by_status": ("By status", "按状态"),
    "by_customer": ("By customer", "按客户"), "late": ("Late", "逾期"),
    "penalties": ("Penalty requests", "处罚申请"), "orders": ("Orders", "订单数"),
    "ordered_qty": ("Ordered quantity", "订购数量"), "shipped_qty": ("Shipped quantity", "已出货数量"),
    "delivery": ("Delivery vs latest promise", "按最新交期交付"), "on_time": ("On time", "准时"),
    "on_time_rate": ("On-time rate", "准时率"), "pmc_replies": ("PMC replies", "PMC交期回复数"),
    "average_pmc_reply_working_hours": ("Average PMC reply (working h)", "PMC平均回复工时"),
    "customer_notices": ("Customer told", "告知客户数"),
    "average_customer_notice_working_hours": ("Average customer notice (working h)", "平均告知工时"),
    "exceptions": ("Exceptions", "异常"), "exceptions_open": ("Exceptions open", "未送达异常"),
    "exceptions_by_kind": ("Exceptions by kind", "异常按类别"),
    "lots_inspected": ("Lots inspected", "已检批次"), "lots_reworked": ("Lots reworked", "返工批次"),
    "rework_rate": ("Rework rate", "返工率"), "delay_notices": ("Delay notices", "延期通知"),
    "delay_notices_timely": ("Timely delay notices", "及时延期通知"),
    "complaints": ("Complaints", "客诉数"), "open": ("Open", "未结案"), "closed": ("Closed", "已结案"),
    "reopened": ("Reopened", "重开"), "by_severity": ("By severity", "按严重度"),
    "average_working_hours_to_close": ("Average working hours to close", "平均结案工时"),
    "repeats": ("Repeats (same customer and problem)", "同客户同问题重复"),
    "per_customer": ("Per customer", "按客户"), "per_category": ("Per problem", "按问题类别"),
    "by_responsible": ("By responsible department", "按责任部门"),
    "repeated": ("Repeated complaints", "重复投诉"),
}


def figure_rows(report: dict[str, Any], lang: Lang) -> list[tuple[str, Any]]:
    """A month analysis as (label, value) rows: nested groups as ``group / name / figure``,
    lists as one text; every number as the query answered it."""
    rows: list[tuple[str, Any]] = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                name = both(*FIGURES[key], lang) if key in FIGURES else str(key)
                walk(f"{prefix} / {name}" if prefix else name, inner)
        elif isinstance(value, list):
            rows.append((prefix, ", ".join(_item(v) for v in value) or both("none", "无", lang)))
        else:
            rows.append((prefix, value))

    walk("", {k: v for k, v in report.items() if k not in ("month", "notes")})
    return rows


def _item(value: Any) -> str:
    if isinstance(value, dict):  # a repeated complaint: customer / category: numbers
        return " / ".join(str(v) if not isinstance(v, list) else "+".join(map(str, v))
                          for v in value.values())
    return str(value)


# A summary table is asked one page at a time: a whole table of tens of thousands of rows is
# larger than one NATS message, and the projections refuse such an answer.
EXPORT_PAGE = 1000
PAGED_KEYS = {s.QUERY_SAMPLES: "request_no", s.QUERY_ORDERS: "order_no",
              s.QUERY_COMPLAINTS: "complaint_no"}


def page_by_page(ask: Ask) -> Ask:
    """``ask``, but a summary table asked without ``limit`` is fetched page by page (in record
    number order) and answered as the whole list. Rows are never removed from a summary table:
    one added meanwhile moves later rows back a place, so a row seen twice is kept once."""
    async def asked(subject: str, query: dict[str, Any]) -> Any:
        key = PAGED_KEYS.get(subject)
        if key is None or "limit" in query:
            return await ask(subject, query)
        rows: dict[str, dict[str, Any]] = {}
        offset, total = 0, 1
        while offset < total:
            page = await ask(subject, {**query, "limit": EXPORT_PAGE, "offset": offset})
            for row in page["items"]:
                rows.setdefault(row[key], row)
            offset, total = offset + EXPORT_PAGE, page["total"]
        return list(rows.values())
    return asked


async def read(ask: Ask, table: SummaryTable, month: str | None = None,
               as_of: datetime | None = None) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    """The table's rows (of ``month``, as of a moment) and, with a month, its analysis."""
    query: dict[str, Any] = {}
    if month:
        query["month"] = month
    if as_of is not None:
        query["as_of"] = as_of.isoformat()
    rows = await ask(table.subject, query)
    report = await ask(table.month_subject, {"month": month}) if month else None
    return list(rows), report


def write_summary(ws: Worksheet, table: SummaryTable, rows: Sequence[dict[str, Any]],
                  report: dict[str, Any] | None, lang: Lang, zone: tzinfo, heading: Sequence[str],
                  start: int = 1) -> int:
    """A table (its title, the heading lines, its rows) and, with a month's report, its analysis
    and notes under it; the next free row."""
    count = both(f"{len(rows)} rows", f"共 {len(rows)} 条", lang)
    row = wb.title_block(ws, [f"{table.title(lang)} ({table.rules})", *heading, count], start)
    row = wb.table(ws, table.columns, rows, lang, zone, row, table.cells)
    if report is not None:
        month = report["month"]
        row = wb.figures(ws, both(f"Month-end analysis {month}", f"{month} 月度分析", lang),
                         figure_rows(report, lang), zone, row)
        row = wb.notes(ws, both("Month-end notes", "月度总结", lang), report["notes"], lang,
                       zone, row)
    return row


def heading_lines(lang: Lang, zone: tzinfo, month: str | None, as_of: datetime | None,
                  made: datetime) -> list[str]:
    """What the file holds: the month, the moment, when it was made and the zone of its times."""
    lines = []
    if month:
        lines.append(both(f"Month {month}", f"月份 {month}", lang))
    if as_of is not None:
        shown = as_of.astimezone(zone).strftime("%Y-%m-%d %H:%M")
        lines.append(both(f"As of {shown}", f"截至 {shown}", lang))
    made_text = made.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    lines.append(both(f"Made {made_text}, times in {zone}", f"生成于 {made_text}，时区 {zone}", lang))
    return lines


async def export(ask: Ask, name: str, *, zone: tzinfo, now: datetime, lang: Lang = "zh",
                 month: str | None = None, as_of: datetime | None = None) -> Workbook:
    """One summary table as a workbook with the sheet ``汇总表 Summary``."""
    table = TABLES[name]
    rows, report = await read(ask, table, month, as_of)
    book = wb.new_workbook()
    write_summary(wb.sheet(book, SUMMARY_SHEET), table, rows, report, lang, zone,
                  heading_lines(lang, zone, month, as_of, now))
    return book


def file_name(name: str, month: str | None, as_of: datetime | None, zone: tzinfo) -> str:
    """``samples-2026-11.xlsx``, ``orders-20261201-1600.xlsx`` or ``complaints.xlsx``."""
    parts = [name] + ([month] if month else [])
    if as_of is not None:
        parts.append(as_of.astimezone(zone).strftime("%Y%m%d-%H%M"))
    return "-".join(parts) + ".xlsx"
