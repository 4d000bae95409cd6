"""The SLA service's routing tables."""
from __future__ import annotations

from events.envelope import Department
from services.runtime.spec import ServiceSpec
from services.sla.application import SlaApplication as App
from services.sla.calendar_cases import CALENDAR_COMMANDS

SPEC = ServiceSpec(
    department=Department.SLA,
    application=App,
    commands={**CALENDAR_COMMANDS},
)
