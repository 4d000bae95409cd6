"""Importing the Complaint Summary (客诉投诉汇总表, R-C2, R-C3): which columns are read, under
which header spellings, which status, severity, channel and department spellings mean what, and
how a row becomes one ``import_complaint`` command for sales.

Headers include the export's (``services.cli.complaints.COMPLAINT_COLUMNS``: "No. 编号", each half
alone too), DOMAIN.md's column names in Chinese and common variants. The export's "Problem 问题"
column holds the problem category (else the problem): read as the problem, and as its category
when the row has no category of its own. Severities follow the company's three levels: minor
(轻微), needs another department's data (一般 / 需资料), complex (严重 / 复杂). A row without a
status is closed when it has a closed date, registered when it names the salesperson and the
product model, else only received. The Notes and SLA columns are the system's own: not read.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from pydantic import ValidationError

from contracts.commands.imports_complaints import ImportComplaint
from events.envelope import Actor
from events.imports import ImportSource
from services.imports import cells
from services.imports.table import TableImport
from services.sales.complaint_rules import before_receipt, import_gap

HEADERS: dict[str, tuple[str, ...]] = {
    "complaint_no": ("No. 编号", "No.", "No", "编号", "客诉编号", "投诉编号", "客诉单号",
                     "Complaint No", "Complaint number", "complaint_no"),
    "received_at": ("Received 接收", "Received", "接收", "接收时间", "接收日期", "投诉日期",
                    "投诉时间", "客诉日期", "Received at", "Date received", "received_at"),
    "channel": ("Via 渠道", "Via", "渠道", "投诉渠道", "接收渠道", "投诉方式", "Channel"),
    "received_by": ("接收人", "受理人", "Received by", "received_by"),
    "customer": ("Customer 客户", "Customer", "客户", "客户名称", "Customer name"),
    "salesperson": ("Sales 业务", "Sales", "业务", "业务员", "负责业务", "Salesperson"),
    "product_model": ("Model 型号", "Model", "型号", "产品型号", "品名型号", "Product model",
                      "product_model"),
    "shipping_date": ("出货日期", "出货日", "Shipping date", "Ship date", "Shipped",
                      "shipping_date"),
    "batch": ("批号", "批次", "Batch", "Lot", "Lot no", "Batch no"),
    "problem": ("Problem 问题", "Problem", "问题", "问题描述", "投诉内容", "客诉内容",
                "Problem description", "Complaint"),
    "category": ("问题类别", "问题分类", "类别", "Category", "Problem category"),
    "order_no": ("订单编号", "订单号", "Order no", "Order number", "order_no"),
    "severity": ("Severity 严重度", "Severity", "严重度", "严重程度", "等级", "严重等级"),
    "responsible": ("Dept 责任部门", "Dept", "责任部门", "Responsible", "Responsible department",
                    "Department"),
    "form": ("Form 处理单", "Form", "处理单", "处理单号", "客诉处理单", "Form no",
             "Handling form"),
    "form_signed_by": ("签核", "签核人", "签名", "Signed by", "Signature"),
    "measures": ("改善对策", "对策", "纠正措施", "处理措施", "Measures", "Corrective measures"),
    "reply": ("回复内容", "答复内容", "Reply", "Reply text"),
    "replied_at": ("Replied 回复", "Replied", "回复", "回复时间", "回复日期", "答复日期",
                   "Replied at"),
    "satisfaction": ("Satisfied 满意", "Satisfied", "满意", "满意度", "客户满意度",
                     "Satisfaction"),
    "new_requirement": ("新要求", "客户新要求", "New requirement"),
    "closed_at": ("Closed 结案", "Closed", "结案", "结案日期", "结案时间", "Closed at",
                  "Closed date"),
    "status": ("Status 状态", "Status", "状态", "处理状态", "进度"),
}

# Canonical stage -> accepted spellings: Chinese, English, and the export's "status status_zh".
STATUSES: dict[str, tuple[str, ...]] = {
    "received": ("已接收", "接收", "待处理", "新", "new", "received 已接收"),
    "forwarded": ("已转技术支持", "已转交技术支持", "转技术支持", "forwarded to technical support",
                  "forwarded 已转技术支持"),
    "registered": ("已登记", "登记", "registered 已登记"),
    "judged": ("已判定严重度", "已判定严重程度", "已判定", "judged 已判定严重度"),
    "form_filled": ("已填处理单", "处理单已填写", "form filled", "form_filled 已填处理单"),
    "form_signed": ("处理单已签核", "已签核", "form signed", "form_signed 处理单已签核"),
    "escalated": ("已转责任部门", "已提交责任部门", "处理中", "责任部门处理中", "in progress",
                  "escalated 已转责任部门"),
    "measures_recorded": ("已录改善对策", "已登记改善对策", "对策已录", "measures recorded",
                          "measures_recorded 已录改善对策"),
    "replied": ("已回复客户", "已答复客户", "已回复", "已答复", "replied 已回复客户"),
    "reopened": ("重新处理", "重开", "reopened 重新处理"),
    "satisfied": ("客户满意", "满意", "satisfied 客户满意"),
    "verified": ("满意度已确认", "已确认", "verified 满意度已确认"),
    "closed": ("已结案", "结案", "已关闭", "关闭", "已完成", "完成", "done", "finished",
               "closed 已结案"),
}
SEVERITIES: dict[str, tuple[str, ...]] = {
    "minor": ("轻微", "轻", "低", "low", "minor 轻微"),
    "needs_data": ("需资料", "需其他部门提供资料", "需要资料", "一般", "中", "medium", "moderate",
                   "needs data", "needs_data 需资料"),
    "complex": ("复杂", "严重", "重大", "高", "high", "serious", "major", "complex 复杂"),
}
CHANNELS: dict[str, tuple[str, ...]] = {
    "phone": ("电话", "tel", "telephone", "call"),
    "fax": ("传真",),
    "visit": ("来访", "客户来访", "到访"),
    "sales_visit": ("业务拜访", "拜访", "拜访时提出", "sales visit"),
    "email": ("邮件", "电子邮件", "e-mail", "mail"),
}
DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "production": ("生产", "生产部", "PMC", "prod"),
    "quality": ("品质", "品质部", "质量", "质量部", "QC", "QA"),
    "engineering": ("工程", "工程部", "eng"),
    "sales": ("业务", "业务部", "市场部", "销售"),  # a minor complaint: sales answers it
}
SATISFACTION: dict[str, tuple[str, ...]] = {
    "yes": ("满意", "是", "y", "ok", "satisfied", "verified", "已确认", "verified 已确认",
            "yes 满意"),
    "no": ("不满意", "否", "n", "ng", "not satisfied", "no 不满意"),
}
FORM_STATUSES = {"filled", "signed", "archived", "已填", "已签核", "已归档"}
_FORM_STATUSES = frozenset(cells.normalize(s) for s in FORM_STATUSES)  # once, not every row
TEXT_LIMITS = {"received_by": 80, "customer": 120, "salesperson": 80, "product_model": 120,
               "batch": 60, "problem": 2000, "category": 60, "order_no": 40,
               "form_signed_by": 80, "measures": 2000, "reply": 2000, "new_requirement": 1000}


def _form_no(value: Any) -> str | None:
    """The form's number from "F-7 signed 已签核" (the export) or "F-7"."""
    shown = cells.text(value, "form", max_length=120)
    if shown is None:
        return None
    first = shown.split()[0]
    return None if cells.normalize(first) in _FORM_STATUSES else first


def _stage(row: Mapping[str, Any], closed: datetime | None) -> str:
    found = cells.choice(row.get("status"), "status", STATUSES)
    if found is not None:
        return found
    if closed is not None:
        return "closed"
    return "registered" if row.get("salesperson") and row.get("product_model") else "received"


def to_command(row: Mapping[str, Any], source: ImportSource, actor: Actor, zone: tzinfo,
               now: datetime) -> ImportComplaint:
    """One Complaint Summary row as ``import_complaint``; ``cells.CellRefused`` names the column."""
    texts = {f: cells.text(row.get(f), f, max_length=n) for f, n in TEXT_LIMITS.items()}
    closed = cells.moment(row.get("closed_at"), "closed_at", zone, latest=now)
    responsible = cells.choice(row.get("responsible"), "responsible", DEPARTMENTS)
    satisfied = cells.choice(row.get("satisfaction"), "satisfaction", SATISFACTION)
    problem = texts["problem"]
    facts: dict[str, Any] = {
        **texts,
        "complaint_no": cells.text(row.get("complaint_no"), "complaint_no", max_length=40,
                                   required=True),
        "source": source, "actor": actor,
        "stage": _stage({**row, **texts}, closed),
        "received_at": cells.moment(row.get("received_at"), "received_at", zone, required=True,
                                    latest=now),
        "channel": cells.choice(row.get("channel"), "channel", CHANNELS),
        "shipping_date": cells.day(row.get("shipping_date"), "shipping_date", zone, latest=now),
        "category": texts["category"] or (problem[:60] if problem else None),
        "severity": cells.choice(row.get("severity"), "severity", SEVERITIES),
        "responsible": None if responsible == "sales" else responsible,
        "form_no": _form_no(row.get("form")),
        "replied_at": cells.moment(row.get("replied_at"), "replied_at", zone, latest=now),
        "satisfied": None if satisfied is None else satisfied == "yes",
        "closed_at": closed,
    }
    if problem is None:
        raise cells.CellRefused("problem", "is empty but required", "不能为空")
    if facts["customer"] is None:
        raise cells.CellRefused("customer", "is empty but required", "不能为空")
    try:
        command = ImportComplaint.model_validate(facts, context={"now": now})
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "row"
        ctx = first.get("ctx") or {}
        en = str(ctx.get("en") or first["msg"])
        zh = str(ctx.get("zh") or f"不符合要求：{first['msg']}")
        raise cells.CellRefused(field, en, zh) from None
    # what the stage needs (R-C2, R-C3), dates in order: flat fields, so the command's own
    # values do (a model_dump per row cost more than reading the row's cells)
    facts = dict(command)
    gap = import_gap(command.stage, facts) or before_receipt(facts, command.received_at)
    if gap is not None:
        why = f" ({gap.rule})" if gap.rule else ""
        raise cells.CellRefused(gap.field or "status", gap.en + why, gap.zh + why)
    return command


TABLE = TableImport(
    table="complaints", title_en="Complaint Summary", title_zh="客诉投诉汇总表",
    department="sales", headers=HEADERS,
    required=frozenset({"complaint_no", "received_at", "customer", "problem"}),
    key="complaint_no", to_command=to_command, statuses=STATUSES)
