"""Events of production (生产部, with PMC): sample work orders, production orders of customer
orders, and the delivery promises PMC gives for both."""
from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal, Self
from uuid import UUID

from pydantic import Field, model_validator

from events import complaint_desk as desk
from events.envelope import Department, DieDifficulty, DomainEvent, OrderLine, Timer
from events.imports import ImportSource

# Production's timer for a promised time (R-S7).
PROMISE_TIMER = "delivery_promise_due"
# The timer sales started itself for each promise before production decided missed promises
# (same key). Those already scheduled still fire: production decides them too, so a promise
# made just before an upgrade is decided; sales only moves its tracking on.
SALES_PROMISE_TIMER = "promise_due"
# Production's timer for a promised time of a customer order (R-O2, R-S7 for orders).
ORDER_PROMISE_TIMER = "order_promise_due"


class SampleWorkOrderEvent(DomainEvent):
    """An event of production's sample work order (aggregate ``sample_work_order``)."""

    department: ClassVar[Department] = Department.PRODUCTION
    aggregate: ClassVar[str] = "sample_work_order"
    record_field: ClassVar[str | None] = "request_no"

    request_no: str = Field(description="Sample request number / 打样申请编号")


class SampleDocumentsReceived(SampleWorkOrderEvent):
    """Production received the sample documents: the 12-48 working-hour clock starts (R-S3)."""

    die_difficulty: DieDifficulty
    scheduled_for: datetime
    round: int = Field(default=1, ge=1, description="Sample round")


class SampleWorkImported(SampleWorkOrderEvent):
    """An open sample imported from the old Sample Record Summary (issue 12) stands in
    production: its work order is set where the row stands (documents received, or a delivery
    promised), so the live steps continue it. History: it starts no clock and no timer."""

    source: ImportSource
    source_event_id: UUID = Field(description="Sales' SampleImported event")
    status: Literal["received", "promised"] = Field(description="Work order status / 状态")
    promised_at: datetime | None = Field(default=None, description="Promised / 承诺交期")
    round: int = Field(default=1, ge=1)


def promise_timer(request_no: str, round_no: int, promised_at: datetime) -> Timer:
    """The timer of one promised time: each promise has its own (the key holds the time), so a
    later promise does not cancel the check of an earlier one."""
    key = f"{request_no}.{round_no}.{int(promised_at.timestamp())}"
    return Timer(name=PROMISE_TIMER, key=key, due_at=promised_at)


def order_promise_timer(order_no: str, promised_at: datetime) -> Timer:
    """The timer of one promised time of a customer order (key ``<order_no>.<epoch seconds>``)."""
    return Timer(name=ORDER_PROMISE_TIMER, key=f"{order_no}.{int(promised_at.timestamp())}",
                 due_at=promised_at)


class PromiseEvent(DomainEvent):
    """An event about a delivery promise, of a sample or of a customer order.

    Promises of both kinds are one event type (``DeliveryPromised`` is the company's word for
    either); ``promises`` says which, and the record is the sample request or the order. The
    subject stays the sample work order's one, which promises of samples always had."""

    department: ClassVar[Department] = Department.PRODUCTION
    aggregate: ClassVar[str] = "sample_work_order"
    record_field: ClassVar[str | None] = "request_no"

    promises: Literal["sample", "order"] = Field(
        default="sample", description="What is promised: a sample, or a customer order / 承诺对象")
    request_no: str | None = Field(default=None, description="Sample request number, for a "
                                   "sample / 打样申请编号")
    order_no: str | None = Field(default=None, description="Order number, for an order / 订单编号")

    @model_validator(mode="after")
    def names_its_record(self) -> Self:
        sample = self.promises == "sample"
        if (self.request_no is None) == sample or (self.order_no is None) != sample:
            raise ValueError("a sample promise names its request_no, an order promise its "
                             "order_no, and nothing else")
        return self

    @property
    def record_no(self) -> str | None:
        return self.request_no if self.promises == "sample" else self.order_no

    def promise_timer(self, promised_at: datetime, round_no: int) -> Timer:
        if self.promises == "order":
            return order_promise_timer(self.order_no or "", promised_at)
        return promise_timer(self.request_no or "", round_no, promised_at)


class DeliveryPromised(PromiseEvent):
    """Production (PMC) promised a completion time: of a sample to the assistant (R-S7), or of a
    customer order after checking its materials (R-O2, within 2 working hours)."""

    promised_at: datetime = Field(description="Promised completion time / 承诺交期")
    round: int = Field(default=1, ge=1)
    quantity: int | None = Field(default=None, ge=1, description="Quantity promised, for an order")
    note: str | None = Field(default=None, description="PMC's note, e.g. on materials / 备注")

    def timers(self) -> list[Timer]:
        return [self.promise_timer(self.promised_at, self.round)]


class DelayNotified(PromiseEvent):
    """Production told the assistant of a special case (quality, delay) and a new time (R-S7)."""

    kind: Literal["quality", "delay", "other"] = Field(description="Quality problem, delay, other")
    reason: str = Field(description="Reason / 原因")
    previous_promised_at: datetime
    new_promised_at: datetime = Field(description="New promised time / 新交期")
    working_hours_before: float = Field(description="Working hours left before the old promise")
    timely: bool = Field(description="At least 4 working hours before the promised time")
    round: int = Field(default=1, ge=1)

    def timers(self) -> list[Timer]:
        return [self.promise_timer(self.new_promised_at, self.round)]


class SampleCompleted(SampleWorkOrderEvent):
    """Production finished the sample."""

    round: int = Field(default=1, ge=1)


class SampleWorkPaused(SampleWorkOrderEvent):
    """Sample making stopped, waiting for the customer (e.g. material still to come): the
    12-48 working-hour clock pauses (R-S3)."""

    reason: Literal["customer_material", "customer_confirmation", "other"] = Field(
        description="Waiting for / 等待原因")
    note: str = Field(default="", description="Note / 备注")
    round: int = Field(default=1, ge=1, description="Sample round")


class SampleWorkResumed(SampleWorkOrderEvent):
    """Sample making goes on: the clock runs again (R-S3)."""

    note: str = Field(default="", description="Note / 备注")
    round: int = Field(default=1, ge=1, description="Sample round")


class DeliveryPromiseMissed(PromiseEvent):
    """A promised time passed with the sample (or order) not completed by then and no timely delay
    notice superseding it (R-S7); the sales department requests a penalty against production.

    Production records it when the promise's timer fires, from its own ordered history."""

    promised_at: datetime = Field(description="The promised time that was missed / 未达成的承诺交期")
    notice_given: bool = Field(description="A delay notice was given for this promise, but less "
                                           "than 4 working hours before it / 已通知但不足4小时")
    completed_at: datetime | None = Field(
        default=None, description="When the sample was completed, if before the decision / 完成时间")
    round: int = Field(default=1, ge=1)


class ProductionOrderEvent(DomainEvent):
    """An event of production's order for a customer order (aggregate ``production_order``)."""

    department: ClassVar[Department] = Department.PRODUCTION
    aggregate: ClassVar[str] = "production_order"
    record_field: ClassVar[str | None] = "order_no"

    order_no: str = Field(description="Order number / 订单编号")


class InternalOrderReceived(ProductionOrderEvent):
    """PMC received the internal order: its 2-working-hour reply clock runs from here (R-O2)."""

    internal_order_no: str = Field(description="Internal order number / 内部订单号")
    customer: str
    lines: tuple[OrderLine, ...]
    requested_date: date
    source_event_id: UUID = Field(description="Sales' InternalOrderIssued event")


class LotCompleted(ProductionOrderEvent):
    """Production finished a lot of the order (all of it, or part), for inspection (R-O4)."""

    lot_no: str = Field(description="Lot number / 批号")
    quantity: int = Field(ge=1, description="Quantity in the lot / 数量")
    attempt: int = Field(default=1, ge=1, description="1, then 2, 3 ... after each rework")


class ReworkStarted(ProductionOrderEvent):
    """Quality failed a lot: it is back in production for rework (R-O4)."""

    lot_no: str
    findings: str = Field(description="Quality's findings / 检验问题")
    attempt: int = Field(ge=1, description="The attempt that failed")
    source_event_id: UUID = Field(description="Quality's InspectionFailed event")


class ImportedOrderReceived(ProductionOrderEvent):
    """An open order imported from the old Order Summary (issue 12) that production must go on
    with: held as received by PMC, or already promised. History: it starts no clock (R-O2)."""

    internal_order_no: str | None = Field(default=None, description="Internal order number")
    ordered: int = Field(ge=1, description="Quantity ordered / 订单数量")
    promised_at: datetime | None = Field(default=None, description="The promise already given")
    source_event_id: UUID = Field(description="Sales' OrderImported event")


# -- complaints that reach production (R-C2, R-C4): the facts are in ``events.complaint_desk`` ------
class ProductionComplaintRedirected(desk.Redirected):
    """A complaint reached production first and was redirected into sales (R-C4)."""

    department: ClassVar[Department] = Department.PRODUCTION


class ProductionComplaintInvestigationOpened(desk.InvestigationOpened):
    """Sales escalated a complaint to production (R-C2)."""

    department: ClassVar[Department] = Department.PRODUCTION


class ProductionComplaintAnalysed(desk.Analysed):
    """Production's cause analysis and corrective measures of an escalated complaint (R-C2)."""

    department: ClassVar[Department] = Department.PRODUCTION


COMPLAINT_EVENTS: tuple[type[DomainEvent], ...] = (
    ProductionComplaintRedirected, ProductionComplaintInvestigationOpened, ProductionComplaintAnalysed)


EVENTS: tuple[type[DomainEvent], ...] = (
    SampleDocumentsReceived,
    DeliveryPromised,
    DelayNotified,
    SampleCompleted,
    SampleWorkPaused,
    SampleWorkResumed,
    SampleWorkImported,
    DeliveryPromiseMissed,
    InternalOrderReceived,
    LotCompleted,
    ReworkStarted,
    ImportedOrderReceived,
    *COMPLAINT_EVENTS,
)
