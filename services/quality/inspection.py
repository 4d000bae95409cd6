"""Quality's inspection of one lot of a customer order: requested by production's completion,
passed, or failed with findings and requested again after the rework (R-O4)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from uuid import UUID

from events import quality as ev
from events.envelope import Role
from events.production import LotCompleted
from services.domain import Aggregate, Context, RuleBroken, record_id

INSPECTORS = (Role.QC_INSPECTOR, Role.QUALITY_ENGINEER)


def inspection_id(order_no: str, lot_no: str) -> UUID:
    return record_id("inspection", f"{order_no}/{lot_no}")


@dataclass
class Inspection(Aggregate):
    """The inspection of one lot, attempt after attempt, until it passes."""

    order_no: str = ""
    lot_no: str = ""
    status: str = "new"  # new -> awaiting -> passed | failed -> awaiting (next attempt) ...
    attempt: int = 0
    quantity: int = 0

    def request(self, ctx: Context, completed: LotCompleted) -> None:
        """Production finished the lot (again, after a rework): it waits for inspection."""
        if completed.attempt <= self.attempt:
            return  # this attempt is already requested: a repeat changes nothing
        self.trigger(ev.InspectionRequested, ctx, order_no=completed.order_no,
                     lot_no=completed.lot_no, attempt=completed.attempt,
                     quantity=completed.quantity, source_event_id=completed.event_id)

    def inspect(self, ctx: Context, result: Literal["pass", "fail"], findings: str | None,
                note: str | None) -> None:
        """R-O4: the inspector passes the lot, or fails it with findings for rework."""
        ctx.require("R-O4", INSPECTORS, "inspect a lot", "检验批次")
        if self.status == "new":
            raise RuleBroken("R-O4", "production has not reported this lot completed: there is "
                             "nothing to inspect yet", "生产部尚未报告该批次完成：暂无可检验的批次",
                             field="lot_no")
        if self.status != "awaiting":
            raise RuleBroken("R-O4", f"lot {self.lot_no} of order {self.order_no} does not await "
                             f"inspection (attempt {self.attempt} {self.status})",
                             f"订单 {self.order_no} 的批次 {self.lot_no} 不在待检状态（第 "
                             f"{self.attempt} 次：{self.status}）", field="lot_no")
        facts = dict(order_no=self.order_no, lot_no=self.lot_no, attempt=self.attempt,
                     quantity=self.quantity)
        if result == "pass":
            if findings is not None:
                raise RuleBroken("R-O4", "a passed lot has no findings; put remarks in the note",
                                 "合格批次不填写检验问题，备注请写在备注中", field="findings")
            self.trigger(ev.InspectionPassed, ctx, note=note, **facts)
        else:
            if not findings:
                raise RuleBroken("R-O4", "a failed lot needs its findings, for the rework",
                                 "不合格批次必须填写检验问题，以便返工", field="findings")
            self.trigger(ev.InspectionFailed, ctx, findings=findings, **facts)

    def when_InspectionRequested(self, e: ev.InspectionRequested) -> None:
        self.order_no, self.lot_no, self.status = e.order_no, e.lot_no, "awaiting"
        self.attempt, self.quantity = e.attempt, e.quantity

    def when_InspectionPassed(self, e: ev.InspectionPassed) -> None:
        self.status = "passed"

    def when_InspectionFailed(self, e: ev.InspectionFailed) -> None:
        self.status = "failed"
