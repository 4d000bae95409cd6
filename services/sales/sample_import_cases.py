"""Sales' import of the old Sample Record Summary (issue 12): one row, one ``SampleImported``, on
the aggregate the live process uses for that request number, so live commands continue it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from contracts.commands.imports_samples import ImportSample
from contracts.replies import EventRef
from events.sales.sample_import import IMPORTED_FACTS
from services.domain import Aggregate, Context
from services.sales.sample import SampleRecord, sample_id

if TYPE_CHECKING:
    from datetime import datetime

    from events.envelope import Actor

A = TypeVar("A", bound=Aggregate)


class SampleImportUseCases:
    """Mixed into ``SalesApplication``: load, call, save."""

    if TYPE_CHECKING:  # provided by SalesApplication / DepartmentApplication
        def store(self, *aggregates: Aggregate, tracking: Any = None) -> list[EventRef]: ...
        def load_or_new(self, cls: type[A], aggregate_id: UUID) -> A: ...
        def context(self, actor: Actor, correlation_id: UUID | None,
                    occurred_at: datetime | None = None) -> Context: ...

    def import_sample(self, c: ImportSample, ctx: Context) -> list[EventRef]:
        """The row's business time is its request date; recorded now, by the importer."""
        record = self.load_or_new(SampleRecord, sample_id(c.request_no))
        at_request = self.context(ctx.actor, ctx.correlation_id, c.requested_at)
        facts = {key: getattr(c, key) for key in IMPORTED_FACTS if key != "timestamp"}
        record.import_row(at_request, c.source, **facts)
        return self.store(record)
