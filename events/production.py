"""Events of production (生产部, with PMC): the sample work order and its delivery promise."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import Field

from events.envelope import Department, DieDifficulty, DomainEvent, Timer

# Production's timer for a promised time (R-S7).
PROMISE_TIMER = "delivery_promise_due"
# The timer sales started itself for each promise before production decided missed promises
# (same key). Those already scheduled still fire: production decides them too, so a promise
# made just before an upgrade is decided; sales only moves its tracking on.
SALES_PROMISE_TIMER = "promise_due"


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


def promise_timer(request_no: str, round_no: int, promised_at: datetime) -> Timer:
    """The timer of one promised time: each promise has its own (the key holds the time), so a
    later promise does not cancel the check of an earlier one."""
    key = f"{request_no}.{round_no}.{int(promised_at.timestamp())}"
    return Timer(name=PROMISE_TIMER, key=key, due_at=promised_at)


class DeliveryPromised(SampleWorkOrderEvent):
    """Production (PMC) promised the completion time to the assistant (R-S7)."""

    promised_at: datetime = Field(description="Promised completion time / 承诺交期")
    round: int = Field(default=1, ge=1)

    def timers(self) -> list[Timer]:
        return [promise_timer(self.request_no, self.round, self.promised_at)]


class DelayNotified(SampleWorkOrderEvent):
    """Production told the assistant of a special case (quality, delay) and a new time (R-S7)."""

    kind: Literal["quality", "delay", "other"] = Field(description="Quality problem, delay, other")
    reason: str = Field(description="Reason / 原因")
    previous_promised_at: datetime
    new_promised_at: datetime = Field(description="New promised time / 新交期")
    working_hours_before: float = Field(description="Working hours left before the old promise")
    timely: bool = Field(description="At least 4 working hours before the promised time")
    round: int = Field(default=1, ge=1)

    def timers(self) -> list[Timer]:
        return [promise_timer(self.request_no, self.round, self.new_promised_at)]


class SampleCompleted(SampleWorkOrderEvent):
    """Production finished the sample."""

    round: int = Field(default=1, ge=1)


class DeliveryPromiseMissed(SampleWorkOrderEvent):
    """A promised time passed with the sample not completed by then and no timely delay notice
    superseding it (R-S7); the sales department requests a penalty against production for it.

    Production records it when the promise's timer fires, from its own ordered history."""

    promised_at: datetime = Field(description="The promised time that was missed / 未达成的承诺交期")
    notice_given: bool = Field(description="A delay notice was given for this promise, but less "
                                           "than 4 working hours before it / 已通知但不足4小时")
    completed_at: datetime | None = Field(
        default=None, description="When the sample was completed, if before the decision / 完成时间")
    round: int = Field(default=1, ge=1)


EVENTS: tuple[type[DomainEvent], ...] = (
    SampleDocumentsReceived,
    DeliveryPromised,
    DelayNotified,
    SampleCompleted,
    DeliveryPromiseMissed,
)
