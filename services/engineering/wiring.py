"""Engineering's routing tables."""
from __future__ import annotations

from contracts.commands import engineering as cmd
from events.envelope import Department
from events.production import SampleCompleted
from events.sales import SampleApplicationApproved
from services.engineering.application import EngineeringApplication as App
from services.runtime.spec import ServiceSpec

SPEC = ServiceSpec(
    department=Department.ENGINEERING,
    application=App,
    commands={cmd.ScheduleSampling: App.schedule_sampling, cmd.ReturnSample: App.return_sample},
    reactions={
        SampleApplicationApproved: App.on_application_approved,
        SampleCompleted: App.on_sample_completed,
    },
)
