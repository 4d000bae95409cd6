"""Engineering's routing tables."""
from __future__ import annotations

from contracts.commands import complaint_desk as desk_cmd
from contracts.commands import engineering as cmd
from events.envelope import Department
from events.production import SampleCompleted
from events.sales import (
    ComplaintEscalated,
    ComplaintImported,
    InternalOrderIssued,
    SampleApplicationApproved,
    SampleImported,
)
from services.engineering.application import EngineeringApplication as App
from services.runtime import object_store
from services.runtime.spec import ServiceSpec

SPEC = ServiceSpec(
    department=Department.ENGINEERING,
    application=App,
    commands={
        cmd.ScheduleSampling: App.schedule_sampling,
        cmd.ReturnSample: App.return_sample,
        cmd.IssueProcessInstructions: App.issue_process_instructions,
        desk_cmd.RedirectComplaint: App.redirect_complaint,
        desk_cmd.RecordComplaintAnalysis: App.record_complaint_analysis,
    },
    # The document is checked and hashed here; the use case stores it once the rules accept it.
    preparers={cmd.IssueProcessInstructions: object_store.check_content},
    reactions={
        SampleApplicationApproved: App.on_application_approved,
        SampleCompleted: App.on_sample_completed,
        SampleImported: App.on_sample_imported,
        InternalOrderIssued: App.on_internal_order_issued,
        ComplaintEscalated: App.on_complaint_escalated,
        ComplaintImported: App.on_complaint_imported,
    },
)
