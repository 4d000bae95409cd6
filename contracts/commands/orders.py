"""Order commands of the sales service (R-O1 to R-O4, R-O6); subjects ``salesflow.cmd.sales.<name>``."""
from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from contracts.commands.base import Command
from contracts.commands.bounds import Month, Number, Person, RequestedDay
from events.envelope import OrderLine
from events.sales.order import ExceptionKind, Recipient, ShippingCopy

Channel = Literal["phone", "email", "fax", "wechat", "visit", "other"]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class OrderCommand(Command):
    """A command about one customer order, named by its order number."""

    order_no: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                          description="Order number (letters, digits, - and _) / 订单编号")


class ReceiveOrder(OrderCommand):
    """A salesperson or assistant takes in a customer order (R-O1)."""

    name: ClassVar[str] = "receive_order"
    po_no: str = Field(min_length=1, max_length=60, description="Customer PO number / 客户订单号")
    customer: str = Field(min_length=1, max_length=120, description="Customer name / 客户")
    customer_no: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
        description="Customer number; needed when files are given / 客户编号")
    lines: tuple[OrderLine, ...] = Field(min_length=1, max_length=100,
                                         description="Products and quantities / 产品与数量")
    requested_date: RequestedDay = Field(description="Delivery date the customer asks for, "
                                         "from 31 days ago to 2 years ahead / 客户要求交期")
    salesperson: Person = Field(description="Responsible salesperson / 业务员")
    assistant: Person = Field(description="Responsible sales assistant / 业务助理")
    quotation_request_no: str | None = Field(
        default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
        description="The quotation request (5.1) an order needing a price waits for / 报价申请编号")
    files: tuple[Sha256, ...] = Field(
        default=(), max_length=20, description="SHA-256 of documents already filed in the "
        "customer's file (file_customer_document) / 已归档的客户资料")


class ArchiveOrder(OrderCommand):
    """The assistant archives the order information (R-O1)."""

    name: ClassVar[str] = "archive_order"


class IssueInternalOrder(OrderCommand):
    """The assistant gives the internal order to PMC and the order data to engineering (R-O2)."""

    name: ClassVar[str] = "issue_internal_order"
    internal_order_no: Number = Field(description="Internal order number / 内部订单号")


class NotifyCustomerOfDelivery(OrderCommand):
    """The assistant records that PMC's promised date was passed to the customer (R-O2)."""

    name: ClassVar[str] = "notify_customer_of_delivery"
    channel: Channel = Field(description="How the customer was told / 通知方式")


class TransferCustomerMaterials(OrderCommand):
    """The assistant gives the customer's samples and materials to production (R-O2)."""

    name: ClassVar[str] = "transfer_customer_materials"
    items: tuple[Annotated[str, Field(min_length=1, max_length=200)], ...] = Field(
        min_length=1, max_length=50, description="What is handed over / 移交物品")
    received_by: Person = Field(description="Who in production takes them / 接收人")


class ReportOrderException(OrderCommand):
    """Anyone who sees it reports an exception on the order, once (R-O3)."""

    name: ClassVar[str] = "report_order_exception"
    multiline: ClassVar[frozenset[str]] = frozenset({"description"})
    exception_no: Number = Field(description="Exception number / 异常编号")
    kind: ExceptionKind = Field(description="Material shortage, quality hold, machine breakdown, "
                                "customer change, delay, other / 异常类别")
    description: str = Field(min_length=1, max_length=2000, description="What happened / 异常描述")


class RecordExceptionDelivered(OrderCommand):
    """The assistant records that an exception reached one of its recipients (R-O3)."""

    name: ClassVar[str] = "record_exception_delivered"
    exception_no: Number = Field(description="Exception number / 异常编号")
    recipient: Recipient = Field(description="Customer contact, salesperson or CS supervisor "
                                             "/ 客户联系人、业务员或客服主管")
    to: Person = Field(description="Name of the person told / 被通知人")
    channel: Channel = Field(description="How it was passed on / 传达方式")


class IssueShippingNote(OrderCommand):
    """The assistant makes a Shipping Note (出货单) for lots that passed inspection (R-O4)."""

    name: ClassVar[str] = "issue_shipping_note"
    note_no: Number = Field(description="Shipping note number / 出货单号")
    lots: tuple[Number, ...] = Field(min_length=1, max_length=50,
                                     description="Inspected lots shipped on this note / 批号")


class IssueShippingNoteCopy(OrderCommand):
    """The assistant gives one of the note's three copies to its holder (R-O4)."""

    name: ClassVar[str] = "issue_shipping_note_copy"
    note_no: Number = Field(description="Shipping note number / 出货单号")
    copy_name: ShippingCopy = Field(description="delivery, finance or sales / 联别")
    holder: Person = Field(description="Who holds the copy / 持有人")


class ArrangeShipment(OrderCommand):
    """The salesperson arranges the shipment as the customer needs (R-O4)."""

    name: ClassVar[str] = "arrange_shipment"
    note_no: Number = Field(description="Shipping note number / 出货单号")
    method: Literal["courier", "own_truck", "customer_pickup", "freight", "other"] = Field(
        description="How it is shipped / 出货方式")
    carrier: str = Field(min_length=1, max_length=60, description="Carrier / 承运商")
    tracking_no: str | None = Field(default=None, min_length=1, max_length=60,
                                    description="Tracking number / 运单号")


class ConfirmShipment(OrderCommand):
    """The salesperson confirms the goods of a note left the factory (R-O4)."""

    name: ClassVar[str] = "confirm_shipment"
    note_no: Number = Field(description="Shipping note number / 出货单号")


class NoteOrderMonth(Command):
    """The assistant writes the month-end summary under the Order Summary (R-O6)."""

    name: ClassVar[str] = "note_order_month"
    multiline: ClassVar[frozenset[str]] = frozenset({"text"})
    month: Month = Field(description="YYYY-MM, 2000-01 to the current month / 月份")
    text: str = Field(min_length=1, max_length=4000, description="Summary / 月度总结")


COMMANDS: tuple[type[Command], ...] = (
    ReceiveOrder, ArchiveOrder, IssueInternalOrder, NotifyCustomerOfDelivery,
    TransferCustomerMaterials, ReportOrderException, RecordExceptionDelivered, IssueShippingNote,
    IssueShippingNoteCopy, ArrangeShipment, ConfirmShipment, NoteOrderMonth,
)
