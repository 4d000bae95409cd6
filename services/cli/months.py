"""``salesflow sample-month`` and ``salesflow note-month``: the month-end analysis (R-S8)."""
from __future__ import annotations

import argparse
import getpass
import os
from datetime import tzinfo
from typing import Any

from contracts.subjects import QUERY_SAMPLE_MONTH
from services.cli import business_time
from services.cli.tables import json_text, visible
from services.runtime.settings import Settings


def add_parsers(sub: Any) -> None:
    add_month_parsers(sub, "sample-month", "note-month", "the Sample Record Summary",
                      "打样月度分析 (R-S8)", "填写月度总结")


def add_month_parsers(sub: Any, analysis: str, note: str, table: str, analysis_zh: str,
                      note_zh: str) -> None:
    """The month-end analysis of one summary table and the command writing its notes."""
    month = sub.add_parser(analysis, help=f"month-end analysis of {table} / {analysis_zh}")
    month.add_argument("month", help="YYYY-MM")
    month.add_argument("--json", action="store_true", help="print JSON instead of text")
    writer = sub.add_parser(note, help=f"write the month-end summary under the month's {table} "
                                       f"/ {note_zh}")
    writer.add_argument("month", help="YYYY-MM")
    writer.add_argument("text", help="the summary text")
    writer.add_argument("--user", default=os.environ.get("SALESFLOW_USER") or getpass.getuser(),
                        help="who writes it (default: $SALESFLOW_USER or your login)")
    business_time.add_argument(writer)


def hours(value: float | None) -> str:
    """Working hours in a month report."""
    return f"{value:.1f} h" if value is not None else "-"


def counts(found: dict[str, int]) -> str:
    """``{"ok": 3, "ng": 1}`` as ``ok 3, ng 1`` in a month report."""
    return ", ".join(f"{k} {v}" for k, v in found.items()) or "-"


def notes(report: dict[str, Any]) -> list[str]:
    """The month's notes under its figures, oldest first."""
    lines = ["Notes 月度总结:"]
    lines += [f"  {n['noted_at'][:10]} {n['noted_by']}: {n['text']}" for n in report["notes"]]
    if not report["notes"]:
        lines.append("  (none yet / 暂无)")
    return lines


async def write_note(client: Any, command: str, args: argparse.Namespace, zone: tzinfo,
                     role: str = "sales_assistant") -> int:
    """Send a month's note as ``--user`` in ``role`` (the assistant writes the sample and order
    notes, technical support the complaint analysis), at ``--occurred-at`` (in ``zone`` unless
    it has an offset) if given; print the refusal if any."""
    reply = await client.command("sales", command, {
        "actor": {"user": args.user, "role": role}, "month": args.month,
        "text": args.text, **business_time.field(args, zone)})
    if reply.error:
        print(visible(reply.error.sentence()))
        return 1
    print(f"noted under {args.month} / 已记录")
    return 0


def render(report: dict[str, Any]) -> str:
    trials = report["trials"]
    rate = f"{trials['ok_rate']:.0%}" if trials["ok_rate"] is not None else "-"
    hours = report["average_working_hours_to_make"]
    lines = [
        f"Sample month {report['month']} / {report['month']} 打样月度分析",
        f"  samples 打样数: {report['samples']}",
        "  by status 按状态: " + (", ".join(f"{k} {v}" for k, v in report["by_status"].items()) or "-"),
        "  by customer 按客户: " + (", ".join(f"{k} {v}" for k, v in report["by_customer"].items())
                                  or "-"),
        f"  trials, every round 试用（含各轮）: OK {trials['ok']}, NG {trials['ng']}, "
        f"OK rate 合格率 {rate}",
        f"  made 完成打样: {report['made']}, average working hours 平均工时: "
        + (f"{hours:.1f} h" if hours is not None else "-"),
        "  late 逾期: " + (", ".join(report["late"]) or "none 无"),
        "  penalty requests 处罚申请: " + (", ".join(report["penalties"]) or "none 无"),
    ]
    return "\n".join(lines + notes(report))


async def run(args: argparse.Namespace, settings: Settings, client: Any) -> int:
    if args.command == "sample-month":
        report = await client.query(QUERY_SAMPLE_MONTH, {"month": args.month})
        if isinstance(report, dict) and set(report) == {"error"}:  # e.g. not a real month
            error = report["error"]
            print(visible(f"{error['kind']} [{error.get('field') or '-'}]: {error['message_en']} "
                          f"/ {error['message_zh']}"))
            return 1
        print(json_text(report) if args.json else visible(render(report), lines=True))
        return 0
    return await write_note(client, "note_sample_month", args, settings.zone())
