"""``--as-of``: read a summary table as it stood at a past moment (R-S5, R-O5: the 16:00 view).

A moment without a UTC offset is a wall-clock time in the company's zone (``SALESFLOW_TIMEZONE``),
as the staff would say it: ``--as-of "2026-12-01 16:00"``.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo
from typing import Any

from services.cli.tables import json_text

HELP = ("the table as it stood at this moment, e.g. \"2026-12-01 16:00\" (company time zone "
        "unless an offset is given, e.g. 2026-12-01T16:00+08:00) / 查看某一时刻的表")


def parse(text: str) -> datetime:
    """``YYYY-MM-DD[ HH:MM[:SS]][±HH:MM]``; the zone is added later, from the settings."""
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a moment: write YYYY-MM-DD HH:MM, e.g. \"2026-12-01 16:00\" "
            "/ 时间格式应为 YYYY-MM-DD HH:MM") from None


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", dest="as_of", type=parse, metavar="MOMENT", help=HELP)


def moment(value: datetime, zone: tzinfo) -> datetime:
    """``value`` with its zone: the company's when it was given without an offset."""
    return value if value.utcoffset() is not None else value.replace(tzinfo=zone)


def query(args: argparse.Namespace, zone: tzinfo) -> dict[str, Any]:
    """The ``as_of`` of a table query (ISO text with the offset), or nothing."""
    if args.as_of is None:
        return {}
    return {"as_of": moment(args.as_of, zone).isoformat()}


def title(args: argparse.Namespace, zone: tzinfo) -> str:
    """The line above a table read as of a moment (empty for the live table)."""
    if args.as_of is None:
        return ""
    shown = moment(args.as_of, zone).astimezone(zone).strftime("%Y-%m-%d %H:%M")
    return f"as of {shown} ({zone}) / 截至 {shown}\n"


async def show(client: Any, subject: str, args: argparse.Namespace, zone: tzinfo,
               filters: Sequence[str],
               table: Callable[[Sequence[dict[str, Any]], tzinfo], str]) -> int:
    """Ask a summary table's query with the given filters of ``args`` (and ``--as-of``), page
    by page (a table of any size, not only what one NATS message carries), and print its rows
    as JSON or as the table."""
    # imported here: the exports import the table modules that import this one
    from services.reports.exports import page_by_page

    wanted = {name: getattr(args, name) for name in filters if getattr(args, name)}
    rows = await page_by_page(client.query)(subject, wanted | query(args, zone))
    print(json_text(rows) if args.json else title(args, zone) + table(rows, zone))
    return 0
