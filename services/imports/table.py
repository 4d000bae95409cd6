"""What the import needs to know of one table (``samples``, ``orders``, ``complaints``): the
columns it reads, with their accepted header spellings, and how a row becomes the command of the
department that owns the record. Each table's module defines one ``TableImport``."""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from contracts.commands.base import Command
from events.envelope import Actor
from events.imports import ImportSource

# A row's cells by field name (None for an empty or missing cell), its source, who imports it,
# the company zone and "now" (no date may lie after it). Raises ``cells.CellRefused``.
RowToCommand = Callable[[Mapping[str, Any], ImportSource, Actor, tzinfo, datetime], Command]


@dataclass(frozen=True)
class TableImport:
    """One table's import."""

    table: str  # samples | orders | complaints
    title_en: str
    title_zh: str
    department: str  # the service whose command imports a row (sales)
    # field -> accepted header spellings (compared ``cells.normalize``d); the export's
    # headers (services.reports.exports) must be among them, so an export imports back.
    headers: Mapping[str, tuple[str, ...]]
    required: frozenset[str]  # fields whose column must be present
    key: str  # the field holding the record's number (request no., order no., complaint no.)
    to_command: RowToCommand
    # canonical status -> accepted spellings (Chinese, English, old forms): for the report
    statuses: Mapping[str, tuple[str, ...]]


MODULES = {"samples": "services.imports.samples", "orders": "services.imports.orders",
           "complaints": "services.imports.complaints"}


def table_import(table: str) -> TableImport:
    """The ``TableImport`` of ``table`` (its module defines ``TABLE``)."""
    module = importlib.import_module(MODULES[table])
    found: TableImport = module.TABLE
    return found
