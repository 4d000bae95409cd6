"""Any folded summary table as it stood at a past moment, folded again from the audit trail.

"As of T" means what was RECORDED up to T: the events' ``recorded`` moment, not their business
time (``timestamp``, when it happened on the floor, which may be earlier: a call at 09:10 entered
at 11:02 is not in the 10:00 view). The audit trail keeps every event of every stream exactly as
it travelled, with that moment (``recorded_at``), so a
table whose rows are a pure fold (``new_row(record_no)``, ``apply(row, event)``) is read as of
``T`` by folding, in memory, the audit's events recorded at or before ``T``. Nothing is stored:
a table gets as-of reading by declaring its ``Fold`` (see ``SampleSummaryTable.fold``), and its
query answers ``rows(store, table.fold(), query.as_of, **filters)`` when ``as_of`` is given.

What it guarantees: the rows equal those a rebuild would give from the events recorded at or
before ``T`` that the projections hold. Events are folded in the order they were recorded, each
aggregate's in version order; so a fold's rows may depend on the order of one aggregate's
events, and must not depend on how different aggregates' events interleave (also within one
stream, where a rebuild follows the order they were stored in, not their moments). An event
recorded before ``T`` that has not reached the projections yet (its department's relay or the
projections behind: ``salesflow status``) is missing until it arrives; once the relays and the
projections have caught up with ``T``, the answer for ``T`` no longer changes. While the audit
trail has no complete table (rebuilt after a change of its schema) as-of reading is refused
(``Rebuilding``).

Speed: only the event types a fold reads are loaded. A filter that the opening event of a row
decides alone (a sample's customer, its month) first picks the records from their opening
events, then loads only those records' events (by the audit's record number index).
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson

from events.envelope import DomainEvent
from events.registry import REGISTRY
from projections import registry
from projections.audit import AuditTrail
from projections.model import Build
from projections.store import ViewStore

Row = dict[str, Any]
CHUNK = 500  # record numbers per IN (...): well under SQLite's and PostgreSQL's limits


@dataclass(frozen=True)
class Fold:
    """How a table's rows are folded from events, keyed by the events' record number.

    ``filters`` name the query filters and read their value from a row (a filter matches the
    rows whose value equals it, as the live table's ``WHERE``); ``order`` sorts the rows.
    ``opened_by`` is the event that opens a row, and ``opening_decides`` the filters whose value
    that event alone sets for good: they may pick the records before anything else is read.
    """

    events: Collection[type[DomainEvent]]
    wants: Callable[[DomainEvent], bool]
    new_row: Callable[[str], Row]
    apply: Callable[[Row, DomainEvent], object]
    filters: Mapping[str, Callable[[Row], Any]]
    order: Callable[[Row], Any]
    # The event, or the events (a live request, an imported row), that open a row.
    opened_by: type[DomainEvent] | tuple[type[DomainEvent], ...] | None = None
    opening_decides: Collection[str] = field(default=())

    def row(self, rows: dict[str, Row], event: DomainEvent) -> None:
        """Fold ``event`` into its row, made when it is the first (as the live table does)."""
        key = event.record_no or ""
        found = rows.get(key)
        if found is None:
            found = rows[key] = self.new_row(key)
        self.apply(found, event)

    def matches(self, row: Row, wanted: Mapping[str, Any]) -> bool:
        return all(self.filters[name](row) == value for name, value in wanted.items())


AUDIT = AuditTrail()


def moment_text(moment: datetime) -> str:
    """``moment`` as the audit stores ``recorded_at``: UTC ISO text with no fraction or six
    digits of one, and ``+00:00``, so text order is time order (also under a locale collation,
    which weighs the digits first)."""
    if moment.utcoffset() is None:
        raise ValueError("an as-of moment needs its time zone")
    return moment.astimezone(UTC).isoformat()


def rows(store: ViewStore, fold: Fold, moment: datetime, **filters: Any) -> list[Row]:
    """The table's rows as of ``moment``, filtered as the live table filters (an empty filter
    value is no filter), in its order, each as the live table returns it (JSON values)."""
    wanted = {name: value for name, value in filters.items() if value}
    unknown = set(wanted) - set(fold.filters)
    if unknown:
        raise ValueError(f"the table has no filter {', '.join(sorted(unknown))}")
    until = moment_text(moment)
    with store.read() as c:
        build = registry.require_live(store, c, AUDIT)
        records = opened(store, c, build, fold, until, wanted)
        if records is not None and not records:
            return []
        events = recorded(store, c, build, fold, until, records)
    folded: dict[str, Row] = {}
    for event in in_recorded_order(events):
        fold.row(folded, event)
    found = [r for r in folded.values() if fold.matches(r, wanted)]
    # Through JSON, as the live table stores its rows: the same values, the same types.
    return orjson.loads(orjson.dumps(sorted(found, key=fold.order)))  # type: ignore[no-any-return]


def opened(store: ViewStore, c: Any, build: Build, fold: Fold, until: str,
           wanted: Mapping[str, Any]) -> set[str] | None:
    """The records whose opening event alone decides they match; None: no such filter."""
    decided = {name: value for name, value in wanted.items() if name in fold.opening_decides}
    if fold.opened_by is None or not decided:
        return None
    openers = [t.__name__ for t in (
        fold.opened_by if isinstance(fold.opened_by, tuple) else (fold.opened_by,))]
    marks = ", ".join(["%s"] * len(openers))
    c.execute(build.sql(store, f"SELECT type, event_json FROM {{audit}} WHERE type IN ({marks}) "
                               "AND recorded_at <= %s"), [*openers, until])
    found: set[str] = set()
    for record in c.fetchall():
        event = decode(record["type"], record["event_json"])
        if fold.wants(event):
            row: dict[str, Row] = {}
            fold.row(row, event)
            if fold.matches(next(iter(row.values())), decided):
                found.add(event.record_no or "")
    return found


def recorded(store: ViewStore, c: Any, build: Build, fold: Fold, until: str,
             records: set[str] | None) -> list[DomainEvent]:
    """The events ``fold`` reads that were recorded up to ``until`` (of ``records`` only, if
    given), decoded, in the order they were recorded."""
    types = sorted(t.__name__ for t in fold.events)
    marks = ", ".join(["%s"] * len(types))
    base = (f"SELECT type, event_json FROM {{audit}} WHERE type IN ({marks}) AND recorded_at <= %s")
    order = " ORDER BY recorded_at, department, aggregate_id, version"
    found: list[DomainEvent] = []
    if records is None:
        c.execute(build.sql(store, base + order), [*types, until])
        found = [decode(r["type"], r["event_json"]) for r in c.fetchall()]
    else:
        keys = sorted(records)
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start:start + CHUNK]
            some = ", ".join(["%s"] * len(chunk))
            c.execute(build.sql(store, f"{base} AND record_no IN ({some}){order}"),
                      [*types, until, *chunk])
            found += [decode(r["type"], r["event_json"]) for r in c.fetchall()]
    return [event for event in found if fold.wants(event)]


def decode(type_name: str, data: str) -> DomainEvent:
    """An audit row's event. The audit keeps the JSON as it travelled but not its version: every
    event type is at version 1 today (an upcaster would need the version kept too)."""
    return REGISTRY.cls(type_name).model_validate_json(data)


def in_recorded_order(events: Iterable[DomainEvent]) -> list[DomainEvent]:
    """``events`` (ordered by their recording moments) with each aggregate's events in version
    order.

    A rebuild folds each aggregate's events in version order whatever their timestamps say
    (two commands on one record within a clock step, a clock set back): the aggregate's events
    keep the places they hold in time, refilled in version order."""
    ordered = list(events)
    places: dict[UUID, list[int]] = {}
    last: dict[UUID, int] = {}
    shuffled = False
    for index, event in enumerate(ordered):
        places.setdefault(event.originator_id, []).append(index)
        shuffled = shuffled or event.originator_version < last.get(event.originator_id, 0)
        last[event.originator_id] = event.originator_version
    if not shuffled:
        return ordered
    result = list(ordered)
    for indexes in places.values():
        mine = sorted((ordered[i] for i in indexes), key=lambda e: e.originator_version)
        for index, event in zip(indexes, mine, strict=True):
            result[index] = event
    return result
