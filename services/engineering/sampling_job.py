"""Engineering's sampling job: opened from an approved application, scheduled, sample returned."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from events import engineering as ev
from events.envelope import DieDifficulty, Role
from events.production import SampleCompleted
from events.sales import SampleApplicationApproved, SampleImported
from services.domain import Aggregate, Context, RuleBroken, record_id


def job_id(request_no: str) -> UUID:
    return record_id("sampling_job", request_no)


@dataclass
class SamplingJob(Aggregate):
    """The sampling of one sample request inside engineering."""

    request_no: str = ""
    die_difficulty: DieDifficulty | None = None
    status: str = "new"
    round: int = 0

    def open(self, ctx: Context, approved: SampleApplicationApproved) -> None:
        if approved.round <= self.round:
            return  # already opened for this round: a repeat changes nothing
        self.trigger(ev.SamplingJobOpened, ctx, request_no=approved.request_no,
                     sample_id=approved.originator_id, customer=approved.customer,
                     product=approved.product, part_no=approved.part_no,
                     die_difficulty=approved.die_difficulty, round=approved.round)

    @staticmethod
    def takes_over(imported: SampleImported) -> bool:
        """Whether a sample imported at its row's stage has its next step here."""
        return imported.status in JOB_STATUS

    def import_stage(self, ctx: Context, imported: SampleImported) -> None:
        """Issue 12: an open sample imported at an engineering stage gets its job at that stage
        (``JOB_STATUS``), so the engineer's next step is accepted; a repeat changes nothing."""
        status = JOB_STATUS.get(imported.status)
        if status is None or self.version:
            return
        self.trigger(ev.SamplingJobImported, ctx, request_no=imported.request_no,
                     source=imported.source, source_event_id=imported.event_id, status=status,
                     die_difficulty=imported.die_difficulty, round=imported.round)

    def schedule(self, ctx: Context, scheduled_for: datetime) -> None:
        ctx.require("R-S3", [Role.ENGINEER], "schedule sampling", "安排打样")
        if self.status != "open":
            raise RuleBroken("R-S3", f"sampling of {self.request_no} can be scheduled once, after "
                             f"the application is approved (job is {self.status})",
                             f"打样 {self.request_no} 只能在申请审核后安排一次（当前：{self.status}）")
        assert self.die_difficulty is not None
        self.trigger(ev.SamplingScheduled, ctx, request_no=self.request_no,
                     scheduled_for=scheduled_for, die_difficulty=self.die_difficulty,
                     round=self.round)

    def receive_finished(self, ctx: Context, completed: SampleCompleted) -> None:
        if self.status != "scheduled" or completed.round != self.round:
            return  # already received (a redelivery), or not this round's sample
        self.trigger(ev.FinishedSampleReceived, ctx, request_no=self.request_no,
                     completed_event_id=completed.event_id, round=self.round)

    def return_sample(self, ctx: Context) -> None:
        ctx.require("R-S6", [Role.ENGINEER], "return a sample to sales", "将样品交回业务部")
        if self.status != "completed":
            raise RuleBroken("R-S6", f"sample {self.request_no} is not completed by production yet "
                             f"(job is {self.status})",
                             f"样品 {self.request_no} 生产尚未完成，不能交回（当前：{self.status}）")
        self.trigger(ev.SampleReturnedToSales, ctx, request_no=self.request_no, round=self.round)

    def when_SamplingJobOpened(self, e: ev.SamplingJobOpened) -> None:
        self.request_no, self.die_difficulty, self.status = e.request_no, e.die_difficulty, "open"
        self.round = e.round

    def when_SamplingJobImported(self, e: ev.SamplingJobImported) -> None:
        self.request_no, self.die_difficulty, self.status = e.request_no, e.die_difficulty, e.status
        self.round = e.round

    def when_SamplingScheduled(self, e: ev.SamplingScheduled) -> None:
        self.status = "scheduled"

    def when_FinishedSampleReceived(self, e: ev.FinishedSampleReceived) -> None:
        self.status = "completed"

    def when_SampleReturnedToSales(self, e: ev.SampleReturnedToSales) -> None:
        self.status = "returned"


# Imported sales stage -> where engineering's job stands. Production receives the documents
# when engineering schedules (R-S3), so a scheduled sample is in production too.
JOB_STATUS = {"application_approved": "open", "job_opened": "open", "scheduled": "scheduled",
              "in_production": "scheduled", "promised": "scheduled", "completed": "completed"}
