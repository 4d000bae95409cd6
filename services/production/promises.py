"""Delivery promises (R-S7) as production keeps them, for a sample work order and for a customer
order alike: who may give them, the delay notice's 4-hour test, and the decision of a missed one.

Each record keeps a ``PromiseHistory`` of its own events, so a promise's timer is decided from
production's ordered history alone, whenever the timer is consumed and whatever the record has
done since.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from events import production as ev
from events.envelope import Role
from services.domain import Context, RuleBroken

PLANNERS = (Role.PMC_PLANNER, Role.PRODUCTION_SUPERVISOR)
NOTICE_HOURS = 4.0  # R-S7: a special case is told at least 4 working hours before the promise

Promise = tuple[int, datetime]  # (round, promised time): orders have one round


class WorkingTime(Protocol):
    """The company calendar, as the domain needs it (``contracts.calendar.WorkingCalendar``)."""

    def working_hours_between(self, start: datetime, end: datetime) -> float: ...


def require_future(rule: str, field_name: str, moment: datetime, ctx: Context) -> None:
    if moment <= ctx.now:
        raise RuleBroken(rule, "the promised time must lie in the future",
                         "承诺交期必须晚于当前时间", field=field_name)


def delay_facts(ctx: Context, calendar: WorkingTime, promised_at: datetime,
                new_promised_at: datetime) -> dict[str, Any]:
    """The facts of a delay notice of ``promised_at`` (R-S7): timely if given at least
    ``NOTICE_HOURS`` working hours before it."""
    require_future("R-S7", "new_promised_at", new_promised_at, ctx)
    left = calendar.working_hours_between(ctx.now, promised_at)
    return {"previous_promised_at": promised_at, "new_promised_at": new_promised_at,
            "working_hours_before": round(left, 2), "timely": left >= NOTICE_HOURS}


@dataclass
class PromiseHistory:
    """Every time one record promised, which of them a notice superseded, and which were decided."""

    promises: set[Promise] = field(default_factory=set)
    notices: dict[Promise, bool] = field(default_factory=dict)  # -> timely
    decided: set[Promise] = field(default_factory=set)

    def missed(self, round_no: int, promised_at: datetime,
               done_at: datetime | None) -> dict[str, Any] | None:
        """The facts of ``DeliveryPromiseMissed`` for this promise, or None: when the work was
        done (``done_at``) by the promised time, a timely notice superseded it, it was already
        decided (a repeated timer), or it was never promised (a forged one)."""
        promise = (round_no, promised_at)
        if promise not in self.promises or promise in self.decided:
            return None
        if (done_at is not None and done_at <= promised_at) or self.notices.get(promise, False):
            return None
        return {"promised_at": promised_at, "notice_given": promise in self.notices,
                "completed_at": done_at, "round": round_no}

    def fold(self, event: ev.DeliveryPromised | ev.DelayNotified | ev.DeliveryPromiseMissed,
             ) -> None:
        if isinstance(event, ev.DeliveryPromised):
            self.promises.add((event.round, event.promised_at))
        elif isinstance(event, ev.DelayNotified):
            self.promises.add((event.round, event.new_promised_at))
            self.notices[(event.round, event.previous_promised_at)] = event.timely
        else:
            self.decided.add((event.round, event.promised_at))
