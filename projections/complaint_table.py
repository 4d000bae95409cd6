"""The Complaint Summary as a table (R-C2, R-C3, R-C5): rows kept as JSON, filtered by customer,
status, salesperson, severity and month. A complaint's month is the month sales took it in
(``ComplaintReceived``, also for one redirected from another department), in the company's zone."""
from __future__ import annotations

from typing import ClassVar

from contracts.queries import COMPLAINT_SEARCHED
from events.envelope import DomainEvent
from events.sales import ComplaintImported, ComplaintReceived
from projections import complaint_summary
from projections.summary_table import RowFold, SummaryTable


class ComplaintSummaryTable(SummaryTable):
    """Read model ``complaints`` (table ``complaint_summary``): one row per complaint."""

    name: ClassVar[str] = "complaints"
    version: ClassVar[int] = 2  # 2: ComplaintImported (issue 12)
    tables: ClassVar[tuple[str, ...]] = ("complaint_summary", "complaint_summary_applied")
    applied: ClassVar[str | None] = "complaint_summary_applied"
    key: ClassVar[str] = "complaint_no"
    searched: ClassVar[tuple[str, ...]] = COMPLAINT_SEARCHED
    summary: ClassVar[RowFold] = complaint_summary
    dated_by: ClassVar[str] = "received_at"
    filters: ClassVar[tuple[str, ...]] = ("customer", "status", "salesperson", "severity")
    # a row opens with the live process's first event or with an imported row (issue 12)
    opened_by: ClassVar[tuple[type[DomainEvent], ...]] = (ComplaintReceived, ComplaintImported)
    # Registration may correct the customer and names the salesperson: only the month is the
    # intake's alone.
    opening_decides: ClassVar[tuple[str, ...]] = ("month",)

    def wants(self, event: DomainEvent) -> bool:
        return complaint_summary.concerns(event)

