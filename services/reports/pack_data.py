"""What a pack shows, gathered once from the read models: the daily 16:00 pack (R-S5, R-O5,
R-C5), the weekly (R-M1) and the monthly (R-M2) meeting pack. The workbook (``packs``) and the
printable page (``printable``) are both written from one ``PackData``.

A pack reads the tables as they stood at its cut-off: 16:00 for the daily pack, the pack's due
time (before the meeting, ``meetings.pack_due``) for the meeting packs; a cut-off still in the
future reads the tables as they stand now, and the pack says so.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from contracts.calendar import WorkingCalendar
from contracts.subjects import QUERY_CALENDAR, QUERY_SLA
from events.registry import REGISTRY
from events.sla import CALENDAR_ENTRIES
from services.reports import exports, meeting_inputs, meetings
from services.reports.exports import Ask, SummaryTable
from services.reports.meetings import Meeting
from services.reports.pack_sections import ExtraSection
from services.reports.workbook import Lang, both

PackKind = Literal["daily", "weekly", "monthly"]
DAILY_AT = time(16)  # R-S5, R-O5, R-C5: the tables go out every working day at 16:00
# When a record entered its table: the field the week's and month's rows are chosen by.
ENTERED = {"samples": "requested_at", "orders": "received_at", "complaints": "received_at"}
BREACHED = ("breached", "breached_then_met")
OPEN = ("at_risk", "running", "paused")


@dataclass(frozen=True)
class Figure:
    """One number of a pack's figures, named in both languages."""

    en: str
    zh: str
    value: int | float
    share: bool = False  # a fraction from 0 to 1 (the page shows it as a percentage)

    def label(self, lang: Lang) -> str:
        return both(self.en, self.zh, lang)


@dataclass(frozen=True)
class DepartmentSla:
    """Of a department's clocks due in the period, how many there were and how many broke."""

    department: str
    due: int
    breached: int

    @property
    def on_time(self) -> float:
        return round(1 - self.breached / self.due, 3) if self.due else 1.0


@dataclass
class PackData:
    """Everything one pack shows, read once at its cut-off."""

    kind: PackKind
    period: str
    zone: tzinfo
    made: datetime  # when the pack was made
    wanted: datetime  # the cut-off the pack is meant to read the tables at
    as_of: datetime | None  # ``wanted`` once it has passed, else None (the tables now)
    first: date
    last: date
    rows: dict[str, list[dict[str, Any]]]  # per table: the rows the pack shows
    reports: dict[str, dict[str, Any] | None]  # per table: the month analysis (monthly pack)
    meeting: Meeting | None = None  # None for the daily pack
    due: datetime | None = None  # when a meeting pack is due
    runs: list[dict[str, Any]] = field(default_factory=list)  # every SLA clock at the cut-off
    breaches: list[dict[str, Any]] = field(default_factory=list)  # breached, due in the period
    open_runs: list[dict[str, Any]] = field(default_factory=list)  # still running, at risk first
    departments: list[DepartmentSla] = field(default_factory=list)
    # Sections added after the tables, in order, by whoever gathers more for a pack (R-M2's
    # resource needs and improvements): both writers show each one.
    extra_sections: list[ExtraSection] = field(default_factory=list)

    def moment_lines(self, lang: Lang) -> list[str]:
        """Which moment the tables were read at, when the pack was made and the zone of its times."""
        shown = self.wanted.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
        made = self.made.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")
        if self.as_of is None:
            return [both(f"Tables as they stand at {made} ({shown} has not come yet), times in "
                         f"{self.zone}", f"截至 {made} 的表（{shown} 尚未到），时区 {self.zone}", lang)]
        return [both(f"Tables as of {shown}, made {made}, times in {self.zone}",
                     f"截至 {shown} 的表，生成于 {made}，时区 {self.zone}", lang)]

    def period_line(self, lang: Lang) -> str:
        return both(f"Period {self.first.isoformat()} to {self.last.isoformat()}",
                    f"期间 {self.first.isoformat()} 至 {self.last.isoformat()}", lang)

    def figures(self) -> list[Figure]:
        """The cover's figures: the period's counts and the SLA on-time share per department."""
        rows = self.rows
        if self.kind == "daily":
            day = self.first
            return [Figure(f"{table.title_en} rows", f"{table.title_zh}条数", len(rows[name]))
                    for name, table in exports.TABLES.items()] + [
                Figure(f"{label_en} on {day.isoformat()}", f"{day.isoformat()} {label_zh}",
                       len(within(rows[name], ENTERED[name], day, day, self.zone)))
                for name, label_en, label_zh in ENTRY_LABELS]
        exceptions = sum(int(o.get("exception_count") or 0) for o in rows["orders"])
        return [
            Figure("Samples requested", "新增打样", len(rows["samples"])),
            Figure("Orders received", "新接订单", len(rows["orders"])),
            Figure("Ordered quantity", "订购数量",
                   sum(int(o.get("ordered_qty") or 0) for o in rows["orders"])),
            Figure("Complaints received", "新增客诉", len(rows["complaints"])),
            Figure("SLA breaches", "时限违规", len(self.breaches)),
            Figure("Order exceptions", "订单异常", exceptions),
            Figure("Open items (clocks running)", "未结事项（计时中）", len(self.open_runs)),
        ] + [Figure(f"SLA on time / {d.department}", f"时限达成率 / {d.department}", d.on_time,
                    share=True) for d in self.departments]

    def figure_items(self, lang: Lang) -> list[tuple[str, Any]]:
        return [(f.label(lang), f.value) for f in self.figures()]


ENTRY_LABELS = (("samples", "Samples requested", "新增打样"),
                ("orders", "Orders received", "新接订单"),
                ("complaints", "Complaints received", "新增客诉"))


def cut_off(wanted: datetime, now: datetime) -> datetime | None:
    """The as-of moment of a pack: ``wanted`` once it has passed, else None (the tables now)."""
    return wanted if wanted <= now else None


def local_day(text: str | None, zone: tzinfo) -> date | None:
    return datetime.fromisoformat(text).astimezone(zone).date() if text else None


def within(rows: Sequence[dict[str, Any]], key: str, first: date, last: date,
           zone: tzinfo) -> list[dict[str, Any]]:
    """The rows whose ``key`` time falls on a day from ``first`` to ``last`` (company zone)."""
    return [r for r in rows if (d := local_day(r.get(key), zone)) and first <= d <= last]


def per_department(breaches: Sequence[dict[str, Any]], runs: Sequence[dict[str, Any]],
                   first: date, last: date, zone: tzinfo) -> list[DepartmentSla]:
    """SLA performance per department: the clocks due in the period and those breached."""
    due = [r for r in runs if (d := local_day(r.get("due"), zone)) and first <= d <= last]
    total = Counter(str(r.get("department") or "?") for r in due)
    broken = Counter(str(r.get("department") or "?") for r in breaches)
    return [DepartmentSla(dept, count, broken[dept]) for dept, count in sorted(total.items())]


async def _rows(ask: Ask, table: SummaryTable, as_of: datetime | None) -> list[dict[str, Any]]:
    return list(await ask(table.subject, {"as_of": as_of.isoformat()} if as_of else {}))


async def daily(ask: Ask, day: date, *, calendar: WorkingCalendar, now: datetime) -> PackData:
    """R-S5, R-O5, R-C5: the three summary tables as they stood at 16:00 of ``day``."""
    wanted = calendar.at(day, DAILY_AT)
    as_of = cut_off(wanted, now)
    rows = {name: await _rows(ask, table, as_of) for name, table in exports.TABLES.items()}
    return PackData("daily", day.isoformat(), meetings.zone_of(calendar), now, wanted, as_of,
                    day, day, rows, dict.fromkeys(rows))


async def meeting_pack(ask: Ask, meeting: Meeting, first: date, last: date, *,
                       calendar: WorkingCalendar, now: datetime, month: str | None = None
                       ) -> PackData:
    """R-M1, R-M2: the period's rows, month analyses (monthly), SLA breaches and open items."""
    zone = meetings.zone_of(calendar)
    due = meetings.pack_due(meeting, calendar)
    as_of = cut_off(due, now)
    rows: dict[str, list[dict[str, Any]]] = {}
    reports: dict[str, dict[str, Any] | None] = {}
    for name, table in exports.TABLES.items():
        rows[name] = within(await _rows(ask, table, as_of), ENTERED[name], first, last, zone)
        reports[name] = await ask(table.month_subject, {"month": month}) if month else None
    runs = list(await ask(QUERY_SLA, {"as_of": as_of.isoformat()} if as_of else {}))
    breaches = [r for r in runs if r["state"] in BREACHED and (d := local_day(r.get("due"), zone))
                and first <= d <= last]
    open_runs = sorted((r for r in runs if r["state"] in OPEN),
                       key=lambda r: (r["state"] != "at_risk", r.get("due") or ""))
    return PackData(meeting.kind, meeting.period, zone, now, due, as_of, first, last, rows,
                    reports, meeting, due, runs, breaches, open_runs,
                    per_department(breaches, runs, first, last, zone))


async def company_calendar(ask: Ask, base: WorkingCalendar) -> WorkingCalendar:
    """``base`` (the environment's calendar) with the company's entries the system serves, so a
    meeting moves for a company holiday as well as a public one."""
    reply = await ask(QUERY_CALENDAR, {})
    decoded = (REGISTRY.decode(e["type"], e["event"]) for e in reply["entries"])
    return base.with_entries(e for e in decoded if isinstance(e, CALENDAR_ENTRIES))


async def gather(ask: Ask, kind: str, period: str, base: WorkingCalendar, now: datetime
                 ) -> PackData:
    """A pack's data, in the company calendar the system serves (the CLI's and the gateway's);
    ValueError (both languages) for a period that does not exist."""
    calendar = await company_calendar(ask, base)
    if kind == "daily":
        return await daily(ask, date.fromisoformat(period), calendar=calendar, now=now)
    if kind == "weekly":
        return await meeting_pack(ask, meetings.weekly_meeting(period, calendar),
                                  *meetings.week_days(period), calendar=calendar, now=now)
    data = await meeting_pack(ask, meetings.monthly_meeting(period, calendar),
                              *meetings.month_days(period), calendar=calendar, now=now,
                              month=period)
    # R-M2: the resource needs and improvements the managers entered for the month
    data.extra_sections.append(meeting_inputs.section(await meeting_inputs.fetch(ask, period)))
    return data


def buckets(data: PackData) -> list[tuple[str, date, date]]:
    """The chart's spans of a pack: the week's days (R-M1), the month's weeks (R-M2), or the
    seven days up to the daily pack's day; each as (label, first, last)."""
    if data.kind == "monthly":
        spans, start = [], data.first
        while start <= data.last:
            end = min(data.last, start + timedelta(days=6 - start.weekday()))
            spans.append((f"W{start.isocalendar()[1]:02d}", start, end))
            start = end + timedelta(days=1)
        return spans
    first = data.first if data.kind == "weekly" else data.last - timedelta(days=6)
    days = [first + timedelta(days=n) for n in range((data.last - first).days + 1)]
    return [(f"{d:%m-%d}", d, d) for d in days]


def entries(data: PackData) -> dict[str, list[int]]:
    """Per table, the records entered in each of ``buckets(data)``."""
    spans = buckets(data)
    return {name: [len(within(data.rows[name], ENTERED[name], a, b, data.zone)) for _, a, b in spans]
            for name in exports.TABLES}
