"""The month of the Complaint Summary, which carries technical support's notes under the month-end
analysis per customer and per problem (R-C6)."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from events.envelope import Role
from events.sales import complaint as ev
from services.domain import Aggregate, Context, record_id


def complaint_month_id(month: str) -> UUID:
    return record_id("complaint_month", month)


@dataclass
class ComplaintMonth(Aggregate):
    """One month's complaint analysis notes; the figures themselves are computed by the
    projections."""

    notes: int = 0

    def note(self, ctx: Context, month: str, text: str) -> None:
        ctx.require("R-C6", [Role.TECHNICAL_SUPPORT], "write the month-end complaint analysis",
                    "撰写客诉月度分析")
        self.trigger(ev.ComplaintMonthNoted, ctx, month=month, text=text)

    def when_ComplaintMonthNoted(self, e: ev.ComplaintMonthNoted) -> None:
        self.notes += 1
