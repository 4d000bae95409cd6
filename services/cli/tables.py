"""Plain-text tables for the terminal, with Chinese column labels; CJK text is two cells wide.

Everything the CLI prints from stored data goes through ``visible`` (text) or ``json_text``
(``--json``): data stored before commands refused control characters may still hold an escape
sequence, and a terminal would obey it.
"""
from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from contracts.commands.text import escape, unsafe_pattern

SAMPLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("request_no", "No. 编号"), ("requested_at", "Date 日期"), ("customer", "Customer 客户"),
    ("salesperson", "Sales 业务"), ("die_difficulty", "Die 刀模"), ("quotation_no", "Quote 报价"),
    ("price_status", "Price 价格"), ("round", "Rd 轮"), ("promised_at", "Promised 承诺"),
    ("completed_at", "Done 完成"), ("shipped", "Shipped 寄样"), ("trial", "Trial 试用"),
    ("flags", "Flags 标记"), ("status", "Status 状态"),
)
HISTORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("occurred_at", "When 时间"), ("department", "Dept 部门"), ("type", "Event 事件"),
    ("actor_user", "Who 人员"), ("actor_role", "Role 角色"), ("facts", "Facts 内容"),
)


TIME_FORMAT = "%m-%d %H:%M"


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every control, escape or reordering character shown as an escape
    (``\\x1b``, ``\\u202e``); with ``lines``, line breaks stay line breaks."""
    if lines:
        return "\n".join(visible(line) for line in text.split("\n"))
    return unsafe_pattern().sub(lambda found: escape(found.group()), text)


def json_text(value: Any) -> str:
    """``value`` as indented JSON that is safe to print: ``json`` escapes only C0 controls, so
    DEL, C1 controls (U+009B starts an escape sequence too), bidirectional overrides and lone
    surrogates are escaped here, as JSON ``\\uXXXX`` escapes inside their strings."""
    text = json.dumps(value, ensure_ascii=False, indent=2)  # its raw line breaks are layout
    return unsafe_pattern(multiline=True).sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def cell(value: Any, tz: tzinfo) -> str:
    """One table cell: a stored time in ``tz``, any other value as visible text."""
    if value is None or value == "":
        return "-"
    text = str(value)
    if len(text) >= 19 and text[4:5] == "-" and text[10:11] == "T":
        try:
            return datetime.fromisoformat(text).astimezone(tz).strftime(TIME_FORMAT)
        except (ValueError, OverflowError):  # stored before times were bounded (year 1, 9999)
            pass
    return visible(text)


def render(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], tz: tzinfo) -> str:
    body = [[cell(r.get(key), tz) for key, _ in columns] for r in rows]
    heads = [label for _, label in columns]
    sizes = [max([width(h)] + [width(line[i]) for line in body]) for i, h in enumerate(heads)]
    lines = ["  ".join(pad(h, s) for h, s in zip(heads, sizes, strict=True)),
             "  ".join("-" * s for s in sizes)]
    lines += ["  ".join(pad(v, s) for v, s in zip(line, sizes, strict=True)) for line in body]
    return "\n".join(line.rstrip() for line in lines)


def sample_cells(r: dict[str, Any]) -> dict[str, Any]:
    """A Sample Record Summary row with the cells of SAMPLE_COLUMNS worked out (also the Excel
    export's)."""
    return dict(r, status=f"{r['status']} {r.get('status_zh', '')}".strip(), flags=flags(r),
                shipped=r.get("tracking_no") or r.get("shipped_method"),
                trial=" ".join(filter(None, [r.get("trial_result"), r.get("trial_cause")]))[:24])


def samples(rows: Sequence[dict[str, Any]], tz: tzinfo) -> str:
    if not rows:
        return "no samples yet / 暂无打样记录"
    return (render([sample_cells(r) for r in rows], SAMPLE_COLUMNS, tz)
            + f"\n{len(rows)} samples / 共 {len(rows)} 条 (times in {tz})")


def sla_marks(row: dict[str, Any]) -> list[str]:
    """The row's SLA flags, from the SLA read model: each clock run breached, at risk or
    breached then met (``delivery 已超时``)."""
    return [f"{flag['clock'].removeprefix('SLA-').lower()} {flag['state_zh']}"
            for flag in row.get("sla_flags") or []]


def flags(row: dict[str, Any]) -> str:
    """The SLA flags of a row (from the SLA read model) and a penalty requested. While the SLA
    model is being rebuilt (``sla_flags`` is None) the table's own marks stand in: late, and a
    delay notice (timely or not)."""
    marks = sla_marks(row)
    if row.get("sla_flags") is None:
        if row.get("late"):
            marks.append("late 逾期")
        if row.get("delay_notices"):
            marks.append("delay 延期" + ("" if row.get("delay_timely") else " (late notice 通知过晚)"))
    if row.get("penalty_requested_at"):
        marks.append("penalty 处罚")
    return ", ".join(marks)


def history(rows: Sequence[dict[str, Any]], tz: tzinfo) -> str:
    shown = []
    for r in rows:
        facts = dict(r["facts"])
        facts.pop("request_no", None)
        brief = ", ".join(f"{k}={cell(v, tz)}" for k, v in facts.items()
                          if not isinstance(v, dict) and not k.endswith("_id"))
        shown.append(dict(r, facts=brief[:70], occurred_at=when(r, tz)))  # cells are made visible
    return render(shown, HISTORY_COLUMNS, tz) + f"\n{len(rows)} events / 共 {len(rows)} 个事件"


# A step recorded less than this after it happened was recorded as it happened (a reaction's
# relay and consumer take a moment): only a later recording is worth a second time.
RECORDED_LATER = timedelta(minutes=1)


def when(row: dict[str, Any], tz: tzinfo) -> str:
    """An audit entry's business time, and its recording time where that is later, e.g.
    ``2026-03-02 09:10:00 (recorded 11:02)``; the date too when it is another day."""
    occurred = datetime.fromisoformat(row["occurred_at"]).astimezone(tz)
    text = occurred.strftime("%Y-%m-%d %H:%M:%S")
    recorded_text = row.get("recorded_at")
    if not recorded_text:
        return text
    recorded = datetime.fromisoformat(recorded_text).astimezone(tz)
    if abs(recorded - occurred) < RECORDED_LATER:
        return text
    shown = recorded.strftime("%H:%M" if recorded.date() == occurred.date() else "%Y-%m-%d %H:%M")
    return f"{text} (recorded {shown} 录入)"
