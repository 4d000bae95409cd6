"""``salesflow export samples|orders|complaints``: a summary table as an Excel file (.xlsx), with
Chinese headers unless ``--lang en``, and with ``--month`` the month-end analysis and notes."""
from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.cli import as_of
from services.cli.client import Client
from services.reports import exports
from services.reports.workbook import LANGS, to_bytes
from services.runtime.settings import Settings


def add_parser(sub: Any) -> None:
    """Add ``export`` to ``salesflow``'s subparsers."""
    export = sub.add_parser("export", help="write a summary table as an Excel file / 导出汇总表 Excel")
    export.add_argument("table", choices=tuple(exports.TABLES))
    export.add_argument("--month", help="only this month (YYYY-MM), with its month-end analysis "
                                        "and notes / 月份及月度分析")
    as_of.add_argument(export)
    export.add_argument("--lang", choices=LANGS, default="zh",
                        help="headers in Chinese (default) or English / 表头语言")
    export.add_argument("-o", "--output", type=Path,
                        help="the file to write (default: e.g. samples-2026-11.xlsx here)")


async def run(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    zone = settings.zone()
    moment = as_of.moment(args.as_of, zone) if args.as_of is not None else None
    # page by page: a whole table can be larger than one NATS message
    book = await exports.export(exports.page_by_page(client.query), args.table, zone=zone,
                                now=datetime.now(UTC),
                                lang=args.lang, month=args.month, as_of=moment)
    path = args.output or Path(exports.file_name(args.table, args.month, moment, zone))
    path.write_bytes(to_bytes(book))
    print(f"wrote {path} / 已导出")
    return 0
