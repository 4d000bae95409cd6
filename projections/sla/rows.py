"""The rows of ``salesflow sla`` from what the SLA read model stores: the pure evaluation of the
stored marks, calendar entries, alerts and 16:00 reports at a moment (``evaluate``), and the
stored forms of a clock mark."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

import orjson

from contracts.calendar import WorkingCalendar
from events import sla as ev
from events.envelope import Department
from events.registry import REGISTRY
from projections.sla.clocks import BY_ID
from projections.sla.engine import (
    STATE_LABELS,
    ClockMark,
    ClockRecord,
    ClockState,
    RunStatus,
)

Row = dict[str, Any]
DAILY_REPORT = "SLA-DAILY-REPORT"
REPORT_RULES: dict[str, str] = {"samples": "R-S5", "orders": "R-O5", "complaints": "R-C5"}
REPORT_TITLES: dict[str, tuple[str, str]] = {
    "samples": ("Sample Record Summary issued by 16:00", "16:00 打样记录汇总表"),
    "orders": ("Order Summary issued by 16:00", "16:00 订单汇总表"),
    "complaints": ("Complaint Summary issued by 16:00", "16:00 客诉汇总表"),
}
# Breaches first, then what is at risk, then the rest (``salesflow sla``'s order).
_STATE_ORDER: dict[str, int] = {ClockState.BREACHED: 0, ClockState.AT_RISK: 1,
                                ClockState.PAUSED: 2, ClockState.RUNNING: 3,
                                ClockState.BREACHED_THEN_MET: 4, ClockState.MET: 5}

def moment_text(moment: datetime) -> str:
    """UTC ISO text, so text order is time order (as the audit keeps its moments)."""
    return moment.astimezone(UTC).isoformat()


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def mark_json(mark: ClockMark) -> str:
    return orjson.dumps({
        "mark": mark.mark, "run": mark.run, "at": moment_text(mark.at),
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


@dataclass(frozen=True)
class Stored:
    """The model's rows for one reading (plain data; ``evaluate`` is pure)."""

    marks: list[Row]
    calendar: list[Row]
    alerts: list[Row]
    reports: list[Row]


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
        "started": moment_text(status.started),
        "due": moment_text(status.due) if status.due else None,
        "at_risk_at": moment_text(status.at_risk_at) if status.at_risk_at else None,
        "paused_hours": status.paused_hours,
        "stopped": moment_text(status.stopped) if status.stopped else None,
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
    packs: dict[str, Row] = {}  # the day's pack delivered (DailyPackDelivered), if it was
    for found in sorted(reports, key=lambda r: r["recorded"]):
        due.setdefault(found["day"], found["due_at"])
        if found["kind"] == "issued":
            issued.setdefault((found["day"], found["report"]), found)
        elif found["kind"] == "delivered":
            packs.setdefault(found["day"], found)
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
                "started": moment_text(calendar.at(date.fromisoformat(day), time.min)),
                "due": moment_text(due_at), "at_risk_at": None, "paused_hours": 0.0,
                "stopped": moment_text(stopped) if stopped else None, "used_hours": None,
                "allowance": {"kind": "until", "hours": 0.0, "at": moment_text(due_at), "day": None},
                "left_hours": left_hours(calendar, now, due_at, stopped),
                "department": Department.SLA.value, "role": None, "person": None,
                "late_seconds": late, "at_risk_alert_at": None,
                "pack_document": packs[day]["report"] if day in packs else None,
                "pack_delivered_at": packs[day]["recorded"] if day in packs else None,
                "at_risk_alert_late_seconds": None, "breach_alert_at": None,
                "breach_alert_late_seconds": None,
            })
    return rows
