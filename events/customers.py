"""Events of the sales department's customer records (R-S1 onboarding, R-S2 customer file)."""
from __future__ import annotations

from events.envelope import DomainEvent

EVENTS: tuple[type[DomainEvent], ...] = ()
