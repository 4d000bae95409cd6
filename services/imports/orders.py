"""The Order Summary's import (订单汇总表, R-O3): its columns with their accepted headers, its
statuses, and a row as the sales service's ``import_order`` command.

Headers: the export's (``services.cli.orders.ORDER_COLUMNS``, "English 中文" and each half),
DOMAIN.md's column names and common variants. Statuses: the six stages an imported order can
stand at (``services.sales.order_import``), in Chinese, English and the export's
"status status_zh" form. Orders in inspection or shipping (a lot's state is not in the old
table) are refused with a sentence saying so. Without a status, the stage is read from the
filled columns (shipped date, customer told, promised delivery).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from pydantic import ValidationError

from contracts.commands.bounds import MAX_QUANTITY
from contracts.commands.imports_orders import ImportOrder
from events.envelope import Actor
from events.imports import ImportSource
from services.imports import cells
from services.imports.cells import CellRefused
from services.imports.table import TableImport

HEADERS: dict[str, tuple[str, ...]] = {
    "order_no": ("No. 订单号", "No.", "订单号", "订单编号", "订单号码", "Order no.", "Order number",
                 "Order", "order_no"),
    "po_no": ("PO 客户单号", "PO", "客户单号", "客户PO", "客户订单号", "客户PO号", "Customer PO",
              "PO no.", "PO number", "po_no"),
    "ordered_at": ("Date 日期", "Date", "日期", "下单日期", "订单日期", "接单日期", "Order date",
                   "received_at"),
    "customer": ("Customer 客户", "Customer", "客户", "客户名称", "客户名", "customer"),
    "salesperson": ("Sales 业务", "Sales", "业务", "业务员", "Salesperson", "salesperson"),
    "assistant": ("业务助理", "助理", "Assistant", "Sales assistant", "assistant"),
    "product": ("Product 产品", "Product", "产品", "品名", "产品名称", "Products", "product"),
    "part_no": ("料号", "品号", "Part no.", "Part number", "part_no"),
    "quantity": ("Qty 数量", "Qty", "数量", "订单数量", "订购数量", "Quantity", "ordered_qty"),
    "requested_date": ("要求交期", "客户交期", "客户要求交期", "Requested date", "Requested",
                       "requested_date"),
    "internal_order_no": ("内部订单号", "内部单号", "Internal order", "Internal order no.",
                          "internal_order_no"),
    "promised_at": ("Promised 交期", "Promised", "交期", "承诺交期", "回复交期", "交货期",
                    "Promised delivery", "Delivery date", "promised_at"),
    "pmc_replied_at": ("PMC reply PMC回复", "PMC reply", "PMC回复", "PMC回复时间", "PMC回复日期",
                       "PMC reply time", "pmc_replied_at"),
    "customer_told_at": ("Told 已告知客户", "Told", "已告知客户", "告知客户时间", "客户告知时间",
                         "通知客户时间", "通知客户日期", "Customer informed", "Customer told",
                         "customer_told_at"),
    "qc_result": ("QC 检验", "QC", "检验", "检验结果", "品检结果", "QC结果", "QC result",
                  "qc_result"),
    "shipping_note_no": ("Note 出货单", "Note", "出货单", "出货单号", "Shipping note",
                         "Shipping note no.", "shipping_note_nos"),
    "shipped": ("Shipped 已出货", "Shipped", "已出货", "出货数量", "Shipped qty", "shipped_qty"),
    "shipped_at": ("出货日期", "出货时间", "发货日期", "Shipped date", "Ship date", "shipped_at"),
    "exceptions": ("Exc. 异常", "Exc.", "异常", "异常情况", "异常说明", "Exceptions", "exceptions"),
    "status": ("Status 状态", "Status", "状态", "订单状态", "进度", "status"),
}

STATUSES: dict[str, tuple[str, ...]] = {
    "received": ("已接单", "接单", "已接收", "新订单", "新单", "Received", "New", "Order received",
                 "received 已接单"),
    "archived": ("已归档", "归档", "Archived", "archived 已归档"),
    "internal_order_issued": ("已下内部订单", "已开内部订单", "内部订单", "待PMC回复", "PMC已接单",
                              "Internal order issued", "Waiting for PMC", "pmc_received",
                              "internal_order_issued 已下内部订单", "pmc_received PMC已接单"),
    "promised": ("PMC已回复交期", "已回复交期", "生产中", "在产", "已排产", "In production",
                 "Producing", "Promised", "promised PMC已回复交期"),
    "customer_notified": ("已通知客户交期", "已通知客户", "已告知客户", "Customer notified",
                          "Customer told", "customer_notified 已通知客户交期"),
    "shipped": ("已出货", "出货", "已发货", "已完成", "完成", "结案", "已结案", "Shipped",
                "Delivered", "Closed", "Done", "Completed", "shipped 已出货"),
}
# Stages of the live process a row of the old table cannot bring an order to: which lots passed
# inspection, which notes were issued, is not in it.
NOT_IMPORTED: dict[str, tuple[str, ...]] = {
    "inspecting": ("待检验", "检验中", "Inspecting", "inspecting 待检验"),
    "rework": ("返工中", "返工", "Rework", "rework 返工中"),
    "passed": ("检验合格", "待出货", "Passed", "passed 检验合格"),
    "note_issued": ("已开出货单", "Note issued", "note_issued 已开出货单"),
    "shipment_arranged": ("已安排出货", "Shipment arranged", "shipment_arranged 已安排出货"),
    "partly_shipped": ("部分出货", "Partly shipped", "partly_shipped 部分出货"),
}
# The columns an order at a stage needs filled (R-O2: the promise before the customer is told).
NEEDS = {"promised": (("promised_at", "交期"),),
         "customer_notified": (("promised_at", "交期"), ("customer_told_at", "已告知客户时间"))}
# NOT_IMPORTED's spellings normalized once (normalizing them for every row was a third of an
# order row's reading)
_NOT_IMPORTED = frozenset(cells.normalize(spelling) for shown, spellings in NOT_IMPORTED.items()
                          for spelling in (shown, *spellings))
_PRODUCT_PART = re.compile(r"^(.*\S)\s*[(（]([^()（）]+)[)）]$")
_SHIPPED = re.compile(r"^(\d[\d,]*)\s*(?:/\s*(\d[\d,]*|\?))?$")


def _stage(value: Any, filled: Mapping[str, Any]) -> str:
    if cells.is_blank(value):  # the furthest step whose column is filled
        if filled["shipped_at"] is not None:
            return "shipped"
        if filled["customer_told_at"] is not None:
            return "customer_notified"
        return "promised" if filled["promised_at"] is not None else "received"
    if cells.normalize(str(value)) in _NOT_IMPORTED:
        raise CellRefused("status", f"{str(value)[:40]!r}: an order in inspection or shipping "
                          "is not imported (lots and notes are not in the table); import it "
                          "as promised (in production) and record the lots live, or as "
                          "shipped once it is",
                          f"{str(value)[:40]!r}：检验或出货中的订单不能导入（表中没有批次和出货单"
                          "信息）；请按“生产中”导入后在系统中登记批次，或出货后按“已出货”导入")
    stage = cells.choice(value, "status", STATUSES, required=True)
    assert stage is not None
    if stage == "promised" and filled["customer_told_at"] is not None:
        return "customer_notified"  # the told column is filled: the customer knows the date
    return stage


def _shipped(value: Any) -> int | None:
    """The export's "shipped/ordered" cell, or a plain quantity."""
    if cells.is_blank(value):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return cells.integer(value, "shipped", low=0, high=MAX_QUANTITY)
    found = _SHIPPED.match(cells.text(value, "shipped", max_length=40) or "")
    if found is None:
        raise CellRefused("shipped", f"{str(value)[:40]!r} is not a quantity (e.g. 500 or 500/500)",
                          f"{str(value)[:40]!r} 不是数量（例如 500 或 500/500）")
    return cells.integer(found.group(1), "shipped", low=0, high=MAX_QUANTITY)


def _product(row: Mapping[str, Any]) -> tuple[str, str | None]:
    product = cells.text(row.get("product"), "product", max_length=200, required=True) or ""
    part_no = cells.text(row.get("part_no"), "part_no", max_length=60)
    if part_no is None and (found := _PRODUCT_PART.match(product)) is not None:
        return found.group(1), found.group(2).strip()  # the export's "product (part no.)"
    return product, part_no


def to_command(row: Mapping[str, Any], source: ImportSource, actor: Actor, zone: tzinfo,
               now: datetime) -> ImportOrder:
    """One row as ``import_order``; a cell that cannot be read raises ``CellRefused``."""
    def when(field: str, *, past: bool = True) -> datetime | None:
        return cells.moment(row.get(field), field, zone, latest=now if past else None)

    times = {"promised_at": when("promised_at", past=False), "pmc_replied_at": when("pmc_replied_at"),
             "customer_told_at": when("customer_told_at"), "shipped_at": when("shipped_at")}
    stage = _stage(row.get("status"), times)
    quantity = cells.integer(row.get("quantity"), "quantity", low=1, high=MAX_QUANTITY,
                             required=True)
    shipped = _shipped(row.get("shipped"))
    if stage == "shipped" and shipped is not None and quantity and shipped < quantity:
        raise CellRefused("shipped", f"{shipped} of {quantity} shipped: a partly shipped order is "
                          "not imported", f"已出货 {shipped}/{quantity}：部分出货的订单不能导入")
    for needed, zh in NEEDS.get(stage, ()):
        if times[needed] is None:
            raise CellRefused(needed, f"is empty, but an order at stage {stage} needs it",
                              f"为空，但状态为 {stage} 的订单需要{zh}")
    product, part_no = _product(row)
    requested = cells.day(row.get("requested_date"), "requested_date", zone)
    fields: dict[str, Any] = {
        "order_no": cells.text(row.get("order_no"), "order_no", max_length=40, required=True),
        "stage": stage,
        "ordered_at": when("ordered_at") or _required("ordered_at"),
        "po_no": cells.text(row.get("po_no"), "po_no", max_length=60),
        "customer": cells.text(row.get("customer"), "customer", max_length=120, required=True),
        "salesperson": cells.text(row.get("salesperson"), "salesperson", max_length=80),
        "assistant": cells.text(row.get("assistant"), "assistant", max_length=80),
        "product": product, "part_no": part_no, "quantity": quantity,
        "requested_date": requested,
        "internal_order_no": cells.text(row.get("internal_order_no"), "internal_order_no",
                                        max_length=40),
        **times,
        "qc_result": cells.text(row.get("qc_result"), "qc_result", max_length=60),
        "shipping_note_no": _first_note(row.get("shipping_note_no")),
        "exceptions": cells.text(row.get("exceptions"), "exceptions", max_length=2000),
        "source": source, "actor": actor,
    }
    try:
        return ImportOrder.model_validate(fields, context={"now": now})
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "order_no"
        en = str(first.get("ctx", {}).get("en") or first["msg"])
        zh = str(first.get("ctx", {}).get("zh") or f"不符合要求：{first['msg']}")
        raise CellRefused(field, en, zh) from None


def _required(field: str) -> datetime:
    raise CellRefused(field, "is empty but required", "不能为空")


def _first_note(value: Any) -> str | None:
    """The export lists an order's notes "N-1, N-2": one note is imported, the first."""
    text = cells.text(value, "shipping_note_no", max_length=200)
    return re.split(r"[,，;；\s]+", text)[0] if text else None


TABLE = TableImport(
    table="orders", title_en="Order Summary", title_zh="订单汇总表", department="sales",
    headers=HEADERS,
    required=frozenset({"order_no", "ordered_at", "customer", "product", "quantity"}),
    key="order_no", to_command=to_command, statuses=STATUSES,
)
