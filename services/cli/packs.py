"""``salesflow pack daily|weekly|monthly [DATE|YYYY-Www|YYYY-MM] [--format xlsx|html|pdf]``:
the daily 16:00 pack (R-S5, R-O5, R-C5) and the meeting packs (R-M1, R-M2) as Excel files, as a
page to print with charts, or as PDF (printed by headless Chromium)."""
from __future__ import annotations

import argparse
import os
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from contracts.calendar import WorkingCalendar
from services.cli.client import Client
from services.reports import exports, meetings, pack_data, packs, pdf, printable
from services.reports.workbook import LANGS, Lang, to_bytes
from services.runtime.settings import Settings

FORMATS = ("xlsx", "html", "pdf")


def add_parser(sub: Any) -> None:
    """Add ``pack`` to ``salesflow``'s subparsers."""
    pack = sub.add_parser("pack", help="write the daily 16:00 pack or a meeting pack as an Excel "
                                       "file, a page to print or a PDF / 生成日报或会议资料")
    pack.add_argument("kind", choices=("daily", "weekly", "monthly"))
    pack.add_argument("period", nargs="?", help="YYYY-MM-DD (daily), YYYY-Www (weekly) or "
                                                "YYYY-MM (monthly); default: today's / 日期、周或月份")
    pack.add_argument("--lang", choices=LANGS, default="zh", help="language / 语言")
    pack.add_argument("--format", choices=FORMATS, default="xlsx",
                      help="xlsx (Excel), html (a page to print, with charts) or pdf (needs "
                           "Chromium) / 文件格式")
    pack.add_argument("-o", "--output", type=Path, help="the file to write")


def period_of(kind: str, text: str | None, today: date) -> str:
    """The pack's period as written, checked; today's when not given."""
    if kind == "daily":
        if text is None:
            return today.isoformat()
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a date: write YYYY-MM-DD "
                                             f"/ 日期应写作 YYYY-MM-DD") from None
    if kind == "weekly":
        return meetings.week_of(today) if text is None else _checked(meetings.parse_week, text)
    return today.strftime("%Y-%m") if text is None else _checked(meetings.parse_month, text)


def _checked(parse: Any, text: str) -> str:
    try:
        parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text.strip().upper() if "W" in text.upper() else text.strip()


async def run(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    now = datetime.now(UTC)
    try:
        period = period_of(args.kind, args.period, now.astimezone(settings.zone()).date())
    except argparse.ArgumentTypeError as error:
        print(f"salesflow: {error}")
        return 2
    # page by page: a whole summary table can be larger than one NATS message
    data = await pack_data.gather(exports.page_by_page(client.query), args.kind, period,
                                  WorkingCalendar.from_env(os.environ), now)
    try:
        content = await render(data, args.format, args.lang)
    except pdf.PdfUnavailable as error:
        print(f"salesflow: {error}")
        return 1
    path = args.output or Path(packs.pack_name(args.kind, period, args.format))
    path.write_bytes(content)
    print(f"wrote {path} / 已生成")
    return 0


async def render(data: pack_data.PackData, file_format: str, lang: Lang) -> bytes:
    """The pack's file: the workbook, the printable page or its PDF."""
    if file_format == "xlsx":
        return to_bytes(packs.workbook(data, lang))
    page = printable.page(data, lang)
    return page.encode() if file_format == "html" else await pdf.html_to_pdf(page)
