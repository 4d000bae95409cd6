"""What a read model is to the projector: its versioned tables, and how it folds a batch.

A read model's tables are *built*: each build has its own physical tables, named after the
model's schema version and a random token (``sample_summary_v1_3fa2c01b``). The live build is
the one queries read; a rebuild fills a new build beside it and swaps when it has caught up.
Statements are written once with ``{table}`` for each of the model's tables (the qualified
physical name), ``{index}`` for a prefix of index names, and ``%s`` / ``%(name)s`` placeholders.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking

from events.envelope import DomainEvent
from projections.store import ViewStore

Item = tuple[DomainEvent, Tracking, bytes]  # event, its stream position, the JSON it came as


@dataclass(frozen=True)
class Build:
    """One build of one read model: where its tables are."""

    model: str
    version: int
    token: str
    tables: tuple[str, ...]

    def table(self, logical: str) -> str:
        """The physical (unqualified) name of one of the model's tables in this build."""
        return f"{logical}_v{self.version}_{self.token}"

    def render(self, statement: str) -> str:
        for logical in self.tables:
            statement = statement.replace("{" + logical + "}", "{t}" + self.table(logical))
        return statement.replace("{index}", f"ix_{self.token}")

    def sql(self, store: ViewStore, statement: str) -> str:
        return store.sql(self.render(statement))


class ReadModel:
    """One table (or a few) rebuilt from the events alone.

    Idempotent by event id: an event already applied changes nothing. Models whose rows are
    keyed by the event id get that from their primary key; the others (folds) name an
    ``applied`` table, and the projector hands them only events not recorded there yet.
    """

    name: ClassVar[str]
    version: ClassVar[int]
    tables: ClassVar[tuple[str, ...]]
    applied: ClassVar[str | None] = None

    def fingerprint(self) -> str:
        """What the stored tables depend on; a different one means a rebuild."""
        return f"v{self.version}"

    def wants(self, event: DomainEvent) -> bool:
        raise NotImplementedError

    def ddl(self) -> list[str]:
        """CREATE statements of a new build (its names are new, so no ``IF NOT EXISTS``)."""
        raise NotImplementedError

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        """Fold events of one stream, in order, inside the projector's transaction."""
        raise NotImplementedError

    def applied_ddl(self) -> list[str]:
        if self.applied is None:
            return []
        return [f"CREATE TABLE {{{self.applied}}} (event_id TEXT PRIMARY KEY)"]


class Rebuilding(Exception):
    """A query on a read model that has no complete table yet (being rebuilt after a change)."""

    def __init__(self, model: str) -> None:
        super().__init__(model)
        self.model = model
