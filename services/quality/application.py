"""The quality application: its own store and stream; inspections arrive with the order issues."""
from __future__ import annotations

from events.envelope import Department
from services.runtime.store import DepartmentApplication


class QualityApplication(DepartmentApplication):
    """Quality's event store (no use cases yet)."""

    name = Department.QUALITY.value
