"""Applies batches of events to every live read model, one transaction per batch with its tracking.

Each read model is idempotent by event id (see ``ReadModel``): the projector hands a fold model
only the events its ``applied`` table does not hold yet, recorded in the same transaction. So a
duplicate that passed JetStream's dedupe, or a stream read again from its start, changes nothing.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from contracts.queries import READ_MODELS
from projections import registry
from projections.audit import AuditTrail
from projections.calendar_model import CalendarEntries
from projections.complaint_month import ComplaintMonthNotes
from projections.complaint_table import ComplaintSummaryTable
from projections.customer_file import CustomerFile
from projections.meeting_inputs import MeetingInputs
from projections.model import Build, Item, ReadModel
from projections.order_month import OrderMonthNotes
from projections.order_table import OrderSummaryTable
from projections.sample_month import SampleMonthNotes
from projections.sample_table import SampleSummaryTable
from projections.sla.model import SlaModel
from projections.store import ViewStore

log = logging.getLogger(__name__)
Target = tuple[ReadModel, Build]
Apply = Callable[[Sequence[Item]], None]


class ReadModels:
    """Every read model of salesflow, by name; add one here and it is built and rebuilt."""

    def __init__(self, zone: tzinfo | None = None) -> None:
        zone = zone or ZoneInfo("Asia/Shanghai")
        self.samples = SampleSummaryTable(zone)
        self.audit = AuditTrail()
        self.customers = CustomerFile()
        self.month_notes = SampleMonthNotes()
        self.orders = OrderSummaryTable(zone)
        self.order_notes = OrderMonthNotes()
        self.complaints = ComplaintSummaryTable(zone)
        self.complaint_notes = ComplaintMonthNotes()
        self.calendar = CalendarEntries()
        self.sla = SlaModel()
        self.meeting_inputs = MeetingInputs()
        assert tuple(m.name for m in self.all()) == READ_MODELS, "contracts.queries.READ_MODELS"

    def all(self) -> list[ReadModel]:
        return [self.samples, self.audit, self.customers, self.month_notes, self.orders,
                self.order_notes, self.complaints, self.complaint_notes, self.calendar,
                self.sla, self.meeting_inputs]

    def named(self, names: Sequence[str]) -> list[ReadModel]:
        return [m for m in self.all() if m.name in names]


class Projector:
    """Folds events into the live build of every read model."""

    def __init__(self, store: ViewStore, models: ReadModels | None = None,
                 zone: tzinfo | None = None) -> None:
        self.store = store
        self.models = models or ReadModels(zone)
        self.live: dict[str, Target] = {}
        self.stale: list[ReadModel] = []
        self.load()

    def load(self) -> list[ReadModel]:
        """Read which builds are live; returns the models that have none (they need a rebuild).

        A model without a complete live build of its current fingerprint (new, or its schema
        version or zone changed) is stale: it is left out of live application until a rebuild
        swaps a build in, and its queries are refused meanwhile. In a store that has applied
        nothing yet, a model without a live build is simply created live. Nothing else is
        changed, so a standby process may load too."""
        live: dict[str, Target] = {}
        stale: list[ReadModel] = []
        with self.store.write() as c:
            registry.ensure(self.store, c)
            fresh = not [k for k in self.store.tracked_keys(c) if "#" not in k]
            current = {r["model"]: r for r in registry.rows(self.store, c) if r["state"] == "live"}
            tables = set(self.store.table_names(c))
            for model in self.models.all():
                row = current.get(model.name)
                build = registry.build_of(model, row) if row else None
                if build and row and row["fingerprint"] == model.fingerprint() and all(
                        build.table(t) in tables for t in model.tables):
                    live[model.name] = (model, build)
                elif fresh and row is None:
                    token = registry.new_token()
                    live[model.name] = (model, registry.create(self.store, c, model, token, "live"))
                else:
                    stale.append(model)
        self.live, self.stale = live, stale
        return stale

    def open(self) -> list[ReadModel]:
        """``load`` as the active projections start: first forget the builds of rebuilds that did
        not finish and the live builds that no longer match the code, and drop every table no
        build owns (also the unversioned tables of older releases)."""
        models = self.models.all()
        with self.store.write() as c:
            registry.ensure(self.store, c)
            self.store.forget(c, [k for k in self.store.tracked_keys(c) if "#" in k])
            tables = set(self.store.table_names(c))
            for row in registry.rows(self.store, c):
                model = next((m for m in models if m.name == row["model"]), None)
                build = registry.build_of(model, row) if model else None
                if (row["state"] == "live" and model and build
                        and row["fingerprint"] == model.fingerprint()
                        and all(build.table(t) in tables for t in model.tables)):
                    continue
                if row["state"] == "live":
                    log.warning("read model %s was built as %s, the code is %s (or its tables are "
                                "gone): it is rebuilt from the streams", row["model"],
                                row["fingerprint"], model.fingerprint() if model else "gone")
                registry.forget(self.store, c, row["model"], row["token"])
            dropped = registry.collect_garbage(self.store, c, models)
        if dropped:
            log.info("dropped read-model tables no build owns: %s", ", ".join(dropped))
        return self.load()

    def apply(self, items: Sequence[Item]) -> None:
        """All items come from one stream, in order; stored atomically with the last position."""
        with self.store.write() as c:
            self.fold(c, list(self.live.values()), items)
            self.store.track(c, items[-1][1])

    def fold(self, c: Any, targets: Sequence[Target], items: Sequence[Item]) -> None:
        for model, build in targets:
            mine = [item for item in items if model.wants(item[0])]
            if mine and model.applied:
                mine = self.unapplied(c, build.table(model.applied), mine)
            if mine:
                model.apply(self.store, c, build, mine)

    def unapplied(self, c: Any, table: str, items: Sequence[Item]) -> list[Item]:
        """The items whose event id ``table`` did not hold, each once; now recorded there."""
        first: dict[str, Item] = {}
        for item in items:
            first.setdefault(str(item[0].event_id), item)
        fresh = self.store.claim(c, table, list(first))
        return [item for event_id, item in first.items() if event_id in fresh]

    def apply_isolating(self, items: Sequence[Item], apply: Apply | None = None,
                        ) -> tuple[int, Exception | None]:
        """Whole batch at once; if it fails, one by one, to stop right at the failing event."""
        do = apply or self.apply
        try:
            do(items)
            return len(items), None
        except Exception:  # noqa: BLE001 - narrowed down below
            log.info("batch of %d failed; applying one by one", len(items))
        for index, item in enumerate(items):
            try:
                do([item])
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

