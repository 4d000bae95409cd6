"""One service-level clock for one record (aggregate ``clock``): its marks and its alerts.

The marks come from other departments' events (``projections.sla.clocks.marks_of``); each
recorded ``SlaClockMarked`` carries the run's deadlines, so its timers (JetStream message
schedules, key ``<clock>.<record>.<run>``) fire at the at-risk moment and at the deadline. A
later mark of the same run schedules again under the same key, replacing the earlier timers.

When a timer fires, the alert is decided from the marks alone, evaluated at the timer's own
moment: the run must still have been open then and its deadline must still be that moment (a
pause, a stop or a newer promise makes the timer stale). Each alert of a run is raised once.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from events.sla import SlaAtRisk, SlaBreached, SlaClockMarked, SlaClockRescheduled
from projections.sla.clocks import BY_ID, ClockSpec
from projections.sla.engine import Calendar, ClockMark, ClockRecord, RunStatus
from services.domain import Aggregate, Context, record_id

AlertKind = Literal["at_risk", "breached"]
ALERTS: dict[AlertKind, type[SlaAtRisk | SlaBreached]] = {
    "at_risk": SlaAtRisk, "breached": SlaBreached}


def clock_id(clock: str, record: str) -> uuid.UUID:
    return record_id("clock", f"{clock}:{record}")


def timer_key(clock: str, record: str, run: str) -> str:
    """As ``SlaClockMarked.timers`` makes it."""
    return f"{clock}.{record}.{run}".rstrip(".")


def parse_timer_key(key: str) -> tuple[str, str, str]:
    """(clock, record, run) of a timer key: clock ids and records hold no dots, runs may."""
    clock, record, run = (key.split(".", 2) + ["", ""])[:3]
    return clock, record, run


def moment_of(status: RunStatus, kind: AlertKind) -> datetime | None:
    """When ``status``'s run becomes at risk / breached; None when it does not (stopped by then,
    paused with time left, or at risk only at its deadline: then the breach says it all)."""
    if status.due is None or status.at_risk_at is None:
        return None
    moment = status.due if kind == "breached" else status.at_risk_at
    if kind == "at_risk" and moment >= status.due:
        return None
    if status.stopped is not None and status.stopped <= moment:
        return None
    return moment


def alerts_of(marks: ClockRecord, calendar: Calendar, now: datetime,
              ) -> list[tuple[AlertKind, RunStatus, datetime]]:
    """Every alert the marks call for by ``now`` (the pure rule the live alerts follow)."""
    found = []
    for status in marks.evaluate(calendar, now):
        for kind in ALERTS:
            moment = moment_of(status, kind)
            if moment is not None and moment <= now:
                found.append((kind, status, moment))
    return found


@dataclass
class Clock(Aggregate):
    """Every mark of one clock for one record, and the alerts raised for its runs."""

    clock: str = ""
    record: str = ""
    marks: ClockRecord = field(default_factory=ClockRecord)
    raised: set[tuple[str, str, datetime]] = field(default_factory=set)  # (kind, run, moment)
    # (due, at risk) each open run's timers were last scheduled for
    scheduled: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)

    @property
    def spec(self) -> ClockSpec:
        return BY_ID[self.clock]

    def mark(self, ctx: Context, spec: ClockSpec, record: str, mark: ClockMark,
             calendar: Calendar) -> bool:
        """Add ``mark`` (the same source event marking the same run again changes nothing),
        with the run's new deadlines; a moment already passed is alerted at once, late.
        Returns whether anything was recorded."""
        if (mark.source_event_id, mark.mark, mark.run) in self.marks.marks:
            return False
        trial = ClockRecord(dict(self.marks.marks))
        trial.add(mark)
        status = None if mark.every else self._status(trial, mark.run, calendar, ctx.recorded)
        open_run = status is not None and status.stopped is None
        self.trigger(
            SlaClockMarked, ctx, clock=spec.id, record=record, run=mark.run, mark=mark.mark,
            every=mark.every, at=mark.at, source_event_id=mark.source_event_id,
            source_type=mark.source_type, allowance=mark.allowance, person=mark.person,
            due_at=status.due if open_run and status else None,
            at_risk_at=status.at_risk_at if open_run and status else None)
        for kind, status, moment in alerts_of(self.marks, calendar, ctx.recorded):
            self._raise(ctx, kind, status, moment)
        return True

    def timer_fired(self, ctx: Context, kind: AlertKind, run: str, due_at: datetime,
                    calendar: Calendar) -> bool:
        """A timer of ``run`` fired for ``due_at``: raise the alert if the run, evaluated at
        that moment, was open and is at risk / breached exactly then, and it was not raised
        before. False: a stale timer (nothing recorded)."""
        status = self._status(self.marks, run, calendar, due_at)
        if status is not None and moment_of(status, kind) == due_at:
            return self._raise(ctx, kind, status, due_at)
        return self._follow_calendar(ctx, run, calendar)

    def _follow_calendar(self, ctx: Context, run: str, calendar: Calendar) -> bool:
        """A stale timer: if the run is open and its deadlines are not the ones last scheduled
        (the calendar changed under it), alert what has passed by now and schedule the rest."""
        now = ctx.recorded
        status = self._status(self.marks, run, calendar, now)
        if status is None or status.stopped is not None or status.due is None \
                or status.at_risk_at is None:
            return False
        moments = (status.due, status.at_risk_at)
        if self.scheduled.get(run) == moments:
            return False  # the timers already set are for these moments
        recorded = False
        for kind, passed, moment in alerts_of(self.marks, calendar, now):
            if passed.run == run:
                recorded = self._raise(ctx, kind, passed, moment) or recorded
        if status.due > now:
            self.trigger(SlaClockRescheduled, ctx, clock=self.clock, record=self.record, run=run,
                         due_at=status.due, at_risk_at=status.at_risk_at)
            recorded = True
        return recorded

    def _raise(self, ctx: Context, kind: AlertKind, status: RunStatus, moment: datetime) -> bool:
        if (kind, status.run, moment) in self.raised:
            return False
        assert status.due is not None and status.at_risk_at is not None
        self.trigger(
            ALERTS[kind], ctx, clock=self.clock, record=self.record, run=status.run,
            due_at=status.due, at_risk_at=status.at_risk_at, moment=moment,
            late_seconds=round(max(0.0, (ctx.recorded - moment).total_seconds()), 3),
            responsible_department=self.spec.department.value,
            responsible_person=status.person)
        return True

    @staticmethod
    def _status(marks: ClockRecord, run: str, calendar: Calendar,
                now: datetime) -> RunStatus | None:
        return next((s for s in marks.evaluate(calendar, now) if s.run == run), None)

    # -- folding ----------------------------------------------------------------------------
    def when_SlaClockMarked(self, e: SlaClockMarked) -> None:
        self.clock, self.record = e.clock, e.record
        self.marks.add(ClockMark(mark=e.mark, run=e.run, at=e.at, source_event_id=e.source_event_id,
                                 source_type=e.source_type, every=e.every,
                                 allowance=e.allowance, person=e.person))
        if e.due_at is not None and e.at_risk_at is not None and not e.every:
            self.scheduled[e.run] = (e.due_at, e.at_risk_at)
        elif not e.every:
            self.scheduled.pop(e.run, None)

    def when_SlaClockRescheduled(self, e: SlaClockRescheduled) -> None:
        self.scheduled[e.run] = (e.due_at, e.at_risk_at)

    def when_SlaAtRisk(self, e: SlaAtRisk) -> None:
        self.raised.add(("at_risk", e.run, e.moment))

    def when_SlaBreached(self, e: SlaBreached) -> None:
        self.raised.add(("breached", e.run, e.moment))
