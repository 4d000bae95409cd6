"""Sales events of a customer order: intake, internal order, promise to the customer, exceptions,
shipping note and shipment (R-O1 to R-O4), and the month-end notes (R-O6)."""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events.envelope import Department, DomainEvent, OrderLine
from events.imports import ImportSource


class ExceptionKind(StrEnum):
    """The kinds of order exception R-O3 reports (异常)."""

    MATERIAL_SHORTAGE = "material_shortage"
    QUALITY_HOLD = "quality_hold"
    MACHINE_BREAKDOWN = "machine_breakdown"
    CUSTOMER_CHANGE = "customer_change"
    DELAY = "delay"
    OTHER = "other"


class Recipient(StrEnum):
    """Who an order exception must reach (R-O3)."""

    CUSTOMER_CONTACT = "customer_contact"
    SALESPERSON = "salesperson"
    CS_SUPERVISOR = "cs_supervisor"


class ShippingCopy(StrEnum):
    """The three copies of a Shipping Note (出货单) and who keeps each (R-O4)."""

    DELIVERY = "delivery"
    FINANCE = "finance"
    SALES = "sales"


class OrderEvent(DomainEvent):
    """An event of the sales order record (aggregate ``order``)."""

    department: ClassVar[Department] = Department.SALES
    aggregate: ClassVar[str] = "order"
    record_field: ClassVar[str | None] = "order_no"

    order_no: str = Field(description="Order number / 订单编号")


class OrderReceived(OrderEvent):
    """A salesperson or assistant took in a customer order (R-O1)."""

    po_no: str = Field(description="Customer PO number / 客户订单号")
    customer: str = Field(description="Customer / 客户")
    customer_no: str | None = Field(default=None, description="Customer number in the customer file")
    lines: tuple[OrderLine, ...] = Field(min_length=1, description="Products and quantities")
    requested_date: date = Field(description="Delivery date the customer asked for / 客户要求交期")
    salesperson: str = Field(description="Responsible salesperson / 业务员")
    assistant: str = Field(description="Responsible sales assistant / 业务助理")
    quotation_request_no: str | None = Field(
        default=None, description="The quotation (5.1) the order's price comes from / 报价记录")
    files: tuple[str, ...] = Field(default=(), description="SHA-256 of the customer's files, filed "
                                   "in the customer file / 客户资料")


class OrderArchived(OrderEvent):
    """The assistant archived the order information (R-O1)."""


class InternalOrderIssued(OrderEvent):
    """The assistant turned the order into an internal order for PMC and engineering (R-O2).

    PMC's 2-working-hour reply clock starts here."""

    internal_order_no: str = Field(description="Internal order number / 内部订单号")
    customer: str
    lines: tuple[OrderLine, ...]
    requested_date: date


class OrderProgressRecorded(OrderEvent):
    """Sales recorded a step another department reported (R-O3: the live status)."""

    stage: Literal["promised", "instructions_issued", "lot_completed", "lot_passed",
                   "lot_failed"]
    at: datetime = Field(description="When the reported step happened, or the promised time")
    source_event_id: UUID = Field(description="The other department's event this records")
    lot_no: str | None = None
    quantity: int | None = Field(default=None, ge=1)


class DeliveryDateNotified(OrderEvent):
    """The assistant passed the promised delivery time to the customer (R-O2: within 4 hours)."""

    promised_at: datetime = Field(description="The promised time the customer was told")
    channel: str = Field(description="Phone, e-mail, ... / 通知方式")


class CustomerMaterialsTransferred(OrderEvent):
    """The assistant gave the customer's samples and materials to production (R-O2)."""

    items: tuple[str, ...] = Field(min_length=1, description="What was handed over / 移交物品")
    received_by: str = Field(description="Who in production took them / 接收人")


class OrderExceptionReported(OrderEvent):
    """An exception on the order, to be delivered at once to every recipient (R-O3)."""

    exception_no: str = Field(description="Exception number / 异常编号")
    kind: ExceptionKind
    description: str = Field(description="What happened / 异常描述")
    recipients: tuple[Recipient, ...] = Field(description="Who must be told")
    source_event_id: UUID | None = Field(default=None, description="The event that raised it, "
                                         "for an exception raised by another department's event")


class OrderExceptionDelivered(OrderEvent):
    """The exception reached one of its recipients (R-O3)."""

    exception_no: str
    recipient: Recipient
    to: str = Field(description="Name of the person told / 被通知人")
    channel: str = Field(description="Phone, e-mail, ... / 通知方式")


class OrderDelayRecorded(OrderEvent):
    """Sales recorded production's delay notice on an order promise (R-S7 for orders)."""

    kind: str
    reason: str
    previous_promised_at: datetime
    new_promised_at: datetime
    timely: bool
    source_event_id: UUID


class OrderPenaltyRequested(OrderEvent):
    """Production missed an order promise without timely notice: sales asks for a penalty (R-S7)."""

    promised_at: datetime
    source_event_id: UUID


class ShippingNoteIssued(OrderEvent):
    """The assistant made a Shipping Note (出货单) for inspected lots and told the salesperson (R-O4)."""

    note_no: str = Field(description="Shipping note number / 出货单号")
    lots: tuple[str, ...] = Field(min_length=1, description="Lots shipped on this note / 批号")
    quantity: int = Field(ge=1, description="Quantity on this note / 出货数量")
    salesperson: str = Field(description="Salesperson told to arrange the shipment")


class ShippingNoteCopyIssued(OrderEvent):
    """One of the note's three copies was given to its holder (R-O4)."""

    note_no: str
    copy_name: ShippingCopy = Field(description="Delivery, finance or sales copy / 联别")
    holder: str = Field(description="Who holds the copy / 持有人")


class ShipmentArranged(OrderEvent):
    """The salesperson arranged the shipment as the customer needs (R-O4)."""

    note_no: str
    method: str = Field(description="How: courier, own truck, pickup, freight / 出货方式")
    carrier: str = Field(description="Carrier / 承运商")
    tracking_no: str | None = Field(default=None, description="Tracking number / 运单号")


class OrderShipped(OrderEvent):
    """The goods of one shipping note left the factory; partial shipments are shown (R-O4)."""

    note_no: str
    quantity: int = Field(ge=1)
    shipped_total: int = Field(ge=1, description="Quantity shipped on the order so far")
    ordered_total: int = Field(ge=1, description="Quantity ordered")


# Where an imported order stands (issue 12): the steps of the live process it has been through.
ImportedStage = Literal["received", "archived", "internal_order_issued", "promised",
                        "customer_notified", "shipped"]


class OrderImported(OrderEvent):
    """A row of the old Excel Order Summary (订单汇总表) loaded as history (R-O3): the order
    stands at ``stage``; its timestamp is the order date, its actor who imported it."""

    stage: ImportedStage = Field(description="Where the order stands / 订单所处阶段")
    po_no: str | None = Field(default=None, description="Customer PO number / 客户订单号")
    customer: str = Field(description="Customer / 客户")
    salesperson: str | None = Field(default=None, description="Responsible salesperson / 业务员")
    assistant: str | None = Field(default=None, description="Responsible sales assistant / 业务助理")
    lines: tuple[OrderLine, ...] = Field(min_length=1, description="Products and quantities")
    product_text: str = Field(description="The product cell as the table showed it / 产品")
    requested_date: date | None = Field(default=None, description="Requested delivery / 要求交期")
    internal_order_no: str | None = Field(default=None, description="Internal order / 内部订单号")
    promised_at: datetime | None = Field(default=None, description="Promised delivery / 交期")
    pmc_replied_at: datetime | None = Field(default=None, description="PMC reply / PMC回复时间")
    customer_told_at: datetime | None = Field(default=None, description="Customer told / 已告知客户")
    qc_result: str | None = Field(default=None, description="QC result as written / 检验结果")
    shipping_note_no: str | None = Field(default=None, description="Shipping note / 出货单号")
    shipped_at: datetime | None = Field(default=None, description="Shipped / 出货日期")
    exceptions: str | None = Field(default=None, description="Exceptions as written / 异常")
    source: ImportSource


class OrderMonthNoted(DomainEvent):
    """The assistant's month-end summary under the Order Summary (R-O6)."""

    department: ClassVar[Department] = Department.SALES
    aggregate: ClassVar[str] = "order_month"
    record_field: ClassVar[str | None] = "month"

    month: str = Field(description="YYYY-MM / 月份")
    text: str = Field(description="Summary notes / 总结")


EVENTS: tuple[type[DomainEvent], ...] = (
    OrderReceived,
    OrderArchived,
    InternalOrderIssued,
    OrderProgressRecorded,
    DeliveryDateNotified,
    CustomerMaterialsTransferred,
    OrderExceptionReported,
    OrderExceptionDelivered,
    OrderDelayRecorded,
    OrderPenaltyRequested,
    ShippingNoteIssued,
    ShippingNoteCopyIssued,
    ShipmentArranged,
    OrderShipped,
    OrderImported,
    OrderMonthNoted,
)
