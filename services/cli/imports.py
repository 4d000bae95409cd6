"""``salesflow import samples|orders|complaints FILE.xlsx``: load an existing Excel table as
history (issue 12). The file is read and checked before anything is sent, so a file that cannot
be imported (missing, unreadable, no sheet with the table's columns) is refused without a running
system; ``--dry-run`` never connects."""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.commands.bulk import BULK_ROWS
from events.envelope import Actor, Role
from services.cli.client import Client
from services.cli.tables import json_text, visible
from services.imports.progress import progress_factory
from services.imports.reader import TableReader, WorkbookRefused
from services.imports.runner import BULK, WINDOW, ImportReport, run_import, summary
from services.imports.table import MODULES, table_import
from services.runtime.settings import Settings

# Who enters each table (DOMAIN.md): R-S5 and R-O3 the sales assistant, R-C2 technical support.
DEFAULT_ROLE = {"samples": Role.SALES_ASSISTANT, "orders": Role.SALES_ASSISTANT,
                "complaints": Role.TECHNICAL_SUPPORT}
HELP = ("load an existing Excel table (Sample Record / Order / Complaint Summary) as history; "
        "each row is imported whole or refused with its row, column and reason; importing the "
        "same file again stores nothing. Exit code 0: every row stored or already there, 1: some "
        "rows refused, 2: the file cannot be imported / 导入现有 Excel 汇总表作为历史记录；每行要么"
        "完整导入，要么被拒绝并说明行号、列和原因；同一文件重复导入不会重复存储")


def add_parser(sub: Any) -> None:
    """Add ``import`` to ``salesflow``'s subparsers."""
    p = sub.add_parser("import", help="import an Excel table as history / 导入 Excel 汇总表",
                       description=HELP)
    p.add_argument("table", choices=tuple(MODULES), help="which table / 哪张汇总表")
    p.add_argument("file", type=Path, metavar="FILE", help="the workbook: .xlsx, .xls or .ods / 工作簿文件")
    p.add_argument("--sheet", help="the sheet to read (default: the first whose header row has "
                                   "the table's columns) / 工作表名")
    p.add_argument("--dry-run", action="store_true", help="read and check every row, send "
                   "nothing / 试运行：只检查，不导入")
    p.add_argument("--json", action="store_true", help="print the full report as JSON / "
                                                       "以 JSON 输出完整报告")
    p.add_argument("--as", dest="actor", metavar="USER[:ROLE]", default=None,
                   help="who imports (default: $SALESFLOW_USER or your login, as the table's "
                        "role: sales_assistant for samples and orders, technical_support for "
                        "complaints) / 导入人及角色")
    p.add_argument("--progress", action="store_true", help="progress lines on stderr even when "
                   "it is not a terminal / 即使不是终端也显示进度")
    p.add_argument("--window", type=int, default=WINDOW, help=argparse.SUPPRESS)
    p.add_argument("--bulk", type=int, default=BULK, help=argparse.SUPPRESS)


class Usage(ValueError):
    """An argument this command cannot use."""


def actor(args: argparse.Namespace) -> Actor:
    user, _, role = (args.actor or "").partition(":")
    user = user or os.environ.get("SALESFLOW_USER") or getpass.getuser()
    try:
        return Actor(user=user, role=Role(role) if role else DEFAULT_ROLE[args.table])
    except (ValueError, ValidationError):
        roles = ", ".join(r.value for r in Role if r not in (Role.SYSTEM,))
        raise Usage(f"--as {args.actor!r}: USER[:ROLE], the role one of {roles}",
                    ) from None


async def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        who = actor(args)
        table = table_import(args.table)
    except Usage as error:
        print(f"salesflow import: {error} / 导入人或角色无效", file=sys.stderr)
        return 2
    zone = settings.zone()
    client: Client | None = None

    async def sender(department: str, name: str, payload: dict[str, Any]) -> Any:
        assert client is not None
        return await client.command(department, name, payload, timeout=30.0)

    try:
        reader = TableReader(args.file, table, args.sheet or "")  # the file first: no system needed
        try:
            if not args.dry_run:
                client = await Client.open(settings)
        except BaseException:
            reader.close()
            raise
        report = await run_import(args.file, table, sender, who, zone, datetime.now(zone),
                                  sheet=args.sheet, dry_run=args.dry_run, window=args.window,
                                  bulk=max(1, min(args.bulk, BULK_ROWS)),
                                  progress=progress_factory(args.progress), reader=reader)
    except WorkbookRefused as error:
        print(visible(f"salesflow import: {error.en} / {error.zh}"), file=sys.stderr)
        return 2
    finally:
        if client is not None:
            await client.close()
    show(report, args.json)
    return report.exit_code()


def show(report: ImportReport, as_json: bool) -> None:
    print(json_text(report.as_json()) if as_json else visible(summary(report), lines=True))
