"""The Sample Record Summary (打样记录汇总表) import: its columns, its statuses, and a row as the
sales command ``import_sample`` (issue 12, R-S5).

Columns read: those of DOMAIN.md's table and of salesflow's own export
(``services.cli.tables.SAMPLE_COLUMNS``), so an export imports back. The export's ``Price``
and ``Flags`` columns are not read: the price status follows from the status, and the SLA flags
are worked out again. The export's ``Shipped`` cell holds a tracking number or how it was
shipped; its ``Trial`` cell the result and the cause (``ng burr on edge``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from pydantic import ValidationError

from contracts.commands.imports_samples import ImportSample
from events.envelope import Actor
from events.imports import ImportSource
from services.imports import cells
from services.imports.table import TableImport

# The statuses of the table: canonical (the summary's own) -> how people wrote them.
STATUSES: dict[str, tuple[str, ...]] = {
    "requested": ("已申请", "申请", "待报价", "new", "request", "requested 已申请"),
    "costed": ("已核价", "核价", "已评估", "costing done", "costed 已核价"),
    "quoted": ("已报价", "报价", "quotation", "quoted 已报价"),
    "signed": ("报价已签核", "已签核", "quotation signed", "signed 报价已签核"),
    "sent": ("报价已发客户", "已发报价", "报价已寄", "quotation sent", "sent 报价已发客户"),
    "price_rejected": ("客户拒价(已上报)", "客户拒价", "拒价", "price rejected", "rejected",
                       "price_rejected 客户拒价(已上报)"),
    "closed": ("已结案", "结案", "关闭", "close", "closed 已结案"),
    "price_approved": ("价格已确认", "已确认价格", "价格确认", "price approved", "approved",
                       "price_approved 价格已确认"),
    "order_chasing": ("跟催订单", "跟单", "催单", "chasing order", "order chase",
                      "order_chasing 跟催订单"),
    "round_started": ("重新打样", "重打", "new round", "resample", "round_started 重新打样"),
    "application_opened": ("已开申请单", "已开单", "申请单已开", "application opened",
                           "application_opened 已开申请单"),
    "application_approved": ("申请单已审核", "已审核", "application approved",
                             "application_approved 申请单已审核"),
    "job_opened": ("工程已接单", "工程接单", "job opened", "job_opened 工程已接单"),
    "scheduled": ("已排打样", "已排程", "排期", "scheduled 已排打样"),
    "in_production": ("生产中", "打样中", "制作中", "in production", "producing", "wip",
                      "in_production 生产中"),
    "promised": ("已承诺交期", "已回交期", "交期已承诺", "promised", "delivery promised",
                 "promised 已承诺交期"),
    "completed": ("样品完成", "已完成", "完成", "done", "finished", "completed 样品完成"),
    "returned": ("已交回业务", "已交业务", "交回业务", "returned to sales", "returned 已交回业务"),
    "shipped": ("已寄样", "已寄出", "寄样", "已送样", "sent to customer", "shipped 已寄样"),
    "received": ("客户已签收", "已签收", "签收", "delivered", "received 客户已签收"),
    "trial_ok": ("试用OK", "试用合格", "试样OK", "OK", "trial ok", "passed", "trial_ok 试用OK"),
    "trial_ng": ("试用NG", "试用不合格", "试样NG", "NG", "trial ng", "failed", "trial_ng 试用NG"),
    "ng_fix_agreed": ("NG已协商对策", "已协商对策", "NG对策", "fix agreed", "ng fix agreed",
                      "ng_fix_agreed NG已协商对策"),
    "approval_signed": ("承认书已签回", "已承认", "承认书签回", "approved sample", "approval signed",
                        "approval_signed 承认书已签回"),
}
DIES: dict[str, tuple[str, ...]] = {
    "simple": ("简单", "易", "低", "easy", "s", "12h", "12"),
    "normal": ("一般", "普通", "中", "medium", "n", "24h", "24"),
    "complex": ("复杂", "难", "高", "hard", "difficult", "c", "48h", "48"),
}
METHODS: dict[str, tuple[str, ...]] = {
    "courier": ("快递", "寄快递", "express", "顺丰", "sf"),
    "salesperson": ("业务送", "业务员送", "亲送", "送货", "hand delivered", "by salesperson", "自送"),
}
TRIALS: dict[str, tuple[str, ...]] = {"ok": ("合格", "通过", "pass", "passed"),
                                      "ng": ("不合格", "不通过", "fail", "failed")}

NUMBER = re.compile(r"^[A-Za-z0-9_-]+$")
HEADERS: dict[str, tuple[str, ...]] = {
    "request_no": ("No. 编号", "No.", "编号", "打样编号", "打样单号", "申请编号", "打样申请编号",
                   "request no", "request no.", "sample no", "request number"),
    "requested_at": ("Date 日期", "Date", "日期", "申请日期", "打样日期", "request date",
                     "requested", "requested at"),
    "customer": ("Customer 客户", "Customer", "客户", "客户名称", "customer name"),
    "salesperson": ("Sales 业务", "Sales", "业务", "业务员", "salesperson", "sales person"),
    "assistant": ("业务助理", "助理", "assistant", "sales assistant"),
    "product": ("产品", "产品名称", "品名", "product"),
    "part_no": ("料号", "产品料号", "part no", "part no.", "part number", "p/n"),
    "die_difficulty": ("Die 刀模", "Die", "刀模", "刀模难度", "难度", "die difficulty"),
    "quotation_no": ("Quote 报价", "Quote", "报价", "报价单号", "报价编号", "quotation no",
                     "quotation no.", "quotation"),
    "application_no": ("申请单号", "样品加工申请单号", "加工申请单号", "application no",
                       "application no."),
    "round": ("Rd 轮", "Rd", "轮", "轮次", "打样轮次", "round"),
    "scheduled_for": ("排期", "计划打样时间", "排打样时间", "scheduled", "scheduled for"),
    "promised_at": ("Promised 承诺", "Promised", "承诺", "承诺交期", "承诺时间", "交期",
                    "promised at", "promised time"),
    "completed_at": ("Done 完成", "Done", "完成", "完成时间", "完成日期", "completed",
                     "completed at"),
    "shipped": ("Shipped 寄样", "Shipped", "寄样"),
    "shipped_method": ("寄样方式", "寄送方式", "shipped how", "shipping method", "method"),
    "courier": ("快递公司", "courier"),
    "tracking_no": ("快递单号", "运单号", "tracking no", "tracking no.", "tracking number"),
    "received_on": ("签收日期", "客户签收日期", "收货日期", "received", "received on",
                    "receipt date"),
    "trial": ("Trial 试用", "Trial", "试用"),
    "trial_result": ("试用结果", "试样结果", "trial result"),
    "trial_cause": ("NG原因", "不良原因", "原因", "trial cause", "cause", "ng cause"),
    "approval_ref": ("承认书", "样品承认书", "承认书编号", "approval", "approval sign-off",
                     "sample approval"),
    "status": ("Status 状态", "Status", "状态", "进度", "生产状态", "打样状态"),
}


def to_command(row: Mapping[str, Any], source: ImportSource, actor: Actor, zone: tzinfo,
               now: datetime) -> ImportSample:
    """The ``import_sample`` command of one row; ``cells.CellRefused`` names a bad cell."""
    number = cells.text(row.get("request_no"), "request_no", max_length=40, required=True)
    if number is not None and not NUMBER.match(number):
        raise cells.CellRefused("request_no", f"{number!r} may hold only letters, digits, - and _",
                                f"{number!r} 只能包含字母、数字、- 和 _")
    method, tracking = _shipped(row)
    result, cause = _trial(row)
    facts = {
        "request_no": number,
        "requested_at": cells.moment(row.get("requested_at"), "requested_at", zone,
                                     required=True, latest=now),
        "status": cells.choice(row.get("status"), "status", STATUSES, required=True),
        "customer": cells.text(row.get("customer"), "customer", max_length=120, required=True),
        "salesperson": cells.text(row.get("salesperson"), "salesperson", max_length=120),
        "assistant": cells.text(row.get("assistant"), "assistant", max_length=120),
        "product": cells.text(row.get("product"), "product", max_length=120),
        "part_no": cells.text(row.get("part_no"), "part_no", max_length=60),
        "die_difficulty": cells.choice(row.get("die_difficulty"), "die_difficulty", DIES),
        "quotation_no": cells.text(row.get("quotation_no"), "quotation_no", max_length=60),
        "application_no": cells.text(row.get("application_no"), "application_no", max_length=60),
        "round": cells.integer(row.get("round"), "round", low=1, high=99) or 1,
        "scheduled_for": cells.moment(row.get("scheduled_for"), "scheduled_for", zone),
        "promised_at": cells.moment(row.get("promised_at"), "promised_at", zone),
        "completed_at": cells.moment(row.get("completed_at"), "completed_at", zone, latest=now),
        "shipped_method": method,
        "courier": cells.text(row.get("courier"), "courier", max_length=60),
        "tracking_no": tracking,
        "received_on": cells.day(row.get("received_on"), "received_on", zone, latest=now),
        "trial_result": result,
        "trial_cause": cause,
        "approval_ref": cells.text(row.get("approval_ref"), "approval_ref", max_length=60),
    }
    try:
        return ImportSample.model_validate({**facts, "source": source, "actor": actor},
                                           context={"now": now})
    except ValidationError as error:
        raise refused(error) from None


def refused(error: ValidationError) -> cells.CellRefused:
    """The contract's first refusal as a refused cell, naming its field in both languages."""
    first = error.errors()[0]
    context = first.get("ctx") or {}
    field = str(first["loc"][0]) if first["loc"] else str(context.get("en", "row")).split(":")[0]
    en = str(context.get("en") or first["msg"])
    zh = str(context.get("zh") or f"不符合要求：{first['msg']}")
    return cells.CellRefused(field, en, zh)


def _shipped(row: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """How it was shipped and its tracking number, from their own columns or the export's
    ``Shipped`` cell (a tracking number, or ``courier`` / ``salesperson``)."""
    method = cells.choice(row.get("shipped_method"), "shipped_method", METHODS)
    tracking = cells.text(row.get("tracking_no"), "tracking_no", max_length=60)
    shipped = cells.text(row.get("shipped"), "shipped", max_length=60)
    if shipped:
        try:
            method = method or cells.choice(shipped, "shipped", METHODS)
        except cells.CellRefused:  # not a way of shipping: a tracking number
            tracking, method = tracking or shipped, method or "courier"
    if tracking and method is None:
        method = "courier"
    return method, tracking


def _trial(row: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The trial's result and cause, from their own columns or the export's ``Trial`` cell."""
    result = cells.choice(row.get("trial_result"), "trial_result", TRIALS)
    cause = cells.text(row.get("trial_cause"), "trial_cause", max_length=1000)
    both = cells.text(row.get("trial"), "trial", max_length=1000)
    if both:
        head, _, rest = both.partition(" ")
        result = result or cells.choice(head, "trial", TRIALS, required=True)
        cause = cause or rest.strip() or None
    return result, cause


TABLE = TableImport(
    table="samples", title_en="Sample Record Summary", title_zh="打样记录汇总表",
    department="sales", headers=HEADERS,
    required=frozenset({"request_no", "requested_at", "customer", "status"}),
    key="request_no", to_command=to_command, statuses=STATUSES,
)
