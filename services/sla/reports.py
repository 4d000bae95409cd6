"""The 16:00 report clock (SLA-DAILY-REPORT; R-S5, R-O5, R-C5): one aggregate for the company.

Each working day of the company calendar at 16:00 (company zone) the three summaries are issued:
one ``DailyReportIssued`` per table, as of that 16:00 (the snapshot is the table's as-of reading
at ``as_of``), and the next ``DailyReportScheduled`` (its timer). When the service becomes
active it schedules the first report if none is (no catch-up before the first start) and
issues at once, late, every report whose 16:00 passed while it was down. A day is issued once,
whatever fires twice.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from events.sla import DailyReportIssued, DailyReportScheduled, ReportTable
from services.domain import Aggregate, Context, record_id

REPORT_TIME = time(16)
REPORTS: tuple[tuple[ReportTable, str], ...] = (
    ("samples", "R-S5"), ("orders", "R-O5"), ("complaints", "R-C5"))
_MAX_DAYS = 3 * 366
REPORTS_ID: uuid.UUID = record_id("daily_reports", "company")


class ReportCalendar(Protocol):
    """What the report clock needs of ``contracts.calendar.WorkingCalendar``."""

    @property
    def zone(self) -> str: ...

    def is_working_day(self, d: date) -> bool: ...

    def at(self, d: date, t: time) -> datetime: ...


def next_report(calendar: ReportCalendar, after: datetime, *, inclusive: bool,
                ) -> tuple[date, datetime]:
    """The first working day's 16:00 at (``inclusive``) or after ``after``."""
    day = after.astimezone(ZoneInfo(calendar.zone)).date()
    for offset in range(_MAX_DAYS):
        candidate = day + timedelta(days=offset)
        if not calendar.is_working_day(candidate):
            continue
        moment = calendar.at(candidate, REPORT_TIME)
        if moment > after or (inclusive and moment == after):
            return candidate, moment
    raise ValueError(f"no working day within {_MAX_DAYS} days of {day.isoformat()}")


@dataclass
class DailyReports(Aggregate):
    """The next report falling due, and the days issued."""

    scheduled: tuple[date, datetime] | None = None
    issued: set[date] = field(default_factory=set)

    def catch_up(self, ctx: Context, calendar: ReportCalendar) -> int:
        """Schedule the first report if none is; issue every report due by ``ctx.now`` (late by
        how long after its 16:00) and schedule the next. Returns the reports issued."""
        if self.scheduled is None:
            day, due = next_report(calendar, ctx.now, inclusive=True)
            self.trigger(DailyReportScheduled, ctx, day=day, due_at=due)
        issued = 0
        assert self.scheduled is not None
        while self.scheduled[1] <= ctx.now:
            day, due = self.scheduled
            if day not in self.issued and calendar.is_working_day(day):
                for table, rule in REPORTS:
                    self.trigger(DailyReportIssued, ctx, day=day, due_at=due, table=table,
                                 rule=rule, as_of=due,
                                 late_seconds=round(max(0.0, (ctx.now - due).total_seconds()), 3))
                    issued += 1
            day, due = next_report(calendar, due, inclusive=False)
            self.trigger(DailyReportScheduled, ctx, day=day, due_at=due)
        return issued

    def when_DailyReportScheduled(self, e: DailyReportScheduled) -> None:
        self.scheduled = (e.day, e.due_at)

    def when_DailyReportIssued(self, e: DailyReportIssued) -> None:
        self.issued.add(e.day)
