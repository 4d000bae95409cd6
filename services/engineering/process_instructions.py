"""Engineering's process instructions (工艺指导书) of one customer order (R-O2): requested when
sales issues the internal order, then issued by an engineer, each issue the next revision."""
from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from events import engineering as ev
from events.envelope import Role
from events.sales.order import InternalOrderIssued
from services.domain import Aggregate, Context, RuleBroken, record_id


def instructions_id(order_no: str) -> UUID:
    return record_id("process_instructions", order_no)


@dataclass
class ProcessInstructions(Aggregate):
    """The process instructions of one order: the order data engineering received, and the
    revisions of the document written from it."""

    order_no: str = ""
    document_no: str | None = None
    revision: int = 0
    # Sales' InternalOrderIssued events already received: a repeat of one changes nothing.
    causes: frozenset[UUID] = field(default_factory=frozenset)

    @property
    def requested(self) -> bool:
        return bool(self.causes)

    def request(self, ctx: Context, issued: InternalOrderIssued) -> None:
        if issued.event_id in self.causes:
            return  # this internal order was already received: a redelivery changes nothing
        self.trigger(ev.ProcessInstructionsRequested, ctx, order_no=issued.order_no,
                     internal_order_no=issued.internal_order_no, customer=issued.customer,
                     lines=issued.lines, source_event_id=issued.event_id)

    def issue(self, ctx: Context, *, document_no: str, filename: str, media_type: str,
              sha256: str, size: int) -> None:
        ctx.require("R-O2", [Role.ENGINEER], "issue process instructions", "发布工艺指导书")
        if not self.requested:
            raise RuleBroken("R-O2", "process instructions are written from the order data the "
                             "assistant gives engineering: no internal order has reached "
                             "engineering for this order yet",
                             "工艺指导书须依据业务助理提供的订单资料编写：该订单的内部订单尚未"
                             "送达工程部", field="order_no")
        if self.document_no is not None and document_no != self.document_no:
            raise RuleBroken("R-O2", f"the process instructions of order {self.order_no} are "
                             f"document {self.document_no}; a new revision keeps that number",
                             f"订单 {self.order_no} 的工艺指导书文件编号为 {self.document_no}，"
                             "新版本须沿用该编号", field="document_no")
        self.trigger(ev.ProcessInstructionsIssued, ctx, order_no=self.order_no,
                     document_no=document_no, revision=self.revision + 1, filename=filename,
                     media_type=media_type, sha256=sha256, size=size)

    def when_ProcessInstructionsRequested(self, e: ev.ProcessInstructionsRequested) -> None:
        self.order_no = e.order_no
        self.causes = self.causes | {e.source_event_id}

    def when_ProcessInstructionsIssued(self, e: ev.ProcessInstructionsIssued) -> None:
        self.document_no, self.revision = e.document_no, e.revision
