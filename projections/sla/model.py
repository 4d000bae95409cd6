"""The SLA read model (read model ``sla``): every run of every service-level clock, its deadlines
and state, who is responsible, and the alerts and 16:00 reports of the SLA service.

Folded from the events alone: each domain event a clock reads (``MARKING_EVENTS``) becomes the
marks ``marks_of`` gives it, stored one row per mark; the company calendar's entries, the live
alerts (``SlaAtRisk`` / ``SlaBreached``) and the daily reports are stored one row per event.
Every row is keyed by the event it came from, so an event applied twice changes nothing, and
nothing depends on how the streams interleave (marks are a set, ordered by business time when
evaluated; calendar entries are one aggregate's, ordered by its version).

The state is computed when asked: a pure function of (the stored events, the calendar entries,
now). Read as of a moment ``T``, only the events *recorded* up to ``T`` count (marks, calendar
entries, alerts and reports alike), and every run is evaluated at ``T``.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from contracts.calendar import WorkingCalendar
from events import sla as ev
from events.envelope import DomainEvent
from projections import registry
from projections.model import Build, Item, ReadModel
from projections.sla.clocks import MARKING_EVENTS, marks_of
from projections.sla.engine import (
    ClockState,
)
from projections.sla.rows import (
    DAILY_REPORT,
    Row,
    Stored,
    evaluate,
    mark_json,
    moment_text,
)
from projections.store import ViewStore

# The states a summary table's SLA flags show (a met clock is no flag).
FLAGGED: tuple[ClockState, ...] = (ClockState.BREACHED, ClockState.AT_RISK,
                                   ClockState.BREACHED_THEN_MET)
_ALERTS = (ev.SlaAtRisk, ev.SlaBreached)
_REPORTS = (ev.DailyReportScheduled, ev.DailyReportIssued, ev.DailyPackDelivered)
_WANTED: frozenset[type[DomainEvent]] = frozenset(
    (*MARKING_EVENTS, *ev.CALENDAR_ENTRIES, *_ALERTS, *_REPORTS))


class SlaModel(ReadModel):
    """Read model ``sla``: marks (``sla_marks``), calendar entries (``sla_calendar``), alerts
    (``sla_alerts``) and daily reports (``sla_reports``), each row keyed by its event."""

    name: ClassVar[str] = "sla"
    version: ClassVar[int] = 2  # 2: the daily packs delivered
    tables: ClassVar[tuple[str, ...]] = ("sla_marks", "sla_calendar", "sla_alerts", "sla_reports")

    def __init__(self, hours: Mapping[str, float] | None = None) -> None:
        self.hours: dict[str, float] = dict(hours or {})

    def fingerprint(self) -> str:
        # Allowances are stored with the marks: other configured hours, other rows.
        overrides = ",".join(f"{k}={v:g}" for k, v in sorted(self.hours.items()))
        return f"v{self.version} hours={overrides}"

    def wants(self, event: DomainEvent) -> bool:
        return type(event) in _WANTED

    def ddl(self) -> list[str]:
        return [
            ("CREATE TABLE {sla_marks} (clock TEXT NOT NULL, record TEXT NOT NULL, "
            "run TEXT NOT NULL, mark TEXT NOT NULL, source_event_id TEXT NOT NULL, "
            "recorded TEXT NOT NULL, mark_json TEXT NOT NULL, "
            "PRIMARY KEY (clock, record, source_event_id, mark, run))"),
            "CREATE INDEX {index}_sla_marks_record ON {sla_marks} (record)",
            ("CREATE TABLE {sla_calendar} (event_id TEXT PRIMARY KEY, version BIGINT NOT NULL, "
            "recorded TEXT NOT NULL, type TEXT NOT NULL, event_json TEXT NOT NULL)"),
            ("CREATE TABLE {sla_alerts} (event_id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
            "clock TEXT NOT NULL, record TEXT NOT NULL, run TEXT NOT NULL, "
            "moment TEXT NOT NULL, raised TEXT NOT NULL, late_seconds REAL NOT NULL)"),
            ("CREATE TABLE {sla_reports} (event_id TEXT PRIMARY KEY, kind TEXT NOT NULL, "
            "day TEXT NOT NULL, report TEXT, due_at TEXT NOT NULL, recorded TEXT NOT NULL, "
            "late_seconds REAL)"),
        ]

    def apply(self, store: ViewStore, c: Any, build: Build, items: Sequence[Item]) -> None:
        marks: list[tuple[Any, ...]] = []
        calendar: list[tuple[Any, ...]] = []
        alerts: list[tuple[Any, ...]] = []
        reports: list[tuple[Any, ...]] = []
        for event, _, data in items:
            recorded = moment_text(event.recorded)
            if isinstance(event, ev.CALENDAR_ENTRIES):
                calendar.append((str(event.event_id), event.originator_version, recorded,
                                 type(event).__name__, data.decode()))
            elif isinstance(event, _ALERTS):
                alerts.append((str(event.event_id), type(event).__name__, event.clock,
                               event.record, event.run, moment_text(event.moment), recorded,
                               event.late_seconds))
            elif isinstance(event, ev.DailyReportIssued):
                reports.append((str(event.event_id), "issued", event.day.isoformat(),
                                event.table, moment_text(event.due_at), recorded, event.late_seconds))
            elif isinstance(event, ev.DailyPackDelivered):  # report: the workbook's SHA-256
                reports.append((str(event.event_id), "delivered", event.day.isoformat(),
                                event.document_sha256, moment_text(event.as_of), recorded, None))
            elif isinstance(event, ev.DailyReportScheduled):
                reports.append((str(event.event_id), "scheduled", event.day.isoformat(), None,
                                moment_text(event.due_at), recorded, None))
            else:
                marks += [(spec.id, record, mark.run, mark.mark, mark.source_event_id, recorded,
                           mark_json(mark)) for spec, record, mark in marks_of(event, self.hours)]
        for table, columns, rows in (
            ("sla_marks", "clock, record, run, mark, source_event_id, recorded, mark_json", marks),
            ("sla_calendar", "event_id, version, recorded, type, event_json", calendar),
            ("sla_alerts", "event_id, kind, clock, record, run, moment, raised, late_seconds",
             alerts),
            ("sla_reports", "event_id, kind, day, report, due_at, recorded, late_seconds", reports),
        ):
            if rows:
                places = ", ".join(["%s"] * len(rows[0]))
                c.executemany(build.sql(store, f"INSERT INTO {{{table}}} ({columns}) "
                                               f"VALUES ({places}) ON CONFLICT DO NOTHING"), rows)

    # -- reading -------------------------------------------------------------------------------

    def stored(self, store: ViewStore, until: datetime | None = None,
               record: str | None = None, clock: str | None = None,
               records: Collection[str] | None = None) -> Stored:
        """What the live build holds, of the events recorded up to ``until`` (all: None), of
        one ``record`` or of the ``records`` named (any: None)."""
        limit = moment_text(until) if until is not None else None
        with store.read() as c:
            build = registry.require_live(store, c, self)
            return Stored(
                marks=_select(store, c, build, "SELECT clock, record, mark_json FROM {sla_marks}",
                              limit, "recorded", records, record=record, clock=clock),
                calendar=_select(store, c, build, "SELECT type, version, event_json FROM "
                                 "{sla_calendar}", limit, "recorded"),
                alerts=_select(store, c, build, "SELECT kind, clock, record, run, moment, raised, "
                               "late_seconds FROM {sla_alerts}", limit, "raised", records,
                               record=record, clock=clock),
                reports=[] if (clock not in (None, DAILY_REPORT) or record
                               or records is not None) else _select(
                    store, c, build, "SELECT kind, day, report, due_at, recorded, late_seconds "
                    "FROM {sla_reports}", limit, "recorded"))

    def rows(self, store: ViewStore, base: WorkingCalendar, now: datetime,
             as_of: datetime | None = None, *, states: Sequence[str] | None = None,
             clock: str | None = None, department: str | None = None, person: str | None = None,
             record: str | None = None, records: Collection[str] | None = None) -> list[Row]:
        """Every clock run as of ``as_of`` (else as at ``now``), filtered (None: any), breaches
        first, then at-risk runs, then the rest, each by due time."""
        moment = as_of or now
        stored = self.stored(store, as_of, record=record, clock=clock, records=records)
        found = evaluate(stored, base, moment)
        return [r for r in found if (not states or r["state"] in states)
                and (department is None or r["department"] == department)
                and (person is None or r["person"] == person)]

    def flags(self, store: ViewStore, base: WorkingCalendar, now: datetime,
              as_of: datetime | None = None, records: Collection[str] | None = None,
              ) -> dict[str, list[Row]]:
        """Per record (of ``records``, or every one), the clock runs a summary table flags
        (breached, at risk, breached then met): ``{"clock", "run", "state", "state_zh"}``."""
        flagged: dict[str, list[Row]] = {}
        if records is not None and not records:
            return flagged
        for row in self.rows(store, base, now, as_of, states=list(FLAGGED), records=records):
            if row["clock"] == DAILY_REPORT:
                continue
            flagged.setdefault(row["record"], []).append(
                {key: row[key] for key in ("clock", "run", "state", "state_zh")})
        return flagged


def _select(store: ViewStore, c: Any, build: Build, statement: str, limit: str | None,
            recorded: str, records: Collection[str] | None = None,
            **equal: str | None) -> list[Row]:
    where = [f"{name} = %({name})s" for name, value in equal.items() if value]
    params: dict[str, Any] = {name: value for name, value in equal.items() if value}
    if records is not None:
        names = {f"r{i}": no for i, no in enumerate(sorted(records))}
        where.append(f"record IN ({', '.join(f'%({n})s' for n in names)})")
        params.update(names)
    if limit is not None:
        where.append(f"{recorded} <= %(limit)s")
        params["limit"] = limit
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    c.execute(build.sql(store, statement + clause), params)
    return [dict(r) for r in c.fetchall()]


