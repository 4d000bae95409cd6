"""The clock fold: from the marks of one clock for one record, each run's deadlines and state.

Pure: the state of a run is a function of (its marks, the calendar, now). Marks are kept as a
set and ordered by business time when evaluated, so the order in which the departments' streams
deliver them changes nothing, and a mark delivered twice counts once.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from events.sla import Allowance, Mark

AT_RISK_SHARE = 0.8  # DOMAIN.md: a clock close to its deadline is at risk (default 80 %)
# Within one moment a start comes before a pause, a pause before a resume, all before a stop.
_ORDER: dict[str, int] = {"start": 0, "pause": 1, "resume": 2, "stop": 3}


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    BREACHED_THEN_MET = "breached_then_met"


STATE_LABELS: dict[ClockState, str] = {
    ClockState.RUNNING: "进行中", ClockState.PAUSED: "暂停", ClockState.AT_RISK: "临近超时",
    ClockState.BREACHED: "已超时", ClockState.MET: "按时完成", ClockState.BREACHED_THEN_MET: "超时后完成",
}


class Calendar(Protocol):
    """What the engine needs of ``contracts.calendar.WorkingCalendar``."""

    def working_hours_between(self, start: datetime, end: datetime) -> float: ...

    def add_working_hours(self, start: datetime, hours: float) -> datetime: ...

    def subtract_working_hours(self, end: datetime, hours: float) -> datetime: ...

    def end_of_working_day(self, d: date) -> datetime: ...


@dataclass(frozen=True)
class ClockMark:
    """One domain event's effect on a run (or, with ``every``, on every run starting with
    ``run``)."""

    mark: Mark
    run: str
    at: datetime
    source_event_id: str
    source_type: str
    every: bool = False
    allowance: Allowance | None = None
    person: str | None = None

    def applies_to(self, run: str) -> bool:
        return run.startswith(self.run) if self.every else run == self.run

    def order(self) -> tuple[datetime, int, str]:
        return (self.at, _ORDER[self.mark], self.source_event_id)


@dataclass(frozen=True)
class RunStatus:
    """One run of a clock, evaluated at ``now``."""

    run: str
    state: ClockState
    started: datetime
    due: datetime | None  # None while paused with time left (the deadline moves)
    at_risk_at: datetime | None
    stopped: datetime | None
    paused_hours: float
    used_hours: float  # working time used (pauses excluded), up to the stop or now
    allowance: Allowance
    person: str | None

    @property
    def open(self) -> bool:
        return self.stopped is None


@dataclass
class ClockRecord:
    """Every mark one clock received for one record."""

    marks: dict[tuple[str, str, str], ClockMark] = field(default_factory=dict)

    def add(self, mark: ClockMark) -> bool:
        """Keep ``mark``; False when the same event already marked the same run."""
        key = (mark.source_event_id, mark.mark, mark.run)
        if key in self.marks:
            return False
        self.marks[key] = mark
        return True

    def runs(self) -> list[str]:
        """Names of the runs started so far, in order of their first start."""
        names: dict[str, None] = {}
        for mark in sorted(self.marks.values(), key=ClockMark.order):
            if mark.mark == "start":
                names.setdefault(mark.run, None)
        return list(names)

    def evaluate(self, calendar: Calendar, now: datetime, at_risk: float = AT_RISK_SHARE,
                 ) -> list[RunStatus]:
        ordered = sorted(self.marks.values(), key=ClockMark.order)
        return [status for run in self.runs()
                if (status := evaluate_run([m for m in ordered if m.applies_to(run)], run,
                                           calendar, now, at_risk)) is not None]


def evaluate_run(marks: list[ClockMark], run: str, calendar: Calendar, now: datetime,
                 at_risk: float = AT_RISK_SHARE) -> RunStatus | None:
    """The state of one run from its marks in business-time order. The latest start before the
    stop sets the allowance (a new promise replaces the old one); marks before the first start
    (delivered early from another stream) wait for it; a stop ends the run."""
    first = next((i for i, m in enumerate(marks) if m.mark == "start"), None)
    if first is None:
        return None
    start = marks[first]
    began, allowance, person = start.at, start.allowance, start.person
    stopped: datetime | None = None
    pauses: list[tuple[datetime, datetime | None]] = []
    for mark in marks[first + 1:]:
        if mark.mark == "start":
            allowance, person = mark.allowance or allowance, mark.person or person
        elif mark.mark == "pause" and not (pauses and pauses[-1][1] is None):
            pauses.append((mark.at, None))
        elif mark.mark == "resume" and pauses and pauses[-1][1] is None:
            pauses[-1] = (pauses[-1][0], mark.at)
        elif mark.mark == "stop":
            stopped = mark.at
            break
    if stopped is None and any(m.mark == "stop" for m in marks[:first]):
        stopped = began  # stopped before it started (timed earlier): nothing was due
    assert allowance is not None, "a start mark carries its allowance"
    end = stopped if stopped is not None else now
    paused = _paused_hours(calendar, pauses, end)
    used = max(0.0, calendar.working_hours_between(began, max(end, began)) - paused)
    due, risk = deadlines(calendar, allowance, began, pauses, at_risk)
    state = _state(now, stopped, due, risk,
                   paused_now=bool(pauses) and pauses[-1][1] is None and stopped is None)
    return RunStatus(run=run, state=state, started=began, due=due, at_risk_at=risk,
                     stopped=stopped, paused_hours=round(paused, 4), used_hours=round(used, 4),
                     allowance=allowance, person=person)


def deadlines(calendar: Calendar, allowance: Allowance, began: datetime,
              pauses: list[tuple[datetime, datetime | None]], at_risk: float = AT_RISK_SHARE,
              ) -> tuple[datetime | None, datetime | None]:
    """(due, at risk from) of a run; for working-time allowances the pauses push both out, and
    while paused with time left neither is known."""
    if allowance.kind == "working":
        due = _after_working(calendar, began, pauses, allowance.hours)
        risk = _after_working(calendar, began, pauses, allowance.hours * at_risk)
        return due, risk
    if allowance.kind == "until":
        assert allowance.at is not None
        due = calendar.subtract_working_hours(allowance.at, allowance.hours) \
            if allowance.hours else allowance.at
    else:
        assert allowance.day is not None
        due = calendar.end_of_working_day(allowance.day)
    if due <= began:
        return due, due
    span = calendar.working_hours_between(began, due)
    risk = calendar.add_working_hours(began, span * at_risk) if span else due
    return due, min(risk, due)


def _after_working(calendar: Calendar, began: datetime,
                   pauses: list[tuple[datetime, datetime | None]], hours: float,
                   ) -> datetime | None:
    """When ``hours`` of working time have run since ``began``, the pauses not counting; None
    while a pause with time left has no end yet."""
    remaining, cursor = hours, began
    for paused_at, resumed_at in pauses:
        if paused_at <= cursor:
            cursor = max(cursor, resumed_at) if resumed_at is not None else cursor
            if resumed_at is None:
                return None
            continue
        run = calendar.working_hours_between(cursor, paused_at)
        if run >= remaining:
            return calendar.add_working_hours(cursor, remaining)
        remaining -= run
        if resumed_at is None:
            return None
        cursor = max(resumed_at, paused_at)
    return calendar.add_working_hours(cursor, remaining)


def _paused_hours(calendar: Calendar, pauses: list[tuple[datetime, datetime | None]],
                  end: datetime) -> float:
    total = 0.0
    for paused_at, resumed_at in pauses:
        stop = min(resumed_at or end, end)
        if stop > paused_at:
            total += calendar.working_hours_between(paused_at, stop)
    return total


def _state(now: datetime, stopped: datetime | None, due: datetime | None,
           risk: datetime | None, paused_now: bool) -> ClockState:
    """A due time is unknown only while paused with time left: then it is not late."""
    if stopped is not None:
        late = due is not None and stopped > due
        return ClockState.BREACHED_THEN_MET if late else ClockState.MET
    if due is not None and now >= due:
        return ClockState.BREACHED
    if risk is not None and now >= risk:
        return ClockState.AT_RISK
    return ClockState.PAUSED if paused_now else ClockState.RUNNING


def runs_of(records: Iterable[tuple[str, str, ClockRecord]], calendar: Calendar,
            now: datetime) -> Iterator[tuple[str, str, RunStatus]]:
    """(clock, record, status) of every run of the given clock records."""
    for clock, record, marks in records:
        for status in marks.evaluate(calendar, now):
            yield clock, record, status
