"""Commands of the production service (subjects ``salesflow.cmd.production.<name>``)."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from contracts.commands.base import Command, SampleCommand
from contracts.commands.bounds import Number, PromiseTime, Quantity
from contracts.commands.orders import OrderCommand


class PromiseDelivery(SampleCommand):
    """PMC promises the sample's completion time to the assistant (R-S7)."""

    name: ClassVar[str] = "promise_delivery"
    promised_at: PromiseTime = Field(description="Promised completion time, with timezone; "
                                     "at most 3 days ago and 366 days ahead / 承诺完成时间")


class NotifyDelay(SampleCommand):
    """Production tells the assistant of a quality problem or delay, with a new time (R-S7)."""

    name: ClassVar[str] = "notify_delay"
    multiline: ClassVar[frozenset[str]] = frozenset({"reason"})
    kind: Literal["quality", "delay", "other"] = Field(description="Kind / 类别")
    reason: str = Field(min_length=1, max_length=1000, description="Reason / 原因")
    new_promised_at: PromiseTime = Field(description="New promised time, with timezone; at most "
                                         "3 days ago and 366 days ahead / 新的承诺时间")


class CompleteSample(SampleCommand):
    """The production supervisor reports the sample finished."""

    name: ClassVar[str] = "complete_sample"


class PauseSampleWork(SampleCommand):
    """PMC or the production supervisor stops making the sample while waiting for the customer:
    the 12-48 working-hour clock pauses (R-S3)."""

    name: ClassVar[str] = "pause_sample_work"
    multiline: ClassVar[frozenset[str]] = frozenset({"note"})
    reason: Literal["customer_material", "customer_confirmation", "other"] = Field(
        description="Waiting for: the customer's material, the customer's confirmation, or "
                    "something else / 等待原因：客供料、客户确认或其他")
    note: str | None = Field(default=None, min_length=1, max_length=1000,
                             description="What exactly is awaited / 备注")


class ResumeSampleWork(SampleCommand):
    """Sample making goes on after a pause: the clock runs again (R-S3)."""

    name: ClassVar[str] = "resume_sample_work"
    multiline: ClassVar[frozenset[str]] = frozenset({"note"})
    note: str | None = Field(default=None, min_length=1, max_length=1000,
                             description="E.g. what arrived / 备注")


COMMANDS: tuple[type[Command], ...] = (PromiseDelivery, NotifyDelay, CompleteSample,
                                       PauseSampleWork, ResumeSampleWork)


class PromiseOrderDelivery(OrderCommand):
    """PMC, having worked out the materials, promises the order's delivery time (R-O2: within
    2 working hours of receiving the internal order)."""

    name: ClassVar[str] = "promise_order_delivery"
    multiline: ClassVar[frozenset[str]] = frozenset({"note"})
    promised_at: PromiseTime = Field(description="Promised delivery time, with timezone; at most "
                                     "3 days ago and 366 days ahead / 承诺交期")
    quantity: Quantity | None = Field(default=None, description="Quantity promised; the whole "
                                      "order when absent / 承诺数量")
    note: str | None = Field(default=None, min_length=1, max_length=1000,
                             description="PMC's note, e.g. on materials / 备注")


class NotifyOrderDelay(OrderCommand):
    """Production tells the assistant an order's promise will slip, with a new time (R-S7)."""

    name: ClassVar[str] = "notify_order_delay"
    multiline: ClassVar[frozenset[str]] = frozenset({"reason"})
    kind: Literal["quality", "delay", "other"] = Field(description="Kind / 类别")
    reason: str = Field(min_length=1, max_length=1000, description="Reason / 原因")
    new_promised_at: PromiseTime = Field(description="New promised time, with timezone; at most "
                                         "3 days ago and 366 days ahead / 新的承诺时间")


class CompleteLot(OrderCommand):
    """The production supervisor reports a lot of the order finished, for inspection (R-O4)."""

    name: ClassVar[str] = "complete_lot"
    lot_no: Number = Field(description="Lot number / 批号")
    quantity: Quantity = Field(description="Quantity in the lot / 数量")


ORDER_COMMANDS: tuple[type[Command], ...] = (PromiseOrderDelivery, NotifyOrderDelay, CompleteLot)
