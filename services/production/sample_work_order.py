"""Production's sample work order: documents received, delivery promised, work paused and
resumed while waiting for the customer, sample completed."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from events import production as ev
from events.engineering import SamplingScheduled
from events.envelope import Role
from events.sales import SampleImported
from services.domain import Aggregate, Context, RuleBroken, record_id
from services.production.promises import (
    PLANNERS,
    PromiseHistory,
    WorkingTime,
    delay_facts,
    require_future,
)


def work_order_id(request_no: str) -> UUID:
    return record_id("sample_work_order", request_no)


@dataclass
class SampleWorkOrder(Aggregate):
    """Making one sample within 12 / 24 / 48 working hours of receiving its documents (R-S3)."""

    request_no: str = ""
    status: str = "new"
    promised_at: datetime | None = None
    round: int = 0
    # Promises per (round, promised time): a round's timer is decided on that round's history,
    # whatever round the order is in by the time the timer is consumed.
    history: PromiseHistory = field(default_factory=PromiseHistory)
    completed: dict[int, datetime] = field(default_factory=dict)  # round -> completion time
    paused: bool = False  # waiting for the customer (R-S3: the clock stops)

    def receive_documents(self, ctx: Context, scheduled: SamplingScheduled) -> None:
        if scheduled.round <= self.round:
            return  # documents of this round already received: a repeat changes nothing
        self.trigger(ev.SampleDocumentsReceived, ctx, request_no=scheduled.request_no,
                     die_difficulty=scheduled.die_difficulty, scheduled_for=scheduled.scheduled_for,
                     round=scheduled.round)

    @staticmethod
    def takes_over(imported: SampleImported) -> bool:
        """Whether a sample imported at its row's stage has its next step here."""
        return imported.status in WORK_STATUS

    def import_stage(self, ctx: Context, imported: SampleImported) -> None:
        """Issue 12: an open sample imported as in production gets its work order there
        (documents received, or a delivery promised), so production's next step is accepted.
        History: no clock starts and no promise timer is set. A repeat changes nothing."""
        status = WORK_STATUS.get(imported.status)
        if status is None or self.round >= imported.round:
            return
        self.trigger(ev.SampleWorkImported, ctx, request_no=imported.request_no,
                     source=imported.source, source_event_id=imported.event_id, status=status,
                     promised_at=imported.promised_at, round=imported.round)

    def promise(self, ctx: Context, promised_at: datetime) -> None:
        ctx.require("R-S7", PLANNERS, "promise a delivery time", "承诺交期")
        if self.status != "received":
            raise RuleBroken("R-S7", f"sample {self.request_no} is {self.status}: a delivery time is "
                             "promised once, after the documents arrive; change it with a delay "
                             "notice", f"打样 {self.request_no} 当前为 {self.status}：交期在收到资料后"
                             "承诺一次，变更请发延期通知")
        require_future("R-S7", "promised_at", promised_at, ctx)
        self.trigger(ev.DeliveryPromised, ctx, request_no=self.request_no, promised_at=promised_at,
                     round=self.round)

    def notify_delay(self, ctx: Context, *, kind: str, reason: str, new_promised_at: datetime,
                     calendar: WorkingTime) -> None:
        """R-S7: tell the assistant, with the reason and a new time; timely if at least
        ``promises.NOTICE_HOURS`` working hours before the promised time."""
        ctx.require("R-S7", PLANNERS, "give a delay notice", "发出延期通知")
        if self.status != "promised" or self.promised_at is None:
            raise RuleBroken("R-S7", f"sample {self.request_no} is {self.status}: only a promised, "
                             "unfinished sample can be delayed",
                             f"打样 {self.request_no} 当前为 {self.status}：只有已承诺且未完成的样品才能延期")
        self.trigger(ev.DelayNotified, ctx, request_no=self.request_no, kind=kind, reason=reason,
                     round=self.round,
                     **delay_facts(ctx, calendar, self.promised_at, new_promised_at))

    def complete(self, ctx: Context) -> None:
        ctx.require("R-S3", [Role.PRODUCTION_SUPERVISOR], "report a sample completed", "报告样品完成")
        if self.status not in ("received", "promised"):
            raise RuleBroken("R-S3", f"sample {self.request_no} is {self.status}: only a sample in "
                             "production can be completed",
                             f"打样 {self.request_no} 当前为 {self.status}：只有生产中的样品才能完成")
        self.trigger(ev.SampleCompleted, ctx, request_no=self.request_no, round=self.round)

    def pause(self, ctx: Context, reason: str, note: str) -> None:
        """R-S3: making stops while production waits for the customer (material, a confirmation)."""
        ctx.require("R-S3", PLANNERS, "pause sample work", "暂停打样")
        self._require_in_production("paused", "暂停")
        if self.paused:
            raise RuleBroken("R-S3", f"sample {self.request_no} is already paused; resume it first",
                             f"打样 {self.request_no} 已暂停，请先恢复")
        self.trigger(ev.SampleWorkPaused, ctx, request_no=self.request_no, reason=reason, note=note)

    def resume(self, ctx: Context, note: str) -> None:
        """R-S3: making goes on; the clock runs again."""
        ctx.require("R-S3", PLANNERS, "resume sample work", "恢复打样")
        self._require_in_production("resumed", "恢复")
        if not self.paused:
            raise RuleBroken("R-S3", f"sample {self.request_no} is not paused",
                             f"打样 {self.request_no} 未暂停")
        self.trigger(ev.SampleWorkResumed, ctx, request_no=self.request_no, note=note)

    def _require_in_production(self, en_done: str, zh_do: str) -> None:
        if self.status == "new":
            raise RuleBroken("R-S3", f"production has not received the documents of sample "
                             f"{self.request_no}: its work cannot be {en_done}",
                             f"生产尚未收到打样 {self.request_no} 的资料，不能{zh_do}")
        if self.status == "completed":
            raise RuleBroken("R-S3", f"sample {self.request_no} is completed: its work cannot be "
                             f"{en_done}", f"打样 {self.request_no} 已完成，不能{zh_do}")

    def promise_fell_due(self, ctx: Context, round_no: int, promised_at: datetime) -> None:
        """R-S7: the promised time of ``round_no`` passed (its timer fired). Missed when the
        sample was not completed by then and no timely delay notice superseded the promise;
        each promise is decided once, so a repeated timer changes nothing."""
        missed = self.history.missed(round_no, promised_at, self.completed.get(round_no))
        if missed is not None:
            self.trigger(ev.DeliveryPromiseMissed, ctx, request_no=self.request_no, **missed)

    def when_SampleDocumentsReceived(self, e: ev.SampleDocumentsReceived) -> None:
        self.request_no, self.status, self.round = e.request_no, "received", e.round
        self.promised_at, self.paused = None, False

    def when_SampleWorkImported(self, e: ev.SampleWorkImported) -> None:
        self.request_no, self.status, self.round = e.request_no, e.status, e.round
        self.promised_at, self.paused = e.promised_at, False

    def when_DeliveryPromised(self, e: ev.DeliveryPromised) -> None:
        self.promised_at, self.status = e.promised_at, "promised"
        self.history.fold(e)

    def when_DelayNotified(self, e: ev.DelayNotified) -> None:
        self.promised_at = e.new_promised_at
        self.history.fold(e)

    def when_SampleCompleted(self, e: ev.SampleCompleted) -> None:
        self.status, self.paused = "completed", False
        self.completed = {**self.completed, e.round: e.timestamp}

    def when_DeliveryPromiseMissed(self, e: ev.DeliveryPromiseMissed) -> None:
        self.history.fold(e)

    def when_SampleWorkPaused(self, e: ev.SampleWorkPaused) -> None:
        self.paused = True

    def when_SampleWorkResumed(self, e: ev.SampleWorkResumed) -> None:
        self.paused = False


# Imported sales stage -> where production's work order stands (documents arrive when
# engineering schedules, R-S3).
WORK_STATUS = {"scheduled": "received", "in_production": "received", "promised": "promised"}
