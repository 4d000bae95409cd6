"""The month of the Sample Record Summary, which carries the assistant's month-end notes (R-S8)."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from events import sales as ev
from events.envelope import Role
from services.domain import Aggregate, Context, record_id


def month_id(month: str) -> UUID:
    return record_id("sample_month", month)


@dataclass
class SampleMonth(Aggregate):
    """One month's summary notes; the figures themselves are computed by the projections."""

    notes: int = 0

    def note(self, ctx: Context, month: str, text: str) -> None:
        ctx.require("R-S8", [Role.SALES_ASSISTANT, Role.CS_SUPERVISOR],
                    "write the month-end sample summary", "撰写打样月度总结")
        self.trigger(ev.SampleMonthNoted, ctx, month=month, text=text)

    def when_SampleMonthNoted(self, e: ev.SampleMonthNoted) -> None:
        self.notes += 1
