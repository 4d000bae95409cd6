"""The engineering application: sampling jobs, opened by sales' approvals, the process
instructions of customer orders, requested by sales' internal orders (R-O2), and the complaints
that reach engineering or are escalated to it (R-C4, R-C2)."""
from __future__ import annotations

from eventsourcing.persistence import Tracking

from contracts.commands import engineering as cmd
from contracts.replies import EventRef
from events import engineering as ev
from events.envelope import Department, Role
from events.production import SampleCompleted
from events.sales import (
    InternalOrderIssued,
    SampleApplicationApproved,
    SampleImported,
)
from services.complaint_desk import DeskTerms
from services.complaint_desk_cases import ComplaintDeskUseCases
from services.domain import Context
from services.engineering.process_instructions import (
    ProcessInstructions,
    instructions_id,
)
from services.engineering.sampling_job import SamplingJob, job_id
from services.runtime import object_store
from services.runtime.store import DepartmentApplication

# Who answers complaints in engineering, and the events its desk records (R-C4, R-C2).
DESK = DeskTerms(roles=(Role.ENGINEER,),
                 redirected=ev.EngineeringComplaintRedirected,
                 opened=ev.EngineeringComplaintInvestigationOpened,
                 analysed=ev.EngineeringComplaintAnalysed)


class EngineeringApplication(ComplaintDeskUseCases, DepartmentApplication):
    """Engineering's event store and use cases."""

    name = Department.ENGINEERING.value
    desk = DESK

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

    def issue_process_instructions(self, c: cmd.IssueProcessInstructions,
                                   ctx: Context) -> list[EventRef]:
        sha256, size = object_store.checked(c)
        # Not found is no answer here: before sales' internal order arrives the record is new,
        # and the aggregate refuses with the rule (R-O2).
        instructions = self.load_or_new(ProcessInstructions, instructions_id(c.order_no))
        instructions.issue(ctx, document_no=c.document_no, filename=c.filename,
                           media_type=c.media_type, sha256=sha256, size=size)
        # Only now, with the role and the order's state checked: a refused command leaves
        # nothing in the object store. The content is stored before the event that names it.
        c.store_content()
        return self.store(instructions)

    # -- reactions --------------------------------------------------------------------------
    def on_application_approved(self, event: SampleApplicationApproved, tracking: Tracking) -> None:
        job = self.load_or_new(SamplingJob, job_id(event.request_no))
        job.open(self.reaction_context(event), event)
        self.store(job, tracking=tracking)

    def on_sample_imported(self, event: SampleImported, tracking: Tracking) -> None:
        """Issue 12: an open imported sample at an engineering stage gets its job there."""
        if not SamplingJob.takes_over(event):  # closed, or at another department's step
            self.store(tracking=tracking)
            return
        job = self.load_or_new(SamplingJob, job_id(event.request_no))
        job.import_stage(self.reaction_context(event), event)
        self.store(job, tracking=tracking)

    def on_sample_completed(self, event: SampleCompleted, tracking: Tracking) -> None:
        job = self.job(event.request_no)
        job.receive_finished(self.reaction_context(event), event)
        self.store(job, tracking=tracking)

    def on_internal_order_issued(self, event: InternalOrderIssued, tracking: Tracking) -> None:
        instructions = self.load_or_new(ProcessInstructions, instructions_id(event.order_no))
        instructions.request(self.reaction_context(event), event)
        self.store(instructions, tracking=tracking)
