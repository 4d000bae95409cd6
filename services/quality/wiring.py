"""Quality's routing tables (empty until inspections arrive)."""
from __future__ import annotations

from events.envelope import Department
from services.quality.application import QualityApplication
from services.runtime.spec import ServiceSpec

SPEC = ServiceSpec(department=Department.QUALITY, application=QualityApplication, commands={})
