"""The inputs of one month's sales meeting (R-M2): the resource needs and the improvements the
managers enter, each an item with its own id, until it is withdrawn."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from uuid import UUID

from events.envelope import Role
from events.sales import meeting as ev
from services.domain import (
    Aggregate,
    Context,
    Forbidden,
    Invalid,
    NotFound,
    RuleBroken,
    record_id,
)

RULE = "R-M2"
MANAGERS = (Role.SALES_MANAGER, Role.MARKETING_MANAGER, Role.CS_SUPERVISOR)
MAX_ITEMS = 999  # the item id's three digits


def meeting_month_id(month: str) -> UUID:
    return record_id("meeting_month", month)


def month_of(item_id: str) -> str:
    """``2026-05`` of the item ``2026-05-003``."""
    return item_id[:7]


def months_after(earlier: str, later: str) -> int:
    (y1, m1), (y2, m2) = (map(int, earlier.split("-")), map(int, later.split("-")))
    return (y2 * 12 + m2) - (y1 * 12 + m1)


@dataclass
class Item:
    """One entered input: who entered it, when (business time), and whether it still stands."""

    recorded_by: str
    recorded_at: datetime
    withdrawn: bool = False


@dataclass
class MeetingMonth(Aggregate):
    """One month's meeting inputs, by item id."""

    items: dict[str, Item] = field(default_factory=dict)

    def business_time(self, ctx: Context) -> datetime:
        # The items are independent: a manager may date an entry before another manager's.
        return ctx.now

    def record(self, ctx: Context, kind: type[ev.MeetingInputRecorded], month: str, today: date,
               department: ev.MeetingDepartment, summary: str, detail: str, owner: str | None,
               due: date | None) -> str:
        """Enter a resource need or an improvement; returns its item id."""
        ctx.require(RULE, MANAGERS, "enter the monthly sales meeting's inputs", "录入月度销售会议事项")
        ahead = months_after(today.strftime("%Y-%m"), month)
        if ahead > 1:
            raise RuleBroken(
                RULE, f"inputs are entered for this month's meeting or the next one's, not for "
                      f"{month} ({ahead} months ahead)",
                f"只能为本月或下月的会议录入事项，不能为 {month}（{ahead} 个月之后）录入")
        if len(self.items) >= MAX_ITEMS:
            raise RuleBroken(RULE, f"the meeting of {month} has {MAX_ITEMS} inputs already",
                             f"{month} 的会议已有 {MAX_ITEMS} 个事项")
        item_id = f"{month}-{len(self.items) + 1:03d}"
        self.trigger(kind, ctx, item_id=item_id, month=month, for_department=department,
                     summary=summary, detail=detail, owner=owner, due=due)
        return item_id

    def withdraw(self, ctx: Context, item_id: str) -> None:
        """Withdraw an item: only who entered it, or a sales manager."""
        ctx.require(RULE, MANAGERS, "withdraw a monthly sales meeting's input", "撤回月度销售会议事项")
        item = self.items.get(item_id)
        if item is None:
            raise NotFound(RULE, f"the meeting inputs hold no item {item_id}",
                           f"会议事项中没有 {item_id}", field="item_id")
        if ctx.actor.role is not Role.SALES_MANAGER and ctx.actor.user != item.recorded_by:
            raise Forbidden(
                RULE, f"only {item.recorded_by}, who entered {item_id}, or a sales_manager may "
                      f"withdraw it",
                f"只有录入 {item_id} 的 {item.recorded_by} 或业务经理（sales_manager）可以撤回")
        if item.withdrawn:
            raise RuleBroken(RULE, f"{item_id} was withdrawn already", f"{item_id} 已经撤回")
        self.trigger(ev.MeetingInputWithdrawn, self._after(ctx, item, item_id), item_id=item_id,
                     month=month_of(item_id))

    @staticmethod
    def _after(ctx: Context, item: Item, item_id: str) -> Context:
        """A withdrawal is not dated before its item was entered."""
        if ctx.now >= item.recorded_at:
            return ctx
        if not ctx.explicit:
            return replace(ctx, now=item.recorded_at)
        at = item.recorded_at.isoformat()
        raise Invalid(None, f"occurred_at ({ctx.now.isoformat()}) must not be before {item_id} "
                            f"was entered ({at})",
                      f"occurred_at（{ctx.now.isoformat()}）不能早于 {item_id} 的录入时间（{at}）",
                      field="occurred_at")

    def when_ResourceNeedRecorded(self, e: ev.ResourceNeedRecorded) -> None:
        self.items[e.item_id] = Item(e.actor.user, e.timestamp)

    def when_ImprovementRecorded(self, e: ev.ImprovementRecorded) -> None:
        self.items[e.item_id] = Item(e.actor.user, e.timestamp)

    def when_MeetingInputWithdrawn(self, e: ev.MeetingInputWithdrawn) -> None:
        self.items[e.item_id].withdrawn = True
