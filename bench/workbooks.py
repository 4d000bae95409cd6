"""Realistic workbooks of the three summary tables, for the import's tests and benchmark.

``python -m bench.workbooks samples 10000 out.xlsx [--messy] [--seed N]``

Clean: one sheet, the Chinese headers of DOMAIN.md / the export in row 1, one record a row,
dates over several months (the last months' records still open, older ones closed). Messy (as a
table kept by hand looks): a title row and a blank row above the header; headers with extra
spaces, full-width characters and another column order; a customer merged over several rows;
blank rows; dates as text in several formats and as Excel serial numbers; statuses in Chinese and
English; a month-end note under the table; and ``BAD_ROWS`` bad rows (an impossible date, a
negative quantity, a date in the future) whose refusal the tests expect (``Generated.bad``).
"""
from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

Row = dict[str, Any]
CUSTOMERS = ("华南包装", "Acme Labels", "东莞彩印", "Sunrise Boxes", "深圳佳美", "Orient Print",
             "宁波精工", "Delta Foods")
SALES = ("lily", "tom", "wang.li", "chen")
ASSISTANTS = ("amy", "zoe")
PRODUCTS = ("彩盒", "吊牌", "不干胶标签", "说明书", "Folding carton", "Sleeve")
BAD_ROWS = 3  # in a messy workbook: an impossible date, a negative quantity, a future date


@dataclass(frozen=True)
class Column:
    key: str  # what the generator fills
    header: str  # clean header (Chinese, as the export / DOMAIN.md writes it)
    messy: str  # the same header as a hand-kept table may spell it


@dataclass(frozen=True)
class Layout:
    columns: tuple[Column, ...]
    number: Callable[[int], str]
    row: Callable[[random.Random, int, date, bool], Row]  # (rng, index, day, open?)
    third_bad: str  # the third bad row: "negative" (a quantity below 0) or "status" (unknown)


SAMPLE_STATUSES_OPEN = (("requested", "已申请"), ("scheduled", "已排打样"),
                        ("promised", "已承诺交期"), ("completed", "样品完成"), ("shipped", "已寄样"))
SAMPLE_STATUSES_CLOSED = (("trial_ok", "试用OK"), ("approval_signed", "承认书已签回"),
                          ("closed", "已结案"))
ORDER_STATUSES_OPEN = (("received", "已接单"), ("archived", "已归档"), ("promised", "PMC已回复交期"),
                       ("customer_notified", "已通知客户交期"))
ORDER_STATUSES_CLOSED = (("shipped", "已出货"),)
COMPLAINT_STATUSES_OPEN = (("registered", "已登记"), ("judged", "已判定严重度"),
                           ("replied", "已回复客户"))
COMPLAINT_STATUSES_CLOSED = (("closed", "已结案"), ("verified", "满意度已确认"))


def _status(rng: random.Random, open_: bool, open_set: tuple[tuple[str, str], ...],
            closed_set: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    return rng.choice(open_set if open_ else closed_set)


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime(day.year, day.month, day.day, rng.randint(8, 17), rng.choice((0, 15, 30, 45)))


def sample_row(rng: random.Random, i: int, day: date, open_: bool) -> Row:
    status, status_zh = _status(rng, open_, SAMPLE_STATUSES_OPEN, SAMPLE_STATUSES_CLOSED)
    done = status not in ("requested", "scheduled", "promised")
    requested = _moment(day, rng)
    return {"requested_at": requested, "customer": rng.choice(CUSTOMERS),
            "salesperson": rng.choice(SALES), "assistant": rng.choice(ASSISTANTS),
            "product": rng.choice(PRODUCTS), "part_no": f"P-{rng.randint(1000, 9999)}",
            "die_difficulty": rng.choice(("simple", "normal", "complex")),
            "quotation_no": f"Q{day:%y%m}-{i:05d}", "quantity": rng.randint(1, 50),
            "promised_at": requested + timedelta(days=2) if status != "requested" else None,
            "completed_at": requested + timedelta(days=1, hours=20) if done else None,
            "status": status, "status_zh": status_zh}


def order_row(rng: random.Random, i: int, day: date, open_: bool) -> Row:
    status, status_zh = _status(rng, open_, ORDER_STATUSES_OPEN, ORDER_STATUSES_CLOSED)
    received = _moment(day, rng)
    quantity = rng.randint(100, 20000)
    promised = status in ("promised", "customer_notified", "shipped")
    return {"po_no": f"PO-{rng.randint(10000, 99999)}", "received_at": received,
            "customer": rng.choice(CUSTOMERS), "salesperson": rng.choice(SALES),
            "product": rng.choice(PRODUCTS), "quantity": quantity,
            "promised_at": received + timedelta(days=10) if promised else None,
            "customer_told_at": received + timedelta(hours=5)
            if status in ("customer_notified", "shipped") else None,
            "shipped_qty": quantity if status == "shipped" else None,
            "shipped_at": received + timedelta(days=9) if status == "shipped" else None,
            "status": status, "status_zh": status_zh}


def complaint_row(rng: random.Random, i: int, day: date, open_: bool) -> Row:
    status, status_zh = _status(rng, open_, COMPLAINT_STATUSES_OPEN, COMPLAINT_STATUSES_CLOSED)
    received = _moment(day, rng)
    judged = status != "registered"
    minor = judged and rng.random() < 0.3
    return {"received_at": received, "channel": rng.choice(("phone", "fax", "visit")),
            "customer": rng.choice(CUSTOMERS), "salesperson": rng.choice(SALES),
            "product": rng.choice(PRODUCTS),
            "shipping_date": (day - timedelta(days=rng.randint(3, 30))),
            "batch": f"B{rng.randint(100, 999)}", "problem": rng.choice(
                ("颜色偏差", "尺寸不符", "Glue failure", "印刷错位", "包装破损")),
            "severity": ("minor" if minor else rng.choice(("needs_data", "complex")))
            if judged else None,
            "responsible": None if minor or not judged else rng.choice(("生产部", "品质部", "工程部")),
            "form": f"F{i:06d}" if status in ("replied", "closed", "verified") else None,
            "replied_at": received + timedelta(days=2)
            if status in ("replied", "closed", "verified") else None,
            "quantity": rng.randint(1, 500),
            "closed_at": received + timedelta(days=5) if status == "closed" else None,
            "status": status, "status_zh": status_zh}


LAYOUTS: dict[str, Layout] = {
    "samples": Layout((
        Column("no", "编号", " 打样 编号 "), Column("requested_at", "日期", "申请日期"),
        Column("customer", "客户", "客户名称"), Column("salesperson", "业务", "业务员"),
        Column("assistant", "业务助理", "助理"), Column("product", "产品", "产品名称"),
        Column("part_no", "料号", "料　号"), Column("die_difficulty", "刀模", "刀模难度"),
        Column("quotation_no", "报价", "报价单号"), Column("quantity", "数量", "打样数量"),
        Column("promised_at", "承诺", "承诺交期"), Column("completed_at", "完成", "完成时间"),
        Column("status", "状态", "Status 状态")),
        lambda i: f"S{i:06d}", sample_row, "status"),
    "orders": Layout((
        Column("no", "订单号", "订单 号"), Column("po_no", "客户单号", "客户PO"),
        Column("received_at", "日期", "下单日期"), Column("customer", "客户", "客户名称"),
        Column("salesperson", "业务", "业务员"), Column("product", "产品", "产品名称"),
        Column("quantity", "数量", "订单数量"), Column("promised_at", "交期", "承诺交期"),
        Column("customer_told_at", "已告知客户", "通知客户时间"),
        Column("shipped_qty", "已出货", "出货数量"), Column("shipped_at", "出货日期", "发货日期"),
        Column("status", "状态", "订单 状态")),
        lambda i: f"O{i:06d}", order_row, "negative"),
    "complaints": Layout((
        Column("no", "编号", "客诉编号"), Column("received_at", "接收时间", "投诉时间"),
        Column("channel", "渠道", "投诉方式"), Column("customer", "客户", "客户名称"),
        Column("salesperson", "业务员", "负责业务"),
        Column("product", "产品型号", "产品 型号"), Column("shipping_date", "出货日期", "出货 日期"),
        Column("batch", "批次", "批号"), Column("problem", "问题", "问题描述"),
        Column("severity", "严重度", "严重程度"), Column("responsible", "责任部门", "责任 部门"),
        Column("form", "处理单", "处理单号"), Column("replied_at", "回复时间", "答复日期"),
        Column("quantity", "数量", "不良数量"),
        Column("closed_at", "结案日期", "结案时间"), Column("status", "状态", "Status 状态")),
        lambda i: f"K{i:06d}", complaint_row, "status"),
}


@dataclass
class Generated:
    """What was written: the rows by their sheet row number, and the bad rows expected refused
    (row number -> the column key it breaks)."""

    path: Path
    sheet: str
    header_row: int
    rows: dict[int, Row] = field(default_factory=dict)
    bad: dict[int, str] = field(default_factory=dict)
    blank_rows: list[int] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


def generate(table: str, count: int, path: Path, *, messy: bool = False, seed: int = 12,
             today: date | None = None, months: int = 6) -> Generated:
    """Write ``count`` records of ``table`` to ``path`` (write-only mode: fast for 100,000)."""
    layout = LAYOUTS[table]
    rng = random.Random(seed)
    today = today or date.today()
    first = today - timedelta(days=30 * months)
    span = (today - first).days - 4  # the last records' later steps are not in the future
    days = sorted(first + timedelta(days=rng.randint(0, span)) for _ in range(count))
    columns = list(layout.columns)
    if messy:
        rng.shuffle(columns)
        columns.remove(layout.columns[0])
        columns.insert(1, layout.columns[0])
    book = Workbook(write_only=not messy)  # merged cells need the normal mode
    ws = book.create_sheet("打样记录汇总表" if table == "samples" else table)
    out = Generated(path, ws.title, 3 if messy else 1)
    if messy:
        ws.append([f"{table} summary 汇总表 {first:%Y-%m} ~ {today:%Y-%m}"])
        ws.append([])
    ws.append([_full_width(c.messy) if messy and n % 3 == 0 else c.messy if messy else c.header
               for n, c in enumerate(columns)])
    row_no = out.header_row
    bad_at = set(rng.sample(range(count), min(BAD_ROWS, count))) if messy else set()
    bad_kinds = ["impossible_date", layout.third_bad, "future"]
    for i, day in enumerate(days, start=1):
        if messy and i % 97 == 0:
            ws.append([])
            row_no += 1
            out.blank_rows.append(row_no)
        record = layout.row(rng, i, day, (today - day).days < 30)
        record["no"] = layout.number(i)
        row_no += 1
        cells = {c.key: record.get(c.key) for c in columns}
        if messy:
            cells = _messy_cells(rng, cells, record)
        if i - 1 in bad_at:
            kind = bad_kinds.pop(0)
            out.bad[row_no] = _break(cells, kind, _date_key(layout), today)
        ws.append([cells[c.key] for c in columns])
        out.rows[row_no] = record
    if messy:
        _merge_customers(ws, out, [c.key for c in columns].index("customer") + 1)
        ws.append([])
        ws.append([f"{today:%Y-%m} 月度总结：打样准时率 92%，NG 主要为颜色偏差"])
    book.save(path)
    return out


def _date_key(layout: Layout) -> str:
    """The column of the date a record entered its table (the one the bad rows break)."""
    return next(c.key for c in layout.columns if c.key in ("requested_at", "received_at"))


def _full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def _messy_cells(rng: random.Random, cells: Row, record: Row) -> Row:
    for key, value in cells.items():
        if isinstance(value, datetime):
            form = rng.randrange(5)
            serial = (value - datetime(1899, 12, 30)).total_seconds() / 86400
            cells[key] = (value, f"{value:%Y/%m/%d %H:%M}", (f"{value.year}年{value.month}月"
                          f"{value.day}日"), round(serial, 6), f"{value:%Y.%m.%d}")[form]
        elif isinstance(value, date):
            cells[key] = (value, f"{value:%Y-%m-%d}", f"{value:%Y%m%d}")[rng.randrange(3)]
    if "status" in cells:
        cells["status"] = rng.choice((record["status"], record["status_zh"],
                                      f"{record['status']} {record['status_zh']}"))
    return cells


def _break(cells: Row, kind: str, date_key: str, today: date) -> str:
    """Make one row bad (its main date impossible or in the future, a negative quantity, an
    unknown status); the column key it breaks."""
    if kind == "negative":
        cells["quantity"] = -5
        return "quantity"
    if kind == "status":
        cells["status"] = "差不多好了 almost"
        return "status"
    cells[date_key] = f"{today.year - 1}-02-30" if kind == "impossible_date" \
        else f"{today.year + 1}-01-15"
    return date_key


def _merge_customers(ws: Any, out: Generated, column: int) -> None:
    """A customer merged over runs of consecutive rows holding the same customer (as people do
    when sorting by customer), skipping bad and blank rows."""
    rows = sorted(out.rows)
    start = 0
    while start < len(rows) - 3:
        run = rows[start:start + 3]
        if run[-1] - run[0] == 2 and not set(run) & set(out.bad):
            name = out.rows[run[0]]["customer"]
            for number in run:
                out.rows[number]["customer"] = name
            ws.cell(row=run[0], column=column, value=name)
            ws.merge_cells(start_row=run[0], start_column=column, end_row=run[-1],
                           end_column=column)
            out.merged.append(f"{run[0]}-{run[-1]}")
        start += 50


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.workbooks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("table", choices=tuple(LAYOUTS))
    p.add_argument("count", type=int)
    p.add_argument("output", type=Path)
    p.add_argument("--messy", action="store_true")
    p.add_argument("--seed", type=int, default=12)
    args = p.parse_args(argv)
    made = generate(args.table, args.count, args.output, messy=args.messy, seed=args.seed)
    print(f"wrote {args.output}: {len(made.rows)} {args.table} rows, sheet {made.sheet!r}, "
          f"header row {made.header_row}, bad rows {sorted(made.bad)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
