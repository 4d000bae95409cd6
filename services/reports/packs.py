"""The daily 16:00 pack (R-S5, R-O5, R-C5), the weekly meeting pack (R-M1) and the monthly
meeting pack (R-M2), as workbooks built by the export's writers from the same read models.

A pack reads the tables as they stood at its cut-off: 16:00 for the daily pack, the pack's due
time (before the meeting, ``meetings.pack_due``) for the meeting packs; a cut-off still in the
future reads the tables as they stand now, and the pack says so.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, tzinfo
from typing import Any

from openpyxl import Workbook

from contracts.calendar import WorkingCalendar
from contracts.subjects import QUERY_CALENDAR, QUERY_SLA
from events.registry import REGISTRY
from events.sla import CALENDAR_ENTRIES
from services.reports import exports, meeting_inputs, meetings
from services.reports import workbook as wb
from services.reports.exports import Ask, SummaryTable
from services.reports.meetings import Meeting
from services.reports.workbook import Lang, both

DAILY_AT = time(16)  # R-S5, R-O5, R-C5: the tables go out every working day at 16:00
SHEETS = {"samples": "打样 Samples", "orders": "订单 Orders", "complaints": "客诉 Complaints"}
COVER_SHEET = "会议 Meeting"
SLA_SHEET = "时限 SLA"
# When a record entered its table: the field the week's and month's rows are chosen by.
ENTERED = {"samples": "requested_at", "orders": "received_at", "complaints": "received_at"}
SLA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record", "Record 单号"), ("clock", "Clock 时限"), ("title", "Title 名称"),
    ("state", "State 状态"), ("started", "Started 开始"), ("due", "Due 到期"),
    ("stopped", "Stopped 完成"), ("left_hours", "Left(h) 剩余工时"),
    ("department", "Dept 责任部门"), ("person", "Person 责任人"),
)
BREACHED = ("breached", "breached_then_met")


def sla_cells(run: dict[str, Any]) -> dict[str, Any]:
    return dict(run, title=f"{run.get('title_en', '')} {run.get('title_zh', '')}".strip(),
                state=f"{run['state']} {run.get('state_zh', '')}".strip())


def cut_off(wanted: datetime, now: datetime) -> datetime | None:
    """The as-of moment of a pack: ``wanted`` once it has passed, else None (the tables now)."""
    return wanted if wanted <= now else None


def local_day(text: str | None, zone: tzinfo) -> date | None:
    return datetime.fromisoformat(text).astimezone(zone).date() if text else None


def within(rows: Sequence[dict[str, Any]], key: str, first: date, last: date,
           zone: tzinfo) -> list[dict[str, Any]]:
    """The rows whose ``key`` time falls on a day from ``first`` to ``last`` (company zone)."""
    return [r for r in rows if (d := local_day(r.get(key), zone)) and first <= d <= last]


def moment_lines(lang: Lang, zone: tzinfo, wanted: datetime, as_of: datetime | None,
                 now: datetime) -> list[str]:
    shown = wanted.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    made = now.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if as_of is None:
        return [both(f"Tables as they stand at {made} ({shown} has not come yet), times in {zone}",
                     f"截至 {made} 的表（{shown} 尚未到），时区 {zone}", lang)]
    return [both(f"Tables as of {shown}, made {made}, times in {zone}",
                 f"截至 {shown} 的表，生成于 {made}，时区 {zone}", lang)]


async def _rows(ask: Ask, table: SummaryTable, as_of: datetime | None,
                month: str | None = None) -> list[dict[str, Any]]:
    query: dict[str, Any] = {"month": month} if month else {}
    if as_of is not None:
        query["as_of"] = as_of.isoformat()
    return list(await ask(table.subject, query))


async def _sla(ask: Ask, as_of: datetime | None) -> list[dict[str, Any]]:
    return list(await ask(QUERY_SLA, {"as_of": as_of.isoformat()} if as_of else {}))


async def daily_pack(ask: Ask, day: date, *, calendar: WorkingCalendar, now: datetime,
                     lang: Lang = "zh") -> Workbook:
    """R-S5, R-O5, R-C5: the three summary tables as they stood at 16:00 of ``day``."""
    zone = meetings.zone_of(calendar)
    wanted = calendar.at(day, DAILY_AT)
    as_of = cut_off(wanted, now)
    book = wb.new_workbook()
    for name, table in exports.TABLES.items():
        heading = [both(f"Daily 16:00 report {day.isoformat()}", f"{day.isoformat()} 16:00 日报",
                        lang), *moment_lines(lang, zone, wanted, as_of, now)]
        exports.write_summary(wb.sheet(book, SHEETS[name]), table, await _rows(ask, table, as_of),
                              None, lang, zone, heading)
    return book


def cover(book: Workbook, meeting: Meeting, due: datetime, lang: Lang, zone: tzinfo,
          lines: Sequence[str], items: Sequence[tuple[str, Any]]) -> None:
    """The first sheet: the meeting's time (and its move), when the pack was due, the figures."""
    ws = wb.sheet(book, COVER_SHEET)
    kind = both("Weekly sales meeting pack", "周销售例会资料", lang) if meeting.kind == "weekly" \
        else both("Monthly sales meeting pack", "月度销售会议资料", lang)
    due_text = due.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    row = wb.title_block(ws, [
        f"{kind} {meeting.period} ({meeting.rule})",
        meeting.describe_zh() if lang == "zh" else meeting.describe_en(),
        both(f"Pack due {due_text}", f"资料截止 {due_text}", lang), *lines])
    wb.figures(ws, both("Figures", "数据", lang), items, zone, row)
    ws.column_dimensions["A"].width = 44


def sla_sheet(book: Workbook, runs: Sequence[dict[str, Any]], lang: Lang, zone: tzinfo,
              breaches: Sequence[dict[str, Any]], open_runs: Sequence[dict[str, Any]]) -> None:
    ws = wb.sheet(book, SLA_SHEET)
    row = wb.title_block(ws, [both("SLA breaches", "时限违规", lang)])
    row = wb.table(ws, SLA_COLUMNS, breaches, lang, zone, row, sla_cells)
    row = wb.title_block(ws, [both("Open items: clocks still running, at risk first",
                                   "未结事项：仍在计时的时限（风险优先）", lang)], row)
    wb.table(ws, SLA_COLUMNS, open_runs, lang, zone, row, sla_cells)


async def weekly_pack(ask: Ask, week: str, *, calendar: WorkingCalendar, now: datetime,
                      lang: Lang = "zh") -> Workbook:
    """R-M1: the week's samples, orders, complaints, SLA breaches, exceptions and open items."""
    meeting = meetings.weekly_meeting(week, calendar)
    return await _meeting_pack(ask, meeting, *meetings.week_days(week), calendar=calendar,
                               now=now, lang=lang)


async def monthly_pack(ask: Ask, month: str, *, calendar: WorkingCalendar, now: datetime,
                       lang: Lang = "zh") -> Workbook:
    """R-M2: results, samples and orders, complaints, exceptions, SLA performance per
    department, the month-end notes, and the resource needs and improvements."""
    meeting = meetings.monthly_meeting(month, calendar)
    book = await _meeting_pack(ask, meeting, *meetings.month_days(month), calendar=calendar,
                               now=now, lang=lang, month=month)
    meeting_inputs.write_sheet(book, await meeting_inputs.fetch(ask, month), lang,
                               meetings.zone_of(calendar))
    return book


async def _meeting_pack(ask: Ask, meeting: Meeting, first: date, last: date, *,
                        calendar: WorkingCalendar, now: datetime, lang: Lang,
                        month: str | None = None) -> Workbook:
    zone = meetings.zone_of(calendar)
    due = meetings.pack_due(meeting, calendar)
    as_of = cut_off(due, now)
    book = wb.new_workbook()
    chosen: dict[str, list[dict[str, Any]]] = {}
    reports: dict[str, dict[str, Any] | None] = {}
    for name, table in exports.TABLES.items():
        chosen[name] = within(await _rows(ask, table, as_of), ENTERED[name], first, last, zone)
        reports[name] = await ask(table.month_subject, {"month": month}) if month else None
    runs = await _sla(ask, as_of)
    breaches = [r for r in runs if r["state"] in BREACHED and (d := local_day(r.get("due"), zone))
                and first <= d <= last]
    open_runs = sorted((r for r in runs if r["state"] in ("at_risk", "running", "paused")),
                       key=lambda r: (r["state"] != "at_risk", r.get("due") or ""))
    exceptions = sum(int(o.get("exception_count") or 0) for o in chosen["orders"])
    items: list[tuple[str, Any]] = [
        (both("Samples requested", "新增打样", lang), len(chosen["samples"])),
        (both("Orders received", "新接订单", lang), len(chosen["orders"])),
        (both("Ordered quantity", "订购数量", lang),
         sum(int(o.get("ordered_qty") or 0) for o in chosen["orders"])),
        (both("Complaints received", "新增客诉", lang), len(chosen["complaints"])),
        (both("SLA breaches", "时限违规", lang), len(breaches)),
        (both("Order exceptions", "订单异常", lang), exceptions),
        (both("Open items (clocks running)", "未结事项（计时中）", lang), len(open_runs)),
    ]
    items += per_department(breaches, runs, first, last, zone, lang)
    cover(book, meeting, due, lang, zone, moment_lines(lang, zone, due, as_of, now), items)
    period = both(f"Period {first.isoformat()} to {last.isoformat()}",
                  f"期间 {first.isoformat()} 至 {last.isoformat()}", lang)
    for name, table in exports.TABLES.items():
        exports.write_summary(wb.sheet(book, SHEETS[name]), table, chosen[name], reports[name],
                              lang, zone, [period])
    sla_sheet(book, runs, lang, zone, breaches, open_runs)
    return book


def per_department(breaches: Sequence[dict[str, Any]], runs: Sequence[dict[str, Any]],
                   first: date, last: date, zone: tzinfo, lang: Lang) -> list[tuple[str, Any]]:
    """SLA performance per department: of the clocks due in the period, the share not breached."""
    due = [r for r in runs if (d := local_day(r.get("due"), zone)) and first <= d <= last]
    total = Counter(str(r.get("department") or "?") for r in due)
    broken = Counter(str(r.get("department") or "?") for r in breaches)
    return [(both(f"SLA on time / {dept}", f"时限达成率 / {dept}", lang),
             round(1 - broken[dept] / count, 3)) for dept, count in sorted(total.items())]


async def company_calendar(ask: Ask, base: WorkingCalendar) -> WorkingCalendar:
    """``base`` (the environment's calendar) with the company's entries the system serves, so a
    meeting moves for a company holiday as well as a public one."""
    reply = await ask(QUERY_CALENDAR, {})
    decoded = (REGISTRY.decode(e["type"], e["event"]) for e in reply["entries"])
    return base.with_entries(e for e in decoded if isinstance(e, CALENDAR_ENTRIES))


def pack_name(kind: str, period: str) -> str:
    """``pack-weekly-2026-W40.xlsx``."""
    return f"pack-{kind}-{period}.xlsx"


async def build(ask: Ask, kind: str, period: str, base: WorkingCalendar, now: datetime,
                lang: Lang) -> Workbook:
    """A pack's workbook, in the company calendar the system serves (the CLI's and the gateway's)."""
    calendar = await company_calendar(ask, base)
    if kind == "daily":
        return await daily_pack(ask, date.fromisoformat(period), calendar=calendar,
                                now=now, lang=lang)
    if kind == "weekly":
        return await weekly_pack(ask, period, calendar=calendar, now=now, lang=lang)
    return await monthly_pack(ask, period, calendar=calendar, now=now, lang=lang)
