"""The sections a pack may add after its tables (``PackData.extra_sections``), written by both the
workbook (``packs``) and the printable page (``printable``)."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from services.reports.workbook import Columns, Lang, both


@dataclass(frozen=True)
class ExtraSection:
    """A section a pack adds after its tables (e.g. R-M2's resource needs and improvements):
    a title, optional lines of text and an optional table (``columns`` as ``(key, "English 中文")``)."""

    title_en: str
    title_zh: str
    lines: Sequence[str] = ()
    columns: Columns = ()
    rows: Sequence[dict[str, Any]] = ()
    # A section with a sheet name gets a sheet of its own in the workbook (else "其他 More").
    sheet: str | None = None
    # How a row reads in a language (e.g. a kind's name), applied before it is written.
    cells: Callable[[dict[str, Any], Lang], dict[str, Any]] | None = None
    empty_en: str = ""  # said instead of an empty table
    empty_zh: str = ""

    def title(self, lang: Lang) -> str:
        return both(self.title_en, self.title_zh, lang)

    def shown_rows(self, lang: Lang) -> list[dict[str, Any]]:
        return [self.cells(r, lang) for r in self.rows] if self.cells else list(self.rows)

    def empty(self, lang: Lang) -> str | None:
        """What an empty table says instead (None: nothing)."""
        return both(self.empty_en, self.empty_zh, lang) if not self.rows and self.empty_en \
            else None
