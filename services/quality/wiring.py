"""Quality's routing tables."""
from __future__ import annotations

from contracts.commands import quality as cmd
from events.envelope import Department
from events.production import LotCompleted
from services.quality.application import QualityApplication as App
from services.runtime.spec import ServiceSpec

SPEC = ServiceSpec(
    department=Department.QUALITY,
    application=App,
    commands={cmd.InspectLot: App.inspect_lot},
    reactions={LotCompleted: App.on_lot_completed},
)
