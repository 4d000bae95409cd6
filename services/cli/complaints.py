"""``salesflow complaints``, ``salesflow complaint-month`` and ``salesflow note-complaint-month``:
the Complaint Summary (客诉投诉汇总表, R-C2, R-C3, R-C5) and its month-end analysis per customer
and per problem with technical support's notes (R-C6)."""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from contracts.subjects import QUERY_COMPLAINT_MONTH, QUERY_COMPLAINTS
from services.cli import as_of
from services.cli.client import Client
from services.cli.months import add_month_parsers, counts, hours, notes, write_note
from services.cli.tables import json_text, render, sla_marks, visible
from services.runtime.settings import Settings

COMPLAINT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("complaint_no", "No. 编号"), ("received_at", "Received 接收"), ("channel", "Via 渠道"),
    ("customer", "Customer 客户"), ("salesperson", "Sales 业务"), ("product_model", "Model 型号"),
    ("problem", "Problem 问题"), ("severity", "Severity 严重度"), ("responsible", "Dept 责任部门"),
    ("form", "Form 处理单"), ("replied_at", "Replied 回复"), ("satisfaction", "Satisfied 满意"),
    ("closed_at", "Closed 结案"), ("marks", "Notes 备注"), ("flags", "SLA 时限"),
    ("status", "Status 状态"),
)
SEVERITY_ZH = {"minor": "轻微", "needs_data": "需资料", "complex": "复杂"}
FORM_ZH = {"filled": "已填", "signed": "已签核", "archived": "已归档"}


def add_parsers(sub: Any) -> None:
    """Add the complaint subcommands to ``salesflow``'s subparsers."""
    complaints = sub.add_parser("complaints", help="print the Complaint Summary / 客诉投诉汇总表")
    complaints.add_argument("--customer", help="only this customer")
    complaints.add_argument("--status", help="only this status, e.g. escalated or reopened")
    complaints.add_argument("--month", help="only complaints received in YYYY-MM")
    complaints.add_argument("--salesperson", help="only this salesperson's complaints")
    complaints.add_argument("--severity", choices=tuple(SEVERITY_ZH), help="only this severity")
    complaints.add_argument("--json", action="store_true", help="print JSON instead of a table")
    as_of.add_argument(complaints)
    add_month_parsers(sub, "complaint-month", "note-complaint-month", "the Complaint Summary",
                      "客诉月度分析：按客户、按问题 (R-C6)", "技术支持填写客诉月度分析说明")


def satisfaction(row: dict[str, Any]) -> str:
    """The customer's last word after the measures, and the CS supervisor's verification."""
    if row.get("verified_at"):
        return "verified 已确认"
    return {True: "yes 满意", False: "no 不满意"}.get(row.get("satisfied"), "")  # type: ignore[arg-type]


def marks(row: dict[str, Any]) -> str:
    """Where it came from, reopenings and the visit: what the columns do not show."""
    found = []
    if row.get("redirected_from"):
        found.append(f"from {row['redirected_from']} 转来")
    if row.get("reopen_count"):
        found.append(f"reopened {row['reopen_count']}x 重开")
    if row.get("visit_on"):
        found.append(f"visit 拜访 {row['visit_on']}")
    return ", ".join(found)


def complaint_cells(r: dict[str, Any]) -> dict[str, Any]:
    """A Complaint Summary row with the cells of COMPLAINT_COLUMNS worked out (also the Excel
    export's)."""
    return dict(r, status=f"{r['status']} {r.get('status_zh', '')}".strip(),
                problem=(r.get("category") or r.get("problem") or r.get("summary") or "")[:24],
                severity=f"{r['severity']} {SEVERITY_ZH[r['severity']]}" if r.get("severity") else "",
                form=(f"{r['form_no']} {r['form_status']} {FORM_ZH[r['form_status']]}"
                      if r.get("form_status") else ""),
                satisfaction=satisfaction(r), marks=marks(r), flags=", ".join(sla_marks(r)))


def complaints_table(rows: Sequence[dict[str, Any]], tz: tzinfo) -> str:
    if not rows:
        return "no complaints yet / 暂无客诉"
    return (render([complaint_cells(r) for r in rows], COMPLAINT_COLUMNS, tz)
            + f"\n{len(rows)} complaints / 共 {len(rows)} 条 (times in {tz})")


def _groups(title: str, groups: dict[str, dict[str, Any]]) -> list[str]:
    lines = [f"  {title}:"]
    lines += [f"    {name}: {g['complaints']} (open 未结 {g['open']}, closed 已结 {g['closed']}); "
              f"severity 严重度 {counts(g['by_severity'])}; to close 结案 "
              f"{hours(g['average_working_hours_to_close'])}; repeats 重复 {g['repeats']}"
              for name, g in groups.items()]
    return lines if groups else [*lines, "    -"]


def month_report(report: dict[str, Any]) -> str:
    lines = [
        f"Complaint month {report['month']} / {report['month']} 客诉月度分析",
        f"  complaints 客诉数: {report['complaints']} (open 未结案 {report['open']}, closed 已结案 "
        f"{report['closed']}, reopened 重开 {report['reopened']})",
        f"  by severity 按严重度: {counts(report['by_severity'])}",
        f"  by status 按状态: {counts(report['by_status'])}",
        f"  average working hours to close 平均结案工时: "
        f"{hours(report['average_working_hours_to_close'])}",
        f"  repeats, same customer and problem 同客户同问题重复: {report['repeats']}",
        *_groups("per customer 按客户", report["per_customer"]),
        *_groups("per problem 按问题类别", report["per_category"]),
        *_groups("by responsible department 按责任部门", report["by_responsible"]),
        "  repeated 重复投诉: " + ("; ".join(
            f"{r['customer']} / {r['category']}: {', '.join(r['complaints'])}"
            for r in report["repeated"]) or "none 无"),
    ]
    return "\n".join(lines + notes(report))


async def run(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    if args.command == "complaints":
        return await as_of.show(client, QUERY_COMPLAINTS, args, settings.zone(),
                                ("customer", "status", "month", "salesperson", "severity"),
                                complaints_table)
    if args.command == "complaint-month":
        report = await client.query(QUERY_COMPLAINT_MONTH, {"month": args.month})
        print(json_text(report) if args.json else visible(month_report(report), lines=True))
        return 0
    # R-C6: the analysis is technical support's, so are its notes.
    return await write_note(client, "note_complaint_month", args, settings.zone(),
                            role="technical_support")
