"""What a read model is to the projector: its tables, and how it folds a batch of events."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from eventsourcing.persistence import Tracking

from events.envelope import DomainEvent
from projections.store import ViewStore

Item = tuple[DomainEvent, Tracking, bytes]  # event, its stream position, the JSON it came as


class ReadModel(Protocol):
    """One table (or a few) rebuilt from the events alone."""

    tables: tuple[str, ...]

    def ddl(self) -> list[str]:
        """CREATE statements, idempotent (``IF NOT EXISTS``)."""
        ...

    def apply(self, store: ViewStore, c: Any, items: Sequence[Item]) -> None:
        """Fold one batch (one stream, in order) inside the projector's transaction."""
        ...
