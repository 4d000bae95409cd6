"""The Sample Record Summary as a table: rows kept as JSON, keyed and filtered by a few columns.

The month a sample belongs to is the month of its request in the company's time zone: a
request made at 07:30 on 1 November in Shanghai (23:30 UTC the day before) is November's.
"""
from __future__ import annotations

from typing import ClassVar

from contracts.queries import SAMPLE_SEARCHED
from events import sales
from events.envelope import DomainEvent
from projections import sample_summary
from projections.summary_table import RowFold, SummaryTable


class SampleSummaryTable(SummaryTable):
    """Read model ``samples`` (table ``sample_summary``): one row per sample request."""

    name: ClassVar[str] = "samples"
    # v2: an earlier round's production progress is forgotten when a round starts (rows no
    # longer depend on how the streams interleave, which as-of reading relies on).
    # v3: rows imported from the old table (issue 12, ``SampleImported``), marked ``imported``.
    version: ClassVar[int] = 3
    tables: ClassVar[tuple[str, ...]] = ("sample_summary", "sample_summary_applied")
    applied: ClassVar[str | None] = "sample_summary_applied"
    key: ClassVar[str] = "request_no"
    searched: ClassVar[tuple[str, ...]] = SAMPLE_SEARCHED
    summary: ClassVar[RowFold] = sample_summary
    dated_by: ClassVar[str] = "requested_at"
    opened_by: ClassVar[type[DomainEvent] | tuple[type[DomainEvent], ...]] = (
        sales.SampleRequested, sales.SampleImported)

    def wants(self, event: DomainEvent) -> bool:
        # Promises of customer orders share their event types with samples' (``promises``).
        return (type(event) in sample_summary.FOLD and bool(event.record_no)
                and getattr(event, "promises", "sample") == "sample")

