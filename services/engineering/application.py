"""The engineering application: sampling jobs, opened by sales' approvals."""
from __future__ import annotations

from eventsourcing.persistence import Tracking

from contracts.commands import engineering as cmd
from contracts.replies import EventRef
from events.envelope import Department
from events.production import SampleCompleted
from events.sales import SampleApplicationApproved
from services.domain import Context
from services.engineering.sampling_job import SamplingJob, job_id
from services.runtime.store import DepartmentApplication


class EngineeringApplication(DepartmentApplication):
    """Engineering's event store and use cases."""

    name = Department.ENGINEERING.value

    def job(self, request_no: str) -> SamplingJob:
        return self.load(SamplingJob, job_id(request_no), f"sampling job {request_no}")

    def schedule_sampling(self, c: cmd.ScheduleSampling, ctx: Context) -> list[EventRef]:
        job = self.job(c.request_no)
        job.schedule(ctx, c.scheduled_for)
        return self.store(job)

    def return_sample(self, c: cmd.ReturnSample, ctx: Context) -> list[EventRef]:
        job = self.job(c.request_no)
        job.return_sample(ctx)
        return self.store(job)

    # -- reactions --------------------------------------------------------------------------
    def on_application_approved(self, event: SampleApplicationApproved, tracking: Tracking) -> None:
        job = self.load_or_new(SamplingJob, job_id(event.request_no))
        job.open(self.reaction_context(event), event)
        self.store(job, tracking=tracking)

    def on_sample_completed(self, event: SampleCompleted, tracking: Tracking) -> None:
        job = self.job(event.request_no)
        job.receive_finished(self.reaction_context(event), event)
        self.store(job, tracking=tracking)
