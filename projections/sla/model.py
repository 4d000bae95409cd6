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
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar

import orjson

from contracts.calendar import WorkingCalendar
from events import sla as ev
from events.envelope import Department, DomainEvent
from events.registry import REGISTRY
from projections import registry
from projections.model import Build, Item, ReadModel
from projections.sla.clocks import BY_ID, MARKING_EVENTS, marks_of
from projections.sla.engine import (
    STATE_LABELS,
    ClockMark,
    ClockRecord,
    ClockState,
    RunStatus,
)
from projections.store import ViewStore

Row = dict[str, Any]
DAILY_REPORT = "SLA-DAILY-REPORT"
REPORT_RULES: dict[str, str] = {"samples": "R-S5", "orders": "R-O5", "complaints": "R-C5"}
REPORT_TITLES: dict[str, tuple[str, str]] = {
    "samples": ("Sample Record Summary issued by 16:00", "16:00 打样记录汇总表"),
    "orders": ("Order Summary issued by 16:00", "16:00 订单汇总表"),
    "complaints": ("Complaint Summary issued by 16:00", "16:00 客诉汇总表"),
}
# The states a summary table's SLA flags show (a met clock is no flag).
FLAGGED: tuple[ClockState, ...] = (ClockState.BREACHED, ClockState.AT_RISK,
                                   ClockState.BREACHED_THEN_MET)
# Breaches first, then what is at risk, then the rest (``salesflow sla``'s order).
_STATE_ORDER: dict[str, int] = {ClockState.BREACHED: 0, ClockState.AT_RISK: 1,
                                ClockState.PAUSED: 2, ClockState.RUNNING: 3,
                                ClockState.BREACHED_THEN_MET: 4, ClockState.MET: 5}
_CALENDAR_EVENTS = (ev.HolidayDeclared, ev.WorkdayDeclared, ev.WorkingHoursChanged)
_ALERTS = (ev.SlaAtRisk, ev.SlaBreached)
_REPORTS = (ev.DailyReportScheduled, ev.DailyReportIssued)
_WANTED: frozenset[type[DomainEvent]] = frozenset(
    (*MARKING_EVENTS, *_CALENDAR_EVENTS, *_ALERTS, *_REPORTS))


def _text(moment: datetime) -> str:
    """UTC ISO text, so text order is time order (as the audit keeps its moments)."""
    return moment.astimezone(UTC).isoformat()


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def mark_json(mark: ClockMark) -> str:
    return orjson.dumps({
        "mark": mark.mark, "run": mark.run, "at": _text(mark.at),
        "source_event_id": mark.source_event_id, "source_type": mark.source_type,
        "every": mark.every, "person": mark.person,
        "allowance": mark.allowance.model_dump(mode="json") if mark.allowance else None,
    }).decode()


def mark_of(text: str) -> ClockMark:
    data = orjson.loads(text)
    allowance = data["allowance"]
    return ClockMark(mark=data["mark"], run=data["run"], at=datetime.fromisoformat(data["at"]),
                     source_event_id=data["source_event_id"], source_type=data["source_type"],
                     every=data["every"], person=data["person"],
                     allowance=ev.Allowance.model_validate(allowance) if allowance else None)


class SlaModel(ReadModel):
    """Read model ``sla``: marks (``sla_marks``), calendar entries (``sla_calendar``), alerts
    (``sla_alerts``) and daily reports (``sla_reports``), each row keyed by its event."""

    name: ClassVar[str] = "sla"
    version: ClassVar[int] = 1
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
            recorded = _text(event.recorded)
            if isinstance(event, _CALENDAR_EVENTS):
                calendar.append((str(event.event_id), event.originator_version, recorded,
                                 type(event).__name__, data.decode()))
            elif isinstance(event, _ALERTS):
                alerts.append((str(event.event_id), type(event).__name__, event.clock,
                               event.record, event.run, _text(event.moment), recorded,
                               event.late_seconds))
            elif isinstance(event, ev.DailyReportIssued):
                reports.append((str(event.event_id), "issued", event.day.isoformat(),
                                event.table, _text(event.due_at), recorded, event.late_seconds))
            elif isinstance(event, ev.DailyReportScheduled):
                reports.append((str(event.event_id), "scheduled", event.day.isoformat(), None,
                                _text(event.due_at), recorded, None))
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
        limit = _text(until) if until is not None else None
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


@dataclass(frozen=True)
class Stored:
    """The model's rows for one reading (plain data; ``evaluate`` is pure)."""

    marks: list[Row]
    calendar: list[Row]
    alerts: list[Row]
    reports: list[Row]


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


def evaluate(stored: Stored, base: WorkingCalendar, now: datetime) -> list[Row]:
    """The rows of ``salesflow sla`` from the stored marks, calendar entries, alerts and reports,
    evaluated at ``now``: a pure function of them."""
    entries = [REGISTRY.cls(r["type"]).model_validate_json(r["event_json"])
               for r in sorted(stored.calendar, key=lambda r: int(r["version"]))]
    calendar = base.with_entries(e for e in entries if isinstance(e, ev.CALENDAR_ENTRIES))
    records: dict[tuple[str, str], ClockRecord] = {}
    for found in stored.marks:
        records.setdefault((found["clock"], found["record"]), ClockRecord()).add(
            mark_of(found["mark_json"]))
    alerts: dict[tuple[str, str, str, str], Row] = {}
    for alert in sorted(stored.alerts, key=lambda a: a["raised"]):
        alerts.setdefault((alert["kind"], alert["clock"], alert["record"], alert["run"]), alert)
    rows = [run_row(clock, record, status, calendar, now, alerts)
            for (clock, record), marks in records.items()
            for status in marks.evaluate(calendar, now, BY_ID[clock].at_risk)]
    rows += report_rows(stored.reports, calendar, now)
    return sorted(rows, key=lambda r: (_STATE_ORDER[r["state"]], r["due"] or "9999",
                                       r["clock"], r["record"], r["run"]))


def left_hours(calendar: WorkingCalendar, now: datetime, due: datetime | None,
               stopped: datetime | None) -> float | None:
    """Working hours left until the due time (negative: overdue by that much) of an open run."""
    if due is None or stopped is not None:
        return None
    if now < due:
        return round(calendar.working_hours_between(now, due), 4)
    return -round(calendar.working_hours_between(due, now), 4)


def _alert(alerts: Mapping[tuple[str, str, str, str], Row], kind: str, clock: str, record: str,
           run: str) -> tuple[str | None, float | None]:
    found = alerts.get((kind, clock, record, run))
    return (found["raised"], float(found["late_seconds"])) if found else (None, None)


def run_row(clock: str, record: str, status: RunStatus, calendar: WorkingCalendar, now: datetime,
            alerts: Mapping[tuple[str, str, str, str], Row]) -> Row:
    spec = BY_ID[clock]
    risk_at, risk_late = _alert(alerts, "SlaAtRisk", clock, record, status.run)
    breach_at, breach_late = _alert(alerts, "SlaBreached", clock, record, status.run)
    return {
        "clock": clock, "title_en": spec.title_en, "title_zh": spec.title_zh,
        "rules": list(spec.rules), "record": record, "run": status.run,
        "state": status.state.value, "state_zh": STATE_LABELS[status.state],
        "started": _text(status.started),
        "due": _text(status.due) if status.due else None,
        "at_risk_at": _text(status.at_risk_at) if status.at_risk_at else None,
        "paused_hours": status.paused_hours,
        "stopped": _text(status.stopped) if status.stopped else None,
        "used_hours": status.used_hours,
        "allowance": status.allowance.model_dump(mode="json"),
        "left_hours": left_hours(calendar, now, status.due, status.stopped),
        "department": spec.department.value, "role": spec.role.value, "person": status.person,
        "at_risk_alert_at": risk_at, "at_risk_alert_late_seconds": risk_late,
        "breach_alert_at": breach_at, "breach_alert_late_seconds": breach_late,
    }


def report_rows(reports: list[Row], calendar: WorkingCalendar, now: datetime) -> list[Row]:
    """SLA-DAILY-REPORT: per working day and summary, due at 16:00, issued or not, how late."""
    due: dict[str, str] = {}
    issued: dict[tuple[str, str], Row] = {}
    for found in sorted(reports, key=lambda r: r["recorded"]):
        due.setdefault(found["day"], found["due_at"])
        if found["kind"] == "issued":
            issued.setdefault((found["day"], found["report"]), found)
    rows = []
    for day, due_text in sorted(due.items()):
        for report, rule in REPORT_RULES.items():
            done = issued.get((day, report))
            due_at = datetime.fromisoformat(done["due_at"] if done else due_text)
            stopped = _when(done["recorded"]) if done else None
            late = float(done["late_seconds"] or 0) if done else None
            if done:
                state = ClockState.BREACHED_THEN_MET if late else ClockState.MET
            else:
                state = ClockState.BREACHED if now >= due_at else ClockState.RUNNING
            title_en, title_zh = REPORT_TITLES[report]
            rows.append({
                "clock": DAILY_REPORT, "title_en": title_en, "title_zh": title_zh,
                "rules": [rule], "record": report, "run": day,
                "state": state.value, "state_zh": STATE_LABELS[state],
                "started": _text(calendar.at(date.fromisoformat(day), time.min)),
                "due": _text(due_at), "at_risk_at": None, "paused_hours": 0.0,
                "stopped": _text(stopped) if stopped else None, "used_hours": None,
                "allowance": {"kind": "until", "hours": 0.0, "at": _text(due_at), "day": None},
                "left_hours": left_hours(calendar, now, due_at, stopped),
                "department": Department.SLA.value, "role": None, "person": None,
                "late_seconds": late, "at_risk_alert_at": None,
                "at_risk_alert_late_seconds": None, "breach_alert_at": None,
                "breach_alert_late_seconds": None,
            })
    return rows
