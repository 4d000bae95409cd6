"""``salesflow sla``: the service-level clocks (DOMAIN.md "Service-level clocks"): breaches and
at-risk runs first, who answers for them, and the working time left or overdue."""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any, get_args

from contracts.queries import SLA_ATTENTION, SlaState
from contracts.subjects import QUERY_SLA
from services.cli import as_of
from services.cli.client import Client
from services.cli.tables import cell, json_text, render
from services.runtime.settings import Settings

SLA_COLUMNS: tuple[tuple[str, str], ...] = (
    ("state", "State 状态"), ("clock", "Clock 时限"), ("rules", "Rule 规则"),
    ("record", "Record 单号"), ("run", "Run 轮次"), ("started", "Started 开始"),
    ("due", "Due 到期"), ("left", "Left 剩余工时"), ("stopped", "Done 完成"),
    ("paused_hours", "Paused h 暂停"), ("used", "Used h 已用"), ("department", "Dept 部门"),
    ("person", "Who 责任人"), ("alert", "Alert 预警"),
)


def add_parser(sub: Any) -> None:
    sla = sub.add_parser("sla", help="breaches and at-risk items of every service-level clock "
                                     "/ 超时与临近超时事项")
    sla.add_argument("--all", action="store_true", help="every run, also running and met ones")
    sla.add_argument("--state", action="append", choices=get_args(SlaState),
                     help="only runs in this state (repeatable; default: breached and at_risk)")
    sla.add_argument("--clock", help="only this clock, e.g. SLA-PMC-REPLY")
    sla.add_argument("--department", help="only clocks this department answers for, e.g. production")
    sla.add_argument("--person", help="only runs this person answers for")
    sla.add_argument("--record", help="only this sample request, order or complaint number")
    sla.add_argument("--json", action="store_true", help="print JSON instead of a table")
    as_of.add_argument(sla)


def query(args: argparse.Namespace, zone: tzinfo) -> dict[str, Any]:
    """The QUERY_SLA payload of ``salesflow sla``'s arguments."""
    states = None if args.all else (args.state or list(SLA_ATTENTION))
    wanted: dict[str, Any] = {"states": states, "clock": args.clock,
                              "department": args.department, "person": args.person,
                              "record": args.record}
    return {k: v for k, v in wanted.items() if v} | as_of.query(args, zone)


def left(row: dict[str, Any]) -> str:
    """Working time left, or overdue, of an open run."""
    hours = row.get("left_hours")
    if hours is None:
        return ""
    if hours < 0:
        return f"{-hours:.1f}h overdue 超时"
    return f"{hours:.1f}h"


def alert(row: dict[str, Any], tz: tzinfo) -> str:
    """When the live alert was raised (and how late, when salesflow was down at the moment)."""
    for key, label in (("breach_alert", "breach 超时"), ("at_risk_alert", "at risk 预警")):
        if row.get(f"{key}_at"):
            late = row.get(f"{key}_late_seconds") or 0
            return (f"{label} {cell(row[f'{key}_at'], tz)}"
                    + (f" (+{late:.0f}s)" if late >= 1 else ""))
    return ""


def sla_table(rows: Sequence[dict[str, Any]], tz: tzinfo) -> str:
    if not rows:
        return "no clock runs to show / 暂无时限事项"
    shown = [dict(r, state=f"{r['state']} {r['state_zh']}", clock=f"{r['clock']} {r['title_zh']}",
                  rules=" ".join(r["rules"]), left=left(r), alert=alert(r, tz),
                  used="" if r.get("used_hours") is None else f"{r['used_hours']:g}",
                  person=r.get("person") or r.get("role"))
             for r in rows]
    breached = sum(1 for r in rows if r["state"] == "breached")
    at_risk = sum(1 for r in rows if r["state"] == "at_risk")
    return (render(shown, SLA_COLUMNS, tz)
            + f"\n{len(rows)} runs, {breached} breached, {at_risk} at risk / 共 {len(rows)} 项，"
              f"超时 {breached}，临近超时 {at_risk} (times in {tz})")


async def run(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    zone = settings.zone()
    rows = await client.query(QUERY_SLA, query(args, zone))
    print(json_text(rows) if args.json else as_of.title(args, zone) + sla_table(rows, zone))
    return 0
