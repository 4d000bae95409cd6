"""The month of the Order Summary, which carries the assistant's month-end notes (R-O6)."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from events.envelope import Role
from events.sales import order as ev
from services.domain import Aggregate, Context, record_id


def order_month_id(month: str) -> UUID:
    return record_id("order_month", month)


@dataclass
class OrderMonth(Aggregate):
    """One month's order summary notes; the figures themselves are computed by the projections."""

    notes: int = 0

    def note(self, ctx: Context, month: str, text: str) -> None:
        ctx.require("R-O6", [Role.SALES_ASSISTANT, Role.CS_SUPERVISOR],
                    "write the month-end order summary", "撰写订单月度总结")
        self.trigger(ev.OrderMonthNoted, ctx, month=month, text=text)

    def when_OrderMonthNoted(self, e: ev.OrderMonthNoted) -> None:
        self.notes += 1
