"""The Order Summary as a table (R-O3, R-O5): rows kept as JSON, filtered by customer, status,
salesperson and month. An order's month is the month it was received, in the company's zone."""
from __future__ import annotations

from typing import ClassVar

from contracts.queries import ORDER_SEARCHED
from events.envelope import DomainEvent
from events.sales import OrderImported, OrderReceived
from projections import order_summary
from projections.summary_table import RowFold, SummaryTable


class OrderSummaryTable(SummaryTable):
    """Read model ``orders`` (table ``order_summary``): one row per customer order."""

    name: ClassVar[str] = "orders"
    version: ClassVar[int] = 2  # 2: folds OrderImported (issue 12)
    tables: ClassVar[tuple[str, ...]] = ("order_summary", "order_summary_applied")
    applied: ClassVar[str | None] = "order_summary_applied"
    key: ClassVar[str] = "order_no"
    searched: ClassVar[tuple[str, ...]] = ORDER_SEARCHED
    summary: ClassVar[RowFold] = order_summary
    dated_by: ClassVar[str] = "received_at"
    filters: ClassVar[tuple[str, ...]] = ("customer", "status", "salesperson")
    # a row opens with the live process's first event or with an imported row (issue 12)
    opened_by: ClassVar[tuple[type[DomainEvent], ...]] = (OrderReceived, OrderImported)
    opening_decides: ClassVar[tuple[str, ...]] = ("customer", "month", "salesperson")

    def wants(self, event: DomainEvent) -> bool:
        return order_summary.concerns(event)

