"""The SLA application: the company calendar (admin commands), one ``clock`` aggregate per run of
a service-level clock (marked by other departments' events, alerting from JetStream timers),
and the daily 16:00 report clock."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from eventsourcing.persistence import IntegrityError, Tracking

from contracts.calendar import WorkingCalendar
from contracts.timers import TimerDue
from events.envelope import Department, DomainEvent
from events.sla import AT_RISK_TIMER
from projections.sla.clocks import marks_of
from services.domain import Context
from services.runtime.settings import Settings
from services.runtime.store import SYSTEM, DepartmentApplication
from services.sla.account_cases import AccountUseCases
from services.sla.calendar_cases import CalendarUseCases
from services.sla.clock import AlertKind, Clock, clock_id, parse_timer_key
from services.sla.daily_pack import DailyPackCases
from services.sla.pack_delivery import NatsPackMaker
from services.sla.reports import REPORTS_ID, DailyReports

log = logging.getLogger(__name__)


class SlaApplication(CalendarUseCases, AccountUseCases, DailyPackCases, DepartmentApplication):
    """The SLA engine's event store and use cases."""

    name = Department.SLA.value
    # Allowance overrides by clock id (``Settings.sla_hours``).
    sla_hours: dict[str, float]

    # Its own store holds the calendar's records: read them there, not from the stream.
    calendar_from_feed = False

    def __init__(self, env: dict[str, str], clock: Callable[[], datetime] | None = None,
                 calendar: WorkingCalendar | None = None,
                 sla_hours: dict[str, float] | None = None) -> None:
        super().__init__(env, clock=clock, calendar=calendar)
        self.sla_hours = dict(sla_hours or {})
        if calendar is None:  # an injected calendar (unit tests) stays; else the company's
            self.calendar_source = self.company_calendar

    def configure(self, settings: Settings) -> None:
        """The service's settings: allowance overrides, and a clock ahead of the wall clock
        (tests and demos: ``SALESFLOW_CLOCK_OFFSET_SECONDS``)."""
        self.sla_hours = settings.sla_hour_overrides()
        if settings.clock_offset_seconds:
            wall, offset = self.clock, timedelta(seconds=settings.clock_offset_seconds)
            self.clock = lambda: wall() + offset
            log.warning("the sla service's clock runs %+.0f s from the wall clock",
                        settings.clock_offset_seconds)

    def attach_pack_maker(self, nc: Any, settings: Settings) -> None:
        """The daily pack's I/O over the service's connection (``services.sla.pack_delivery``)."""
        self.pack_maker = NatsPackMaker(nc, asyncio.get_running_loop(), settings)
        self.pack_sender = settings.smtp_from

    # -- clocks -----------------------------------------------------------------------------
    def on_marking_event(self, event: DomainEvent, tracking: Tracking) -> None:
        """Every clock mark of a department's event, stored with the tracking at once."""
        ctx = self.reaction_context(event)
        touched: dict[tuple[str, str], Clock] = {}
        for spec, record, mark in marks_of(event, self.sla_hours):
            agg = touched.get((spec.id, record))
            if agg is None:
                agg = touched[(spec.id, record)] = self.load_or_new(Clock, clock_id(spec.id, record))
            agg.mark(ctx, spec, record, mark, self.calendar)
        self.store(*touched.values(), tracking=tracking)

    def on_alert_due(self, due: TimerDue, tracking: Tracking) -> None:
        """An at-risk or breach timer fired: the alert, unless the timer is stale."""
        clock, record, run = parse_timer_key(due.key)
        agg = self.load_or_new(Clock, clock_id(clock, record))
        if agg.version:
            ctx = Context(actor=SYSTEM, now=self.clock(), correlation_id=due.correlation_id,
                          causation_id=due.source_event_id)
            kind: AlertKind = "at_risk" if due.name == AT_RISK_TIMER else "breached"
            agg.timer_fired(ctx, kind, run, due.due_at, self.calendar)
        self.store(agg, tracking=tracking)

    # -- the 16:00 reports (R-S5, R-O5, R-C5) -------------------------------------------------
    def on_report_due(self, due: TimerDue, tracking: Tracking) -> None:
        """The 16:00 timer fired: issue what is due (never before the timer's own moment)."""
        reports = self.load_or_new(DailyReports, REPORTS_ID)
        ctx = Context(actor=SYSTEM, now=max(self.clock(), due.due_at),
                      correlation_id=due.correlation_id, causation_id=due.source_event_id)
        reports.catch_up(ctx, self.calendar)
        self.store(reports, tracking=tracking)

    def catch_up_reports(self) -> None:
        self.issue_missed_reports()

    def issue_missed_reports(self, attempts: int = 10) -> int:
        """On becoming active: schedule the first report, issue the missed ones late."""
        for attempt in range(1, attempts + 1):
            reports = self.load_or_new(DailyReports, REPORTS_ID)
            ctx = self.context(SYSTEM, None)
            issued = reports.catch_up(ctx, self.calendar)
            try:
                self.store(reports)
            except IntegrityError:  # the 16:00 timer stored first: read it and look again
                if attempt == attempts:
                    raise
                time.sleep(0.05 * attempt)
                continue
            if issued:
                log.warning("issued %d daily reports late (the service was down at 16:00)",
                            issued)
            return issued
        return 0
