"""Quality's routing tables."""
from __future__ import annotations

from contracts.commands import complaint_desk as desk_cmd
from contracts.commands import quality as cmd
from events.envelope import Department
from events.production import LotCompleted
from events.sales import ComplaintEscalated, ComplaintImported
from services.quality.application import QualityApplication as App
from services.runtime.spec import ServiceSpec

SPEC = ServiceSpec(
    department=Department.QUALITY,
    application=App,
    commands={
        cmd.InspectLot: App.inspect_lot,
        desk_cmd.RedirectComplaint: App.redirect_complaint,
        desk_cmd.RecordComplaintAnalysis: App.record_complaint_analysis,
    },
    reactions={
        LotCompleted: App.on_lot_completed,
        ComplaintEscalated: App.on_complaint_escalated,
        ComplaintImported: App.on_complaint_imported,
    },
)
