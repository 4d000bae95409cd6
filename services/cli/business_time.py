"""``--occurred-at``: when a step happened on the floor, for a command recorded later.

Written as the staff say it: ``--occurred-at "2026-03-02 09:10"`` is a wall-clock time in the
company's zone (``SALESFLOW_TIMEZONE``); an offset may be given (``2026-03-02T09:10+08:00``).
The service refuses a time in the future, more than 31 days back, or before the record's
previous step.
"""
from __future__ import annotations

import argparse
from datetime import tzinfo
from typing import Any

from services.cli.as_of import moment, parse

HELP = ("when it happened, if recorded later, e.g. \"2026-03-02 09:10\" (company time zone "
        "unless an offset is given); default now / 实际发生时间（事后补录时填写），默认为当前时间")


def add_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--occurred-at", dest="occurred_at", type=parse, metavar="MOMENT",
                        help=HELP)


def field(args: argparse.Namespace, zone: tzinfo) -> dict[str, Any]:
    """The command's ``occurred_at`` (ISO text with the offset), or nothing."""
    given = getattr(args, "occurred_at", None)
    if given is None:
        return {}
    return {"occurred_at": moment(given, zone).isoformat()}
