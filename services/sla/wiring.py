"""The SLA service's routing tables."""
from __future__ import annotations

from events.envelope import Department
from events.sla import (
    AT_RISK_TIMER,
    BREACH_TIMER,
    DAILY_REPORT_TIMER,
    DailyReportIssued,
)
from projections.sla.clocks import MARKING_EVENTS
from services.runtime.spec import ServiceSpec
from services.sla.account_cases import ACCOUNT_COMMANDS
from services.sla.application import SlaApplication as App
from services.sla.calendar_cases import CALENDAR_COMMANDS

SPEC = ServiceSpec(
    department=Department.SLA,
    application=App,
    commands={**CALENDAR_COMMANDS, **ACCOUNT_COMMANDS},
    reactions={**{event_cls: App.on_marking_event for event_cls in MARKING_EVENTS},
               DailyReportIssued: App.on_report_issued},
    timers={
        AT_RISK_TIMER: App.on_alert_due,
        BREACH_TIMER: App.on_alert_due,
        DAILY_REPORT_TIMER: App.on_report_due,
    },
    configure=App.configure,
    attach=App.attach_pack_maker,
    on_active=App.catch_up_reports,
    clock_offset=True,
)
