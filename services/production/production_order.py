"""Production's order for a customer order: internal order received, delivery promised by PMC,
made in lots that quality inspects, failed lots reworked (R-O2, R-O4, R-S7 for orders)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from events import production as ev
from events.envelope import Role
from events.quality import InspectionFailed
from events.sales import InternalOrderIssued, OrderImported
from services.domain import Aggregate, Context, RuleBroken, record_id
from services.production.promises import (
    PLANNERS,
    PromiseHistory,
    WorkingTime,
    delay_facts,
    require_future,
)

ROUND = 1  # an order has one promise history; rounds are a sample's trials


def production_order_id(order_no: str) -> UUID:
    return record_id("production_order", order_no)


@dataclass
class Lot:
    """One lot of the order as production knows it: made, then reworked after each failure."""

    quantity: int
    attempt: int = 1
    in_rework: bool = False


@dataclass
class ProductionOrder(Aggregate):
    """A customer order in production, from the internal order to its last lot (R-O2, R-O4)."""

    order_no: str = ""
    status: str = "new"  # new -> received -> promised
    ordered: int = 0
    promised_at: datetime | None = None
    promised_quantity: int = 0
    lots: dict[str, Lot] = field(default_factory=dict)
    # First attempts in the order they were made: a promise is kept by the first completion of
    # its quantity, a later rework does not undo that (it is a quality matter, not a delay).
    made: list[tuple[datetime, int]] = field(default_factory=list)
    reworked: set[UUID] = field(default_factory=set)  # quality's InspectionFailed reacted to
    history: PromiseHistory = field(default_factory=PromiseHistory)

    @property
    def in_lots(self) -> int:
        return sum(lot.quantity for lot in self.lots.values())

    def done_at(self) -> datetime | None:
        """When the promised quantity had all been made (first attempts), if it has been."""
        total = 0
        for at, quantity in self.made:
            total += quantity
            if self.promised_quantity and total >= self.promised_quantity:
                return at
        return None

    def receive(self, ctx: Context, issued: InternalOrderIssued) -> None:
        """R-O2: the assistant's internal order reaches PMC; its 2-hour reply clock starts."""
        if self.status != "new":
            return  # already received: a repeat changes nothing
        self.trigger(ev.InternalOrderReceived, ctx, order_no=issued.order_no,
                     internal_order_no=issued.internal_order_no, customer=issued.customer,
                     lines=issued.lines, requested_date=issued.requested_date,
                     source_event_id=issued.event_id)

    def take_over_import(self, ctx: Context, imported: OrderImported) -> None:
        """Issue 12: an open order imported by sales past its internal order: PMC holds it as
        received (to promise), or as promised (to make). History: no reply clock, no timer."""
        if self.status != "new":
            return  # already held: a repeat changes nothing
        promised = imported.stage in ("promised", "customer_notified")
        self.trigger(ev.ImportedOrderReceived, ctx, order_no=imported.order_no,
                     internal_order_no=imported.internal_order_no,
                     ordered=sum(line.quantity for line in imported.lines),
                     promised_at=imported.promised_at if promised else None,
                     source_event_id=imported.event_id)

    def promise(self, ctx: Context, promised_at: datetime, quantity: int | None,
                note: str | None) -> None:
        """R-O2: PMC, having worked out the materials, replies with a delivery time."""
        ctx.require("R-O2", PLANNERS, "promise an order's delivery time", "承诺订单交期")
        if self.status == "new":
            raise RuleBroken("R-O2", "the internal order has not reached production yet: PMC "
                             "promises a delivery time after receiving it",
                             "生产部尚未收到内部订单：PMC 收到后才能承诺交期")
        if self.status != "received":
            raise RuleBroken("R-O2", f"order {self.order_no} is {self.status}: a delivery time "
                             "is promised once; change it with a delay notice",
                             f"订单 {self.order_no} 当前为 {self.status}：交期只承诺一次，变更请发延期通知")
        if quantity is not None and quantity > self.ordered:
            raise RuleBroken("R-O2", f"{quantity} is more than the {self.ordered} ordered",
                             f"承诺数量 {quantity} 超过订单数量 {self.ordered}", field="quantity")
        require_future("R-O2", "promised_at", promised_at, ctx)
        self.trigger(ev.DeliveryPromised, ctx, promises="order", order_no=self.order_no,
                     promised_at=promised_at, quantity=quantity or self.ordered, note=note,
                     round=ROUND)

    def notify_delay(self, ctx: Context, *, kind: str, reason: str, new_promised_at: datetime,
                     calendar: WorkingTime) -> None:
        """R-S7 for orders: tell the assistant, with the reason and a new time, while work is
        left (quantity not made yet, or a lot in rework)."""
        ctx.require("R-S7", PLANNERS, "give a delay notice", "发出延期通知")
        reworking = any(lot.in_rework for lot in self.lots.values())
        finished = self.done_at() is not None and not reworking
        if self.status != "promised" or self.promised_at is None or finished:
            state = "made in full" if finished else self.status
            raise RuleBroken("R-S7", f"order {self.order_no} is {state}: only a promised order "
                             "with work left can be delayed",
                             f"订单 {self.order_no} 当前为 {state}：只有已承诺且仍有未完成工作的订单才能延期")
        self.trigger(ev.DelayNotified, ctx, promises="order", order_no=self.order_no, kind=kind,
                     reason=reason, round=ROUND,
                     **delay_facts(ctx, calendar, self.promised_at, new_promised_at))

    def complete_lot(self, ctx: Context, lot_no: str, quantity: int) -> None:
        """R-O4: a lot is finished and goes to quality; a lot quality failed comes back here
        as its next attempt, with the same quantity."""
        ctx.require("R-O4", [Role.PRODUCTION_SUPERVISOR], "report a lot completed", "报告批次完成")
        if self.status == "new":
            raise RuleBroken("R-O4", "the internal order has not reached production yet: no lot "
                             "can be completed", "生产部尚未收到内部订单：不能报告批次完成")
        lot = self.lots.get(lot_no)
        if lot is not None:
            self._rework_done(lot_no, lot, quantity)
        elif quantity > self.ordered - self.in_lots:
            left = self.ordered - self.in_lots
            raise RuleBroken("R-O4", f"a lot of {quantity} is more than the {left} of order "
                             f"{self.order_no} not yet in a lot ({self.ordered} ordered)",
                             f"批次数量 {quantity} 超过订单 {self.order_no} 尚未完成的数量 {left}"
                             f"（订单数量 {self.ordered}）", field="quantity")
        attempt = lot.attempt + 1 if lot is not None else 1
        self.trigger(ev.LotCompleted, ctx, order_no=self.order_no, lot_no=lot_no,
                     quantity=quantity, attempt=attempt)

    def _rework_done(self, lot_no: str, lot: Lot, quantity: int) -> None:
        if not lot.in_rework:
            raise RuleBroken("R-O4", f"lot {lot_no} of order {self.order_no} is already completed "
                             f"(attempt {lot.attempt}); it is completed again only after quality "
                             "failed it", f"订单 {self.order_no} 的批次 {lot_no} 已完成（第 "
                             f"{lot.attempt} 次）；只有品质判定不合格返工后才能再次完成",
                             field="lot_no")
        if quantity != lot.quantity:
            raise RuleBroken("R-O4", f"reworked lot {lot_no} keeps its quantity of {lot.quantity}",
                             f"返工批次 {lot_no} 的数量应保持为 {lot.quantity}", field="quantity")

    def start_rework(self, ctx: Context, failed: InspectionFailed) -> None:
        """R-O4: a lot quality failed goes back to production."""
        lot = self.lots.get(failed.lot_no)
        if failed.event_id in self.reworked or lot is None or lot.in_rework \
                or lot.attempt != failed.attempt:
            return  # a repeat, or a failure of an attempt already superseded
        self.trigger(ev.ReworkStarted, ctx, order_no=self.order_no, lot_no=failed.lot_no,
                     findings=failed.findings, attempt=failed.attempt,
                     source_event_id=failed.event_id)

    def promise_fell_due(self, ctx: Context, promised_at: datetime) -> None:
        """R-S7 for orders: missed when the promised quantity was not all made by then and no
        timely notice superseded the promise; decided once."""
        missed = self.history.missed(ROUND, promised_at, self.done_at())
        if missed is not None:
            self.trigger(ev.DeliveryPromiseMissed, ctx, promises="order", order_no=self.order_no,
                         **missed)

    def when_InternalOrderReceived(self, e: ev.InternalOrderReceived) -> None:
        self.order_no, self.status = e.order_no, "received"
        self.ordered = sum(line.quantity for line in e.lines)

    def when_ImportedOrderReceived(self, e: ev.ImportedOrderReceived) -> None:
        self.order_no, self.ordered = e.order_no, e.ordered
        self.status = "promised" if e.promised_at is not None else "received"
        self.promised_at, self.promised_quantity = e.promised_at, e.ordered

    def when_DeliveryPromised(self, e: ev.DeliveryPromised) -> None:
        self.status, self.promised_at = "promised", e.promised_at
        self.promised_quantity = e.quantity or self.ordered
        self.history.fold(e)

    def when_DelayNotified(self, e: ev.DelayNotified) -> None:
        self.promised_at = e.new_promised_at
        self.history.fold(e)

    def when_DeliveryPromiseMissed(self, e: ev.DeliveryPromiseMissed) -> None:
        self.history.fold(e)

    def when_LotCompleted(self, e: ev.LotCompleted) -> None:
        if e.attempt == 1:
            self.lots[e.lot_no] = Lot(quantity=e.quantity)
            self.made.append((e.timestamp, e.quantity))
        else:
            self.lots[e.lot_no] = Lot(quantity=e.quantity, attempt=e.attempt)

    def when_ReworkStarted(self, e: ev.ReworkStarted) -> None:
        self.lots[e.lot_no].in_rework = True
        self.reworked.add(e.source_event_id)
