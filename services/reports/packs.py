"""The daily 16:00 pack (R-S5, R-O5, R-C5), the weekly meeting pack (R-M1) and the monthly
meeting pack (R-M2) as workbooks, written by the export's writers from one ``PackData``
(``pack_data`` gathers it; ``printable`` writes the same data as a page to print)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from contracts.calendar import WorkingCalendar
from services.reports import exports
from services.reports import workbook as wb
from services.reports.exports import Ask
from services.reports.pack_data import PackData, company_calendar, gather
from services.reports.pack_sections import ExtraSection
from services.reports.workbook import Lang, both

__all__ = ["COVER_SHEET", "SHEETS", "SLA_SHEET", "build", "company_calendar", "pack_name",
           "workbook"]
SHEETS = {"samples": "打样 Samples", "orders": "订单 Orders", "complaints": "客诉 Complaints"}
COVER_SHEET = "会议 Meeting"
SLA_SHEET = "时限 SLA"
EXTRA_SHEET = "其他 More"
SLA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record", "Record 单号"), ("clock", "Clock 时限"), ("title", "Title 名称"),
    ("state", "State 状态"), ("started", "Started 开始"), ("due", "Due 到期"),
    ("stopped", "Stopped 完成"), ("left_hours", "Left(h) 剩余工时"),
    ("department", "Dept 责任部门"), ("person", "Person 责任人"),
)


def sla_cells(run: dict[str, Any]) -> dict[str, Any]:
    return dict(run, title=f"{run.get('title_en', '')} {run.get('title_zh', '')}".strip(),
                state=f"{run['state']} {run.get('state_zh', '')}".strip())


def pack_title(data: PackData, lang: Lang) -> str:
    """``周销售例会资料 2026-W40 (R-M1)``, ``2026-11-27 16:00 日报``."""
    if data.kind == "daily":
        return both(f"Daily 16:00 report {data.period}", f"{data.period} 16:00 日报", lang)
    kind = both("Weekly sales meeting pack", "周销售例会资料", lang) if data.kind == "weekly" \
        else both("Monthly sales meeting pack", "月度销售会议资料", lang)
    rule = data.meeting.rule if data.meeting else ""
    return f"{kind} {data.period} ({rule})"


def due_line(data: PackData, lang: Lang) -> str:
    due_text = data.due.astimezone(data.zone).strftime("%Y-%m-%d %H:%M") if data.due else ""
    return both(f"Pack due {due_text}", f"资料截止 {due_text}", lang)


def cover(book: Workbook, data: PackData, lang: Lang) -> None:
    """The first sheet: the meeting's time (and its move), when the pack was due, the figures."""
    assert data.meeting is not None
    ws = wb.sheet(book, COVER_SHEET)
    row = wb.title_block(ws, [
        pack_title(data, lang),
        data.meeting.describe_zh() if lang == "zh" else data.meeting.describe_en(),
        due_line(data, lang), *data.moment_lines(lang)])
    wb.figures(ws, both("Figures", "数据", lang), data.figure_items(lang), data.zone, row)
    ws.column_dimensions["A"].width = 44


def sla_sheet(book: Workbook, data: PackData, lang: Lang) -> None:
    ws = wb.sheet(book, SLA_SHEET)
    row = wb.title_block(ws, [both("SLA breaches", "时限违规", lang)])
    row = wb.table(ws, SLA_COLUMNS, data.breaches, lang, data.zone, row, sla_cells)
    row = wb.title_block(ws, [both("Open items: clocks still running, at risk first",
                                   "未结事项：仍在计时的时限（风险优先）", lang)], row)
    wb.table(ws, SLA_COLUMNS, data.open_runs, lang, data.zone, row, sla_cells)


def extra_sheets(book: Workbook, data: PackData, lang: Lang) -> None:
    """The sections added after the tables (``PackData.extra_sections``): each on its own
    sheet when it names one, the others one under another on "其他 More"."""
    row = 1
    for section in data.extra_sections:
        if section.sheet:
            section_sheet(book, section, lang, data.zone)
        else:
            row = section_rows(wb.sheet(book, EXTRA_SHEET), section, lang, data.zone, row)


def section_sheet(book: Workbook, section: ExtraSection, lang: Lang, zone: tzinfo) -> None:
    section_rows(wb.sheet(book, section.sheet or EXTRA_SHEET), section, lang, zone, 1)


def section_rows(ws: Worksheet, section: ExtraSection, lang: Lang, zone: tzinfo, row: int) -> int:
    """The section's title, lines and table from ``row``; the next free row."""
    row = wb.title_block(ws, [section.title(lang), *section.lines], row)
    if (empty := section.empty(lang)) is not None:
        wb.put(ws, row, 1, empty, zone)
        return row + 2
    if section.columns:
        row = wb.table(ws, section.columns, section.shown_rows(lang), lang, zone, row)
    return row


def workbook(data: PackData, lang: Lang = "zh") -> Workbook:
    """A pack's workbook: the daily pack's three tables, or a meeting pack's cover, the
    period's tables (with the month analyses), the SLA sheet and any extra sections."""
    book = wb.new_workbook()
    if data.kind == "daily":
        heading: Sequence[str] = [pack_title(data, lang), *data.moment_lines(lang)]
    else:
        cover(book, data, lang)
        heading = [data.period_line(lang)]
    for name, table in exports.TABLES.items():
        exports.write_summary(wb.sheet(book, SHEETS[name]), table, data.rows[name],
                              data.reports[name], lang, data.zone, heading)
    if data.kind != "daily":
        sla_sheet(book, data, lang)
    if data.extra_sections:
        extra_sheets(book, data, lang)
    return book


def pack_name(kind: str, period: str, extension: str = "xlsx") -> str:
    """``pack-weekly-2026-W40.xlsx`` (or ``.html``, ``.pdf``)."""
    return f"pack-{kind}-{period}.{extension}"


async def build(ask: Ask, kind: str, period: str, base: WorkingCalendar, now: datetime,
                lang: Lang) -> Workbook:
    """A pack's workbook, in the company calendar the system serves (the CLI's and the gateway's)."""
    return workbook(await gather(ask, kind, period, base, now), lang)
