"""``salesflow customers`` and ``salesflow customer-file``: customers and their file (R-S1, R-S2)."""
from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import tzinfo
from typing import Any

from events.customers import ContactDepartment, DocumentCategory
from services.cli.client import Client
from services.cli.tables import json_text, render, visible
from contracts.subjects import QUERY_CUSTOMER_FILE, QUERY_CUSTOMERS
from services.runtime.settings import Settings

CUSTOMER_COLUMNS: tuple[tuple[str, str], ...] = (
    ("customer_no", "No. 编号"), ("name", "Customer 客户"), ("contact_person", "Contact 联系人"),
    ("salesperson", "Sales 业务"), ("assistant", "Asst. 助理"), ("status", "Status 状态"),
    ("disclosures", "Approved 已批准部门"), ("submitted_at", "Submitted 提交"),
    ("window_sent_at", "Window 联络窗口"),
)
DOCUMENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("category", "Category 类别"), ("filed_on", "Filed 日期"), ("title", "Title 标题"),
    ("filename", "File 文件名"), ("size", "Size 大小"), ("filed_by", "By 归档人"),
    ("sha256", "SHA-256"),
)
STATUS_ZH = {"submitted": "已提交", "confirmed": "已确认", "window_sent": "已发联络窗口"}


def add_parsers(sub: Any) -> None:
    """Add the customer subcommands to ``salesflow``'s subparsers."""
    customers = sub.add_parser("customers", help="list the customers and their onboarding / 客户列表")
    customers.add_argument("--json", action="store_true", help="print JSON instead of a table")
    file = sub.add_parser("customer-file", help="one customer's electronic file, by category and "
                                                "date / 客户电子档案")
    file.add_argument("customer_no", metavar="CUSTOMER_NO", help="customer number")
    file.add_argument("--category", choices=[c.value for c in DocumentCategory],
                      help="only this category")
    file.add_argument("--json", action="store_true", help="print JSON instead of a table")


def customers_table(rows: Sequence[dict[str, Any]], tz: tzinfo) -> str:
    if not rows:
        return "no customers yet / 暂无客户"
    shown = [dict(r, status=f"{r['status']} {STATUS_ZH.get(r['status'], '')}".strip(),
                  disclosures=", ".join(f"{d} {ContactDepartment(d).zh}"
                                        for d in r["disclosures"].split(",") if d))
             for r in rows]
    return render(shown, CUSTOMER_COLUMNS, tz) + f"\n{len(rows)} customers / 共 {len(rows)} 个客户"


def file_table(reply: dict[str, Any], customer_no: str, tz: tzinfo) -> str:
    customer, docs = reply["customer"], reply["documents"]
    head = visible(f"{customer_no} {customer['name']} (sales 业务 {customer['salesperson']}, "
                   f"assistant 助理 {customer['assistant'] or '-'})" if customer else customer_no)
    if not docs:
        return f"{head}\nno documents filed / 暂无归档资料"
    shown = [dict(d, category=f"{d['category']} {DocumentCategory(d['category']).zh}",
                  size=_size(d["size"]), sha256=d["sha256"][:12]) for d in docs]
    return (f"{head}\n" + render(shown, DOCUMENT_COLUMNS, tz)
            + f"\n{len(docs)} documents / 共 {len(docs)} 份资料")


def _size(size: int) -> str:
    return f"{size} B" if size < 1024 else (f"{size / 1024:.0f} KB" if size < 2**20
                                            else f"{size / 2**20:.1f} MB")


async def run(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    """Run ``customers`` or ``customer-file``; 1 when the customer is unknown."""
    if args.command == "customers":
        rows = await client.query(QUERY_CUSTOMERS, {})
        print(_json(rows) if args.json else customers_table(rows, settings.zone()))
        return 0
    query = {"customer_no": args.customer_no}
    if args.category:
        query["category"] = args.category
    reply = await client.query(QUERY_CUSTOMER_FILE, query)
    if args.json:
        print(_json(reply))
    elif reply["customer"] is None and not reply["documents"]:
        print(visible(f"no customer {args.customer_no} / 没有客户 {args.customer_no}"))
        return 1
    else:
        print(file_table(reply, args.customer_no, settings.zone()))
    return 0


def _json(value: Any) -> str:
    return json_text(value)
