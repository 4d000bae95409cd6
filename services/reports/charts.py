"""Small SVG charts for the printable packs, drawn here as strings (no library, no script, no
external asset): grouped vertical bars for counts over time, horizontal bars for a share or a
count per name. Every text is escaped, so a department or customer called ``<script>`` is text."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from html import escape

PALETTE = ("#2f6db5", "#e08a1e", "#3a9a5b", "#b03a2e", "#7d5ba6")
GRID = "#d0d7de"
INK = "#24292f"
FONT = 11
Series = tuple[str, Sequence[float]]


def text(value: object) -> str:
    """``value`` as SVG or HTML text: ``& < > " '`` escaped."""
    return escape(str(value), quote=True)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def nice_top(largest: float, steps: int = 4) -> tuple[float, float]:
    """An axis top at or above ``largest`` and its step: whole counts, a step of 1, 2, 2.5 or
    5 × 10ⁿ (at least 1)."""
    if largest <= 0:
        return float(steps), 1.0
    raw = largest / steps
    power = 10 ** math.floor(math.log10(raw))
    step = max(1.0, next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))
    return step * math.ceil(largest / step), step


def _open(title: str, width: int, height: int) -> list[str]:
    return [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{text(title)}">'),
            f"<title>{text(title)}</title>",
            f'<text x="0" y="14" font-size="13" font-weight="bold" fill="{INK}">{text(title)}</text>']


def _empty(parts: list[str], width: int, height: int, message: str) -> str:
    parts.append(f'<text x="{width / 2:.0f}" y="{height / 2 + 10:.0f}" text-anchor="middle" '
                 f'font-size="{FONT}" fill="#6e7781">{text(message)}</text></svg>')
    return "\n".join(parts)


def bar_chart(title: str, categories: Sequence[str], series: Sequence[Series], *, empty: str,
              width: int = 680, height: int = 230) -> str:
    """Grouped vertical bars: one group per category, one bar per series, with a value axis,
    the values over the bars and a legend; ``empty`` is shown when every value is 0."""
    values = [v for _, vs in series for v in vs]
    if not categories or not series or not any(values):
        return _empty(_open(title, width, 50), width, 50, empty)  # no room kept for bars
    parts = _open(title, width, height)
    left, right, top, bottom = 34, 8, 40, height - 22
    top_value, step = nice_top(max(values))
    scale = (bottom - top) / top_value
    tick = 0.0
    while tick <= top_value + 1e-9:
        y = bottom - tick * scale
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     f'stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="{FONT - 1}" '
                     f'fill="{INK}">{_number(tick)}</text>')
        tick += step
    group = (width - left - right) / len(categories)
    bar = max(2.0, min(22.0, group * 0.8 / len(series)))
    for index, category in enumerate(categories):
        start = left + index * group + (group - bar * len(series)) / 2
        for number, (_, vs) in enumerate(series):
            value = vs[index] if index < len(vs) else 0
            x, h = start + number * bar, value * scale
            parts.append(f'<rect x="{x:.1f}" y="{bottom - h:.1f}" width="{bar - 1:.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[number % len(PALETTE)]}"/>')
            if value:
                parts.append(f'<text x="{x + bar / 2:.1f}" y="{bottom - h - 2:.1f}" '
                             f'text-anchor="middle" font-size="{FONT - 2}" fill="{INK}">'
                             f"{_number(value)}</text>")
        parts.append(f'<text x="{left + (index + 0.5) * group:.1f}" y="{bottom + 14}" '
                     f'text-anchor="middle" font-size="{FONT - 1}" fill="{INK}">{text(category)}</text>')
    x = float(left)
    for number, (name, _) in enumerate(series):
        parts.append(f'<rect x="{x:.1f}" y="22" width="10" height="10" '
                     f'fill="{PALETTE[number % len(PALETTE)]}"/>')
        parts.append(f'<text x="{x + 14:.1f}" y="31" font-size="{FONT}" fill="{INK}">{text(name)}</text>')
        x += 24 + 7 * len(name) + 6 * sum(1 for ch in name if ord(ch) > 0x2E80)
    parts.append("</svg>")
    return "\n".join(parts)


def _horizontal(title: str, items: Sequence[tuple[str, float]], maximum: float,
                shown: Callable[[float], str], empty: str, color: str, width: int) -> str:
    row = 20
    height = 28 + row * max(1, len(items)) + 6
    parts = _open(title, width, height)
    if not items:
        return _empty(parts, width, height, empty)
    left, right = 150, 60
    span = width - left - right
    for index, (name, value) in enumerate(items):
        y = 26 + index * row
        length = span * (value / maximum if maximum else 0)
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end" font-size="{FONT}" '
                     f'fill="{INK}">{text(name)}</text>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{span}" height="13" fill="#eef1f4"/>')
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="13" fill="{color}"/>')
        parts.append(f'<text x="{left + span + 6}" y="{y + 13}" font-size="{FONT}" '
                     f'fill="{INK}">{text(shown(value))}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def share_bars(title: str, items: Sequence[tuple[str, float]], *, empty: str,
               width: int = 680) -> str:
    """Horizontal bars of shares from 0 to 1, each labelled as a percentage (e.g. SLA on time)."""
    return _horizontal(title, items, 1.0, percent, empty, PALETTE[2], width)


def count_bars(title: str, items: Sequence[tuple[str, float]], *, empty: str,
               width: int = 680) -> str:
    """Horizontal bars of counts against the largest (e.g. SLA breaches per department)."""
    largest = max((v for _, v in items), default=0)
    return _horizontal(title, items, largest, _number, empty, PALETTE[3], width)


def percent(share: float) -> str:
    """0.875 as ``87.5%``."""
    return f"{share * 100:.1f}%"
