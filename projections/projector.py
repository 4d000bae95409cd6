"""Applies batches of events to the read models, one transaction per batch with its tracking."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking

from events.envelope import DomainEvent
from projections import audit, sample_summary
from projections.store import ViewStore

log = logging.getLogger(__name__)

Item = tuple[DomainEvent, Tracking, bytes]  # event, its stream position, the JSON it came as


class Projector:
    """Folds events into the Sample Record Summary and the audit trail."""

    def __init__(self, store: ViewStore) -> None:
        self.store = store

    def apply(self, items: Sequence[Item]) -> None:
        """All items come from one stream, in order; stored atomically with the last position."""
        with self.store.write() as c:
            self._apply(c, items)
            self.store.track(c, items[-1][1])

    def _apply(self, c: Any, items: Sequence[Item]) -> None:
        keys = {e.record_no for e, _, _ in items if e.record_no and type(e) in sample_summary.FOLD}
        rows = self.store.load_rows(c, keys) if keys else {}
        changed: dict[str, sample_summary.Row] = {}
        for event, _, _ in items:
            record = event.record_no
            if record and type(event) in sample_summary.FOLD:
                row = rows.setdefault(record, sample_summary.new_row(record))
                sample_summary.apply(row, event)
                changed[record] = row
        self.store.save_rows(c, changed.values())
        self.store.save_audit(c, [audit.row(e, t, data) for e, t, data in items])

    def apply_isolating(self, items: Sequence[Item]) -> tuple[int, Exception | None]:
        """Whole batch at once; if it fails, one by one, to stop right at the failing event."""
        try:
            self.apply(items)
            return len(items), None
        except Exception:  # noqa: BLE001 - narrowed down below
            log.info("batch of %d failed; applying one by one", len(items))
        for index, item in enumerate(items):
            try:
                self.apply([item])
            except Exception as error:  # noqa: BLE001 - the consumer retries, then dead-letters
                return index, error
        return len(items), None

    async def handle(self, items: Sequence[Item]) -> tuple[int, Exception | None]:
        """Apply a batch. SQLite work is CPU-bound and holds the GIL, so a worker thread would
        only add hand-offs with the event loop (measured: ~15 % slower rebuilds); PostgreSQL
        work waits on the network, so it goes to a thread and the loop keeps fetching."""
        if self.store.postgres:
            return await asyncio.to_thread(self.apply_isolating, items)
        return self.apply_isolating(items)
