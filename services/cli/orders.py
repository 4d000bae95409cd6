"""``salesflow orders``, ``salesflow order-month`` and ``salesflow note-order-month``: the Order
Summary (订单汇总表, R-O3, R-O5) and its month-end analysis and notes (R-O6)."""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from contracts.subjects import QUERY_ORDER_MONTH, QUERY_ORDERS
from services.cli import as_of
from services.cli.client import Client
from services.cli.months import add_month_parsers, counts, hours, notes, write_note
from services.cli.tables import flags, json_text, render, visible
from services.runtime.settings import Settings

ORDER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("order_no", "No. 订单号"), ("po_no", "PO 客户单号"), ("received_at", "Date 日期"),
    ("customer", "Customer 客户"), ("salesperson", "Sales 业务"), ("product", "Product 产品"),
    ("ordered_qty", "Qty 数量"), ("promised_at", "Promised 交期"),
    ("pmc_replied_at", "PMC reply PMC回复"), ("customer_told_at", "Told 已告知客户"),
    ("qc", "QC 检验"), ("shipping_note_nos", "Note 出货单"), ("shipped", "Shipped 已出货"),
    ("exceptions", "Exc. 异常"), ("flags", "Flags 标记"), ("status", "Status 状态"),
)


def add_parsers(sub: Any) -> None:
    """Add the order subcommands to ``salesflow``'s subparsers."""
    orders = sub.add_parser("orders", help="print the Order Summary / 订单汇总表")
    orders.add_argument("--customer", help="only this customer")
    orders.add_argument("--status", help="only this status, e.g. rework or partly_shipped")
    orders.add_argument("--month", help="only orders received in YYYY-MM")
    orders.add_argument("--salesperson", help="only this salesperson's orders")
    orders.add_argument("--json", action="store_true", help="print JSON instead of a table")
    as_of.add_argument(orders)
    add_month_parsers(sub, "order-month", "note-order-month", "the Order Summary",
                      "订单月度分析 (R-O6)", "填写订单月度总结")


def order_flags(row: dict[str, Any]) -> str:
    """The sample table's marks (late, penalty, delay notice) and the customer not told the latest
    promised date (open exceptions have their own column)."""
    marks = [flags(row)] if flags(row) else []
    if row.get("customer_told_latest") is False:
        marks.append("date not told 交期未告知")
    return ", ".join(marks)


def qc(row: dict[str, Any]) -> str:
    """Lots passed of lots made, and how many needed rework (an imported order: the old table's
    QC cell)."""
    if not row.get("lot_count"):
        return str(row.get("qc_result") or "")
    passed = sum(1 for lot in row["lots"].values() if lot["result"] == "passed")
    reworked = f", {row['reworked_lots']} rework 返工" if row.get("reworked_lots") else ""
    return f"{passed}/{row['lot_count']} ok{reworked}"


def order_cells(r: dict[str, Any]) -> dict[str, Any]:
    """An Order Summary row with the cells of ORDER_COLUMNS worked out (also the Excel export's)."""
    return dict(r, status=f"{r['status']} {r.get('status_zh', '')}".strip(), flags=order_flags(r),
                product=(r.get("products") or "")[:24], qc=qc(r),
                shipped=f"{r['shipped_qty']}/{r['ordered_qty'] or '?'}" if r["shipped_qty"] else "",
                exceptions=(f"{r['exception_count']} ({r['exceptions_open']} open 未送达)"
                            if r["exceptions_open"]
                            else r["exception_count"] or r.get("exceptions_note") or ""))


def orders_table(rows: Sequence[dict[str, Any]], tz: tzinfo) -> str:
    if not rows:
        return "no orders yet / 暂无订单"
    return (render([order_cells(r) for r in rows], ORDER_COLUMNS, tz)
            + f"\n{len(rows)} orders / 共 {len(rows)} 单 (times in {tz})")


def month_report(report: dict[str, Any]) -> str:
    delivery = report["delivery"]
    rate = f"{delivery['on_time_rate']:.0%}" if delivery["on_time_rate"] is not None else "-"
    rework = f"{report['rework_rate']:.0%}" if report["rework_rate"] is not None else "-"
    lines = [
        f"Order month {report['month']} / {report['month']} 订单月度分析",
        f"  orders 订单数: {report['orders']}, ordered 订购 {report['ordered_qty']}, "
        f"shipped 已出货 {report['shipped_qty']}",
        f"  by status 按状态: {counts(report['by_status'])}",
        f"  by customer 按客户: {counts(report['by_customer'])}",
        f"  delivery vs latest promise 按最新交期: on time 准时 {delivery['on_time']}, "
        f"late 逾期 {delivery['late']}, on-time rate 准时率 {rate}",
        f"  PMC reply 交期回复 (working hours 工时): average 平均 "
        f"{hours(report['average_pmc_reply_working_hours'])} over {report['pmc_replies']}",
        f"  customer told 告知客户 (working hours 工时): average 平均 "
        f"{hours(report['average_customer_notice_working_hours'])} over {report['customer_notices']}",
        f"  exceptions 异常: {report['exceptions']} ({report['exceptions_open']} open 未送达); "
        f"by kind 按类别: {counts(report['exceptions_by_kind'])}",
        f"  lots inspected 已检批次: {report['lots_inspected']}, reworked 返工 "
        f"{report['lots_reworked']}, rework rate 返工率 {rework}",
        f"  delay notices 延期通知: {report['delay_notices']} "
        f"({report['delay_notices_timely']} timely 及时)",
        "  late 逾期: " + (", ".join(report["late"]) or "none 无"),
        "  penalty requests 处罚申请: " + (", ".join(report["penalties"]) or "none 无"),
    ]
    return "\n".join(lines + notes(report))


async def run(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    if args.command == "orders":
        return await as_of.show(client, QUERY_ORDERS, args, settings.zone(),
                                ("customer", "status", "month", "salesperson"), orders_table)
    if args.command == "order-month":
        report = await client.query(QUERY_ORDER_MONTH, {"month": args.month})
        print(json_text(report) if args.json else visible(month_report(report), lines=True))
        return 0
    return await write_note(client, "note_order_month", args, settings.zone())
