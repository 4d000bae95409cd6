"""Events of quality (品质部). Quality runs as its own service; its events arrive with the
order and complaint issues (inspection results, 8D reports), so none are declared yet."""
from __future__ import annotations

from events.envelope import DomainEvent

EVENTS: tuple[type[DomainEvent], ...] = ()
