"""The SLA application: the company calendar (admin commands), one ``clock`` aggregate per run of
a service-level clock (marked by other departments' events, alerting from JetStream timers),
and the daily 16:00 report clock."""
from __future__ import annotations

from events.envelope import Department
from services.runtime.store import DepartmentApplication


class SlaApplication(DepartmentApplication):
    """The SLA engine's event store and use cases."""

    name = Department.SLA.value
