"""A pack as one standalone page to print (A4; Chromium prints it to PDF, ``pdf``): the cover
(the meeting, its move and why, when the pack was due), the figures, charts, the period's tables
(compact), the SLA breaches and the open items, from the same ``PackData`` as the workbook.

Inline CSS and SVG only: no script, no external asset, and a policy that forbids both. Every
value is escaped (and control or reordering characters shown as escapes), so a customer called
``<script>`` prints as text.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from services.cli.tables import visible
from services.reports import charts, exports, pack_data
from services.reports.charts import text
from services.reports.pack_data import Figure, PackData
from services.reports.packs import SLA_COLUMNS, due_line, pack_title, sla_cells
from services.reports.workbook import Columns, Lang, both, label, stored_moment

POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
STYLE = """
@page { size: A4; margin: 12mm 10mm 14mm 10mm; }
@page wide { size: A4 landscape; margin: 10mm; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC",
  sans-serif; font-size: 10pt; color: #24292f; margin: 0; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 13pt; margin: 6mm 0 2mm; border-bottom: 1.5px solid #2f6db5; break-after: avoid; }
h2 small, h1 small { font-weight: normal; color: #57606a; font-size: 0.7em; margin-left: 2mm; }
h3 { font-size: 10.5pt; margin: 3mm 0 1mm; break-after: avoid; }
p { margin: 1mm 0; }
.meeting { font-size: 12pt; font-weight: bold; }
.moved { border: 1.5px solid #b03a2e; background: #fbeeee; padding: 2mm 3mm; margin: 2mm 0; }
.due { font-size: 11pt; }
.muted { color: #57606a; font-size: 8.5pt; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
th, td { border: 0.5px solid #c9d1d9; padding: 0.6mm 1mm; text-align: left; vertical-align: top; }
thead { display: table-header-group; }
thead th { background: #ddebf7; }
tr { break-inside: avoid; }
table.figures { width: auto; min-width: 110mm; }
table.figures td { text-align: right; font-variant-numeric: tabular-nums; }
table.rows { font-size: 7pt; }
table.rows td { overflow-wrap: break-word; }
.charts svg { display: block; max-width: 100%; height: auto; margin: 2mm 0; break-inside: avoid; }
section.wide { page: wide; }
section.break { break-before: page; }
@media screen { body { max-width: 280mm; margin: 8mm auto; padding: 0 6mm; } }
"""
HEADS = {  # (English, Chinese)
    "figures": ("Figures", "数据"), "charts": ("Charts", "图表"),
    "breaches": ("SLA breaches", "时限违规"),
    "open": ("Open items: clocks still running, at risk first", "未结事项：仍在计时的时限（风险优先）"),
    "moved": ("The meeting was moved", "会议改期"), "none": ("(none)", "（无）"),
    "notes": ("Month-end notes", "月度总结"), "no_data": ("no data", "无数据"),
}


def shown(value: Any, data: PackData) -> str:
    """A cell's text: a stored time in the company zone, a list joined, a flag as ✓."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, list | tuple):
        return ", ".join(shown(v, data) for v in value)
    moment = stored_moment(str(value))
    if moment is not None:
        return moment.astimezone(data.zone).strftime("%Y-%m-%d %H:%M")
    return visible(str(value))


def figure_text(figure: Figure) -> str:
    """A figure as the page shows it: a share as a percentage, a number as it is."""
    return charts.percent(figure.value) if figure.share else str(figure.value)


def heading(key: str, lang: Lang, level: int = 2) -> str:
    """A heading in ``lang`` with the other language beside it (the workbooks' sheets have both)."""
    en, zh = HEADS[key]
    return _heading(en, zh, lang, level)


def _heading(en: str, zh: str, lang: Lang, level: int = 2) -> str:
    first, other = (zh, en) if lang == "zh" else (en, zh)
    return f"<h{level}>{text(first)} <small>{text(other)}</small></h{level}>"


def table(columns: Columns, rows: Sequence[dict[str, Any]], data: PackData, lang: Lang,
          cells: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> str:
    """A compact table with the CLI's columns in ``lang``; a line saying none when empty."""
    if not rows:
        return f'<p class="muted">{text(both(*HEADS["none"], lang))}</p>'
    head = "".join(f"<th>{text(label(name, lang))}</th>" for _, name in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{text(shown(row.get(key), data))}</td>" for key, _ in columns)
        + "</tr>" for row in (cells(r) if cells else r for r in rows))
    return f'<table class="rows"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def figure_table(items: Iterable[tuple[str, str]]) -> str:
    body = "".join(f"<tr><th>{text(name)}</th><td>{text(value)}</td></tr>" for name, value in items)
    return f'<table class="figures"><tbody>{body}</tbody></table>'


def cover(data: PackData, lang: Lang) -> str:
    """The title, the meeting (and its move, with the reason), when the pack was due, the moment."""
    en_title, zh_title = pack_title(data, "en"), pack_title(data, "zh")
    first, other = (zh_title, en_title) if lang == "zh" else (en_title, zh_title)
    parts = [f"<h1>{text(first)}<br><small>{text(other)}</small></h1>"]
    meeting = data.meeting
    if meeting is None:
        parts.append(_line("due", both("Issued every working day at 16:00 (R-S5, R-O5, R-C5)",
                                       "每个工作日 16:00 发出（R-S5、R-O5、R-C5）", lang)))
    else:
        when = replace(meeting, reason_en="", reason_zh="")  # the move has its own box
        parts.append(_line("meeting", when.describe_zh() if lang == "zh" else when.describe_en()))
        if meeting.moved_from is not None:
            parts.append(moved(data, lang))
        parts.append(_line("due", due_line(data, lang)))
    parts += [_line("muted", line) for line in data.moment_lines(lang)]
    if data.kind != "daily":
        parts.append(_line("muted", data.period_line(lang)))
    return "<header>" + "\n".join(parts) + "</header>"


def moved(data: PackData, lang: Lang) -> str:
    """The box saying a day off moved the meeting: from when, to when, and why."""
    assert data.meeting is not None
    nominal = data.meeting.nominal.astimezone(data.zone).strftime("%Y-%m-%d %H:%M")
    held = data.meeting.at.astimezone(data.zone).strftime("%Y-%m-%d %H:%M")
    reason = data.meeting.reason_zh if lang == "zh" else data.meeting.reason_en
    return (f'<div class="moved">{heading("moved", lang, 3)}'
            f'{_line("", both(f"Meant for {nominal}, held {held}.", f"原定 {nominal}，改为 {held}。", lang))}'
            f'{_line("", reason)}</div>')


def _line(css: str, line: str) -> str:
    return f'<p class="{css}">{text(line)}</p>' if css else f"<p>{text(line)}</p>"


def figures(data: PackData, lang: Lang) -> str:
    items = [(f.label(lang), figure_text(f)) for f in data.figures()]
    return f"<section>{heading('figures', lang)}{figure_table(items)}</section>"


def chart_section(data: PackData, lang: Lang) -> str:
    """New records per day (per week in the monthly pack), SLA on time and breaches per department."""
    empty = both(*HEADS["no_data"], lang)
    spans = pack_data.buckets(data)
    counts = pack_data.entries(data)
    per = both("per week", "按周", lang) if data.kind == "monthly" else both("per day", "按日", lang)
    series = [(both(en, zh, lang), counts[name]) for name, en, zh in pack_data.ENTRY_LABELS]
    svgs = [charts.bar_chart(both(f"New samples, orders and complaints {per}",
                                  f"新增打样、订单、客诉（{per}）", lang),
                             [name for name, _, _ in spans], series, empty=empty)]
    if data.kind != "daily":
        svgs.append(charts.share_bars(
            both("SLA on time per department (clocks due in the period)",
                 "各部门时限达成率（期间到期的时限）", lang),
            [(d.department, d.on_time) for d in data.departments], empty=empty))
        svgs.append(charts.count_bars(
            both("SLA breaches per department", "各部门时限违规数", lang),
            [(d.department, d.breached) for d in data.departments], empty=empty))
    return f'<section class="charts">{heading("charts", lang)}{"".join(svgs)}</section>'


def summary(name: str, data: PackData, lang: Lang) -> str:
    """One summary table of the pack, with the month analysis and notes in the monthly pack."""
    spec = exports.TABLES[name]
    rows = data.rows[name]
    count = both(f"{len(rows)} rows", f"共 {len(rows)} 条", lang)
    parts = [_heading(f"{spec.title_en} ({spec.rules})", f"{spec.title_zh}（{spec.rules}）", lang),
             f'<p class="muted">{text(count)}</p>', table(spec.columns, rows, data, lang, spec.cells)]
    report = data.reports.get(name)
    if report is not None:
        month = report["month"]
        parts.append(f"<h3>{text(both(f'Month-end analysis {month}', f'{month} 月度分析', lang))}</h3>")
        parts.append(figure_table((n, shown(v, data)) for n, v in exports.figure_rows(report, lang)))
        parts.append(f"<h3>{text(both(*HEADS['notes'], lang))}</h3>")
        parts.append(table((("noted_at", "When 时间"), ("noted_by", "Who 人员"), ("text", "Note 内容")),
                           report.get("notes") or [], data, lang))
    return f'<section class="wide">{"".join(parts)}</section>'


def sla(data: PackData, lang: Lang) -> str:
    return (f'<section class="wide">{heading("breaches", lang)}'
            f"{table(SLA_COLUMNS, data.breaches, data, lang, sla_cells)}"
            f"{heading('open', lang)}{table(SLA_COLUMNS, data.open_runs, data, lang, sla_cells)}"
            "</section>")


def extra(data: PackData, lang: Lang) -> str:
    parts = []
    for section in data.extra_sections:
        parts.append(_heading(section.title_en, section.title_zh, lang))
        parts += [f"<p>{text(visible(line))}</p>" for line in section.lines]
        if (empty := section.empty(lang)) is not None:
            parts.append(f"<p>{text(empty)}</p>")
        elif section.columns:
            parts.append(table(section.columns, section.shown_rows(lang), data, lang))
    return f'<section class="wide">{"".join(parts)}</section>' if parts else ""


def page(data: PackData, lang: Lang = "zh") -> str:
    """The whole pack as one HTML document to print (A4)."""
    body = [cover(data, lang), figures(data, lang), chart_section(data, lang),
            *(summary(name, data, lang) for name in exports.TABLES)]
    if data.kind != "daily":
        body.append(sla(data, lang))
    body.append(extra(data, lang))
    return ("<!DOCTYPE html>\n"
            f'<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{text(POLICY)}">'
            f"<title>{text(pack_title(data, lang))}</title><style>{STYLE}</style></head>\n"
            "<body>\n" + "\n".join(b for b in body if b) + "\n</body></html>\n")
