"""``salesflow calendar``: the company's working days, "due when?", "how many working hours
between?", and the admin's entries (holiday, make-up working day, working-hours change).

The answers count in the calendar the running system counts in: the environment's calendar with
the company's entries, read from the projections (``QUERY_CALENDAR``). When the system is not
running they count in the environment's and the packaged calendar alone, and say so.
"""
from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar import WorkingCalendar, packaged_day_name
from contracts.calendar_env import parse_period_end
from contracts.subjects import QUERY_CALENDAR
from events.registry import REGISTRY
from events.sla import HolidayDeclared, WorkdayDeclared
from services.cli.client import Client
from services.cli.tables import json_text, visible
from services.runtime.connect import NatsUnavailable
from services.runtime.settings import Settings

USAGE = """\
salesflow calendar [YYYY-MM]                       the month's working days (default: this month)
salesflow calendar due "2026-12-04 16:30" 2h       when 2 working hours after that moment end
salesflow calendar between "A" "B"                 working hours from A to B
salesflow calendar holiday FIRST [LAST] --name N   declare days off (admin)
salesflow calendar workday DAY --name N            declare a make-up working day (admin)
salesflow calendar hours --from DAY --weekdays 0-5 --periods 08:00-12:00,13:00-17:00   (admin)
Times without an offset are in the company's zone; durations: 2h, 90m, 1.5h, 1h30m."""
KINDS = {
    "weekday": ("working", "工作日", "weekday", "平日"),
    "weekend": ("off", "休息", "weekend", "周末"),
    "public_holiday": ("off", "休息", "public holiday", "法定节假日"),
    "public_workday": ("working", "工作日", "make-up day", "调休上班"),
    "company_holiday": ("off", "休息", "company holiday", "公司假日"),
    "company_workday": ("working", "工作日", "company make-up day", "公司调休上班"),
}
WEEKDAYS = ("Mon 周一", "Tue 周二", "Wed 周三", "Thu 周四", "Fri 周五", "Sat 周六", "Sun 周日")
_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?$")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("calendar", help="the company calendar: working days, due times, working "
                                        "hours between, holidays / 公司日历",
                       description=USAGE, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("words", nargs="*", metavar="ARG", help="see above")
    p.add_argument("--name", help="what the holiday or make-up day is, e.g. 国庆节")
    p.add_argument("--from", dest="effective_from", metavar="DAY",
                   help="first day of new working hours")
    p.add_argument("--weekdays", help="working weekdays, 0 = Monday: 0-5 or 0,1,2,3,4")
    p.add_argument("--periods", help="working periods: 08:00-12:00,13:00-17:00 (24:00 = midnight)")
    p.add_argument("--user", default=os.environ.get("SALESFLOW_USER") or getpass.getuser(),
                   help="the admin who declares it (default: $SALESFLOW_USER or your login)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")


class Usage(ValueError):
    """A calendar argument that cannot be read; the message says how to write it."""


def moment(text: str, zone: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Usage(f"{text!r} is not a time: write e.g. \"2026-12-04 16:30\" "
                    f"/ 时间格式应为 2026-12-04 16:30") from None
    return value if value.tzinfo else value.replace(tzinfo=ZoneInfo(zone))


def duration(text: str) -> float:
    found = _DURATION.match(text.strip().lower())
    if not text.strip() or found is None or not any(found.groups()):
        raise Usage(f"{text!r} is not a duration: write 2h, 90m, 1.5h or 1h30m "
                    f"/ 时长格式应为 2h、90m、1.5h 或 1h30m")
    hours, minutes = found.groups()
    return float(hours or 0) + float(minutes or 0) / 60


def weekdays(text: str) -> list[int]:
    days: list[int] = []
    for item in filter(None, (i.strip() for i in text.split(","))):
        first, _, last = item.partition("-")
        if not (first.isdigit() and (not last or last.isdigit())):
            raise Usage(f"{text!r}: weekdays are numbers 0 (Monday) to 6 (Sunday), e.g. 0-5 "
                        f"/ 星期用 0（周一）到 6（周日）表示，例如 0-5")
        days += range(int(first), int(last or first) + 1)
    return days


def periods(text: str) -> list[dict[str, str]]:
    found = []
    for item in filter(None, (i.strip() for i in text.split(","))):
        start, _, end = item.partition("-")
        try:
            found.append({"start": time.fromisoformat(start.strip()).isoformat(),
                          "end": parse_period_end(end.strip()).isoformat()})
        except ValueError:
            raise Usage(f"{item!r} is not a period: write 08:00-12:00 "
                        f"/ 时段格式应为 08:00-12:00") from None
    return found


def month_days(text: str | None, zone: str) -> list[date]:
    if text is None:
        first = datetime.now(ZoneInfo(zone)).date().replace(day=1)
    else:
        try:
            first = date.fromisoformat(f"{text}-01")
        except ValueError:
            raise Usage(f"{text!r} is not a month: write YYYY-MM / 月份格式应为 YYYY-MM") from None
    following = (first + timedelta(days=32)).replace(day=1)
    return [first + timedelta(days=n) for n in range((following - first).days)]


async def company_calendar(settings: Settings) -> tuple[WorkingCalendar, dict[date, str], bool]:
    """The calendar the running system counts in, the company's names of its days, and whether
    the system answered."""
    base = WorkingCalendar.from_env(os.environ)
    try:
        client = await Client.open(settings)
        try:
            reply = await client.query(QUERY_CALENDAR, {})
        finally:
            await client.close()
    except NatsUnavailable as error:
        print(f"salesflow: {error}\nthe system is not running: counting with the environment's and "
              "the packaged calendar, without the company's entries / 系统未运行：按环境变量和内置"
              "节假日计算，不含公司日历记录", file=sys.stderr)
        return base, {}, False
    entries = [REGISTRY.decode(e["type"], e["event"]) for e in reply["entries"]]
    names: dict[date, str] = {}
    for entry in entries:
        if isinstance(entry, HolidayDeclared):
            for n in range((entry.last_day - entry.first_day).days + 1):
                names[entry.first_day + timedelta(days=n)] = entry.name
        elif isinstance(entry, WorkdayDeclared):
            names[entry.day] = entry.name
    return base.with_entries(entries), names, True  # type: ignore[arg-type]


def day_rows(calendar: WorkingCalendar, days: list[date], names: dict[date, str]
             ) -> list[dict[str, Any]]:
    rows = []
    for d in days:
        kind = calendar.day_kind(d)
        name = names.get(d) if kind.startswith("company") else packaged_day_name(d)
        working = calendar.is_working_day(d)
        rows.append({"day": d.isoformat(), "weekday": d.weekday(), "working": working,
                     "kind": kind, "name": name,
                     "periods": [_period(s, e) for s, e in calendar.periods_on(d)] if working
                     else []})
    return rows


def _period(start: time, end: time) -> str:
    return f"{start:%H:%M}-{'24:00' if end == time.max else f'{end:%H:%M}'}"


def render_month(rows: list[dict[str, Any]], zone: str) -> str:
    working = sum(r["working"] for r in rows)
    lines = [f"{rows[0]['day'][:7]} ({zone}) working days 工作日: {working} of {len(rows)}"]
    for r in rows:
        on, on_zh, why, why_zh = KINDS[r["kind"]]
        name = f" ({r['name']})" if r["name"] else ""
        lines.append(f"  {r['day']} {WEEKDAYS[r['weekday']]}  {on:7} {on_zh:3}  "
                     f"{why} {why_zh}{name}  {', '.join(r['periods'])}".rstrip())
    return "\n".join(lines)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """The calendar subcommand; connects itself, since reading works without the system."""
    try:
        return await _run(args, settings)
    except Usage as error:
        print(f"salesflow calendar: {error}", file=sys.stderr)
        return 2


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    words = list(args.words)
    action = words.pop(0) if words and not words[0][:1].isdigit() else "month"
    if action in ("holiday", "workday", "hours"):
        return await declare(action, words, args, settings)
    expected = {"month": (0, 1), "due": (2, 2), "between": (2, 2)}.get(action)
    if expected is None or not expected[0] <= len(words) <= expected[1]:
        raise Usage(f"cannot read {' '.join(args.words)!r}\n{USAGE}")
    hours = duration(words[1]) if action == "due" else 0.0  # refused before asking anyone
    calendar, names, _ = await company_calendar(settings)
    zone = ZoneInfo(calendar.zone)
    if action == "month":
        rows = day_rows(calendar, month_days(words[0] if words else None, calendar.zone), names)
        print(json_text(rows) if args.json else visible(render_month(rows, calendar.zone),
                                                        lines=True))
        return 0
    start = moment(words[0], calendar.zone)
    if action == "due":
        due = calendar.add_working_hours(start, hours).astimezone(zone)
        answer = {"start": start.astimezone(zone).isoformat(), "working_hours": hours,
                  "due": due.isoformat(), "zone": calendar.zone}
        text = (f"due 到期: {due:%Y-%m-%d %H:%M} {WEEKDAYS[due.weekday()]} ({calendar.zone}), "
                f"{hours:g} working hours 工作小时 after {start.astimezone(zone):%Y-%m-%d %H:%M}")
    else:
        end = moment(words[1], calendar.zone)
        hours = calendar.working_hours_between(start, end)
        answer = {"start": start.astimezone(zone).isoformat(),
                  "end": end.astimezone(zone).isoformat(), "working_hours": hours,
                  "zone": calendar.zone}
        text = (f"{hours:.2f} working hours 工作小时 from {start.astimezone(zone):%Y-%m-%d %H:%M} "
                f"to {end.astimezone(zone):%Y-%m-%d %H:%M} ({calendar.zone})")
    print(json_text(answer) if args.json else text)
    return 0


async def declare(action: str, words: list[str], args: argparse.Namespace,
                  settings: Settings) -> int:
    """Send an admin's entry to the sla service as ``--user`` in the admin role."""
    body: dict[str, Any] = {"actor": {"user": args.user, "role": "admin"}}
    if action == "holiday" and 1 <= len(words) <= 2 and args.name:
        name = "declare_holiday"
        body |= {"first_day": words[0], "last_day": words[-1], "title": args.name}
    elif action == "workday" and len(words) == 1 and args.name:
        name, body["day"], body["title"] = "declare_workday", words[0], args.name
    elif action == "hours" and not words and args.effective_from and args.weekdays and args.periods:
        name = "change_working_hours"
        body |= {"effective_from": args.effective_from, "weekdays": weekdays(args.weekdays),
                 "periods": periods(args.periods), "title": args.name or ""}
    else:
        raise Usage(f"{action} needs its days and --name (hours: --from, --weekdays, --periods)"
                    f"\n{USAGE}")
    client = await Client.open(settings)
    try:
        reply = await client.command("sla", name, body)
    finally:
        await client.close()
    if reply.error:
        print(visible(reply.error.sentence()))
        return 1
    print(f"{name.replace('_', ' ')}: recorded / 已记录 (from tomorrow at the earliest; "
          "see it with `salesflow calendar`)")
    return 0
