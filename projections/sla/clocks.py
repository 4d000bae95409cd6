"""Every service-level clock of DOMAIN.md, declared: which events start, stop, pause and resume
it, for which record and run, its allowance, and who is responsible.

A new clock is a ``ClockSpec`` in ``CLOCKS``: the SLA service marks it from the events named
here, the read model folds it, the alerts follow. (SLA-DAILY-REPORT is not per record: the
SLA service's report clock, ``services.sla.reports``.)
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from events import production as prod
from events import sales
from events.envelope import Department, DieDifficulty, DomainEvent, Role
from events.sla import Allowance, Mark
from projections.sla.engine import AT_RISK_SHARE, ClockMark

# R-S3: working hours to make a sample, by die difficulty.
SAMPLE_HOURS: dict[DieDifficulty, float] = {
    DieDifficulty.SIMPLE: 12.0, DieDifficulty.NORMAL: 24.0, DieDifficulty.COMPLEX: 48.0}
NOTICE_HOURS = 4.0  # R-S7: a delay is told at least 4 working hours before the promise
TRIAL_DAYS = 3  # R-S6: the trial is followed up 3 calendar days after receipt

Run = Callable[[Any], str | None]  # the run an event marks; None: this event marks nothing


@dataclass(frozen=True)
class MarkRule:
    """``event`` marks ``mark`` on the run ``run(event)`` of the record ``record(event)``."""

    event: type[DomainEvent]
    mark: Mark
    run: Run
    record: Callable[[Any], str | None] = lambda e: e.record_no
    every: bool = False  # the mark applies to every run whose name starts with run(event)
    allowance: Callable[[Any, Mapping[str, float]], Allowance] | None = None


@dataclass(frozen=True)
class ClockSpec:
    id: str
    rules: tuple[str, ...]
    title_en: str
    title_zh: str
    department: Department
    role: Role
    marks: tuple[MarkRule, ...]
    at_risk: float = AT_RISK_SHARE
    person: Callable[[DomainEvent], str | None] = field(
        default=lambda e: None if e.actor.role == Role.SYSTEM else e.actor.user)

    def marks_of(self, event: DomainEvent, hours: Mapping[str, float],
                 ) -> list[tuple[str, ClockMark]]:
        """(record, mark) for each rule of this clock that ``event`` triggers."""
        found = []
        for rule in self.marks:
            if type(event) is not rule.event:
                continue
            run, record = rule.run(event), rule.record(event)
            if run is None or record is None:
                continue
            allowance = rule.allowance(event, hours) if rule.allowance else None
            found.append((record, ClockMark(
                mark=rule.mark, run=run, at=event.timestamp, source_event_id=str(event.event_id),
                source_type=type(event).__name__, every=rule.every, allowance=allowance,
                person=self.person(event) if rule.mark == "start" else None)))
        return found


def working(hours: float, name: str = "") -> Callable[[Any, Mapping[str, float]], Allowance]:
    """A fixed allowance of working hours; ``name`` lets configuration change it."""
    return lambda event, conf: Allowance(kind="working", hours=conf.get(name, hours))


def _epoch(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def _order_only(event: prod.PromiseEvent) -> bool:
    return event.promises == "order"


def _promise_run(event: prod.DeliveryPromised) -> str:
    return f"{event.round}.{_epoch(event.promised_at)}"


def _fully_shipped(event: sales.OrderShipped) -> str | None:
    return "1." if event.shipped_total >= event.ordered_total else None


def _shipped_run(event: sales.OrderShipped) -> str | None:
    return "1" if event.shipped_total >= event.ordered_total else None


SAMPLE_MAKE = ClockSpec(
    id="SLA-SAMPLE-MAKE", rules=("R-S3",), title_en="Sample made", title_zh="打样完成",
    department=Department.PRODUCTION, role=Role.PRODUCTION_SUPERVISOR,
    marks=(
        MarkRule(prod.SampleDocumentsReceived, "start", lambda e: str(e.round),
                 allowance=lambda e, conf: Allowance(
                     kind="working", hours=conf.get(f"SLA-SAMPLE-MAKE.{e.die_difficulty.value}",
                                                    SAMPLE_HOURS[e.die_difficulty]))),
        MarkRule(prod.SampleWorkPaused, "pause", lambda e: str(e.round)),
        MarkRule(prod.SampleWorkResumed, "resume", lambda e: str(e.round)),
        MarkRule(prod.SampleCompleted, "stop", lambda e: str(e.round)),
    ))

PMC_REPLY = ClockSpec(
    id="SLA-PMC-REPLY", rules=("R-O2",), title_en="PMC delivery reply", title_zh="PMC回复交期",
    department=Department.PRODUCTION, role=Role.PMC_PLANNER,
    marks=(
        MarkRule(prod.InternalOrderReceived, "start", lambda e: "1",
                 allowance=working(2.0, "SLA-PMC-REPLY")),
        MarkRule(prod.DeliveryPromised, "stop", lambda e: "1" if _order_only(e) else None),
    ))

CUSTOMER_DATE = ClockSpec(
    id="SLA-CUSTOMER-DATE", rules=("R-O2",), title_en="Delivery date told to the customer",
    title_zh="交期回复客户", department=Department.SALES, role=Role.SALES_ASSISTANT,
    marks=(
        MarkRule(prod.DeliveryPromised, "start",
                 lambda e: _epoch(e.promised_at) if _order_only(e) else None,
                 allowance=working(4.0, "SLA-CUSTOMER-DATE")),
        # Whatever date the customer was told answers every promise made before it.
        MarkRule(sales.DeliveryDateNotified, "stop", lambda e: "", every=True),
    ))

DELAY_NOTICE = ClockSpec(
    id="SLA-DELAY-NOTICE", rules=("R-S7",), title_en="Delay notice 4 h ahead",
    title_zh="提前4小时异常通知", department=Department.PRODUCTION, role=Role.PMC_PLANNER,
    marks=(
        MarkRule(prod.DeliveryPromised, "start", _promise_run,
                 allowance=lambda e, conf: Allowance(
                     kind="until", at=e.promised_at,
                     hours=conf.get("SLA-DELAY-NOTICE", NOTICE_HOURS))),
        MarkRule(prod.DelayNotified, "stop",
                 lambda e: f"{e.round}.{_epoch(e.previous_promised_at)}"),
        MarkRule(prod.DelayNotified, "start", lambda e: f"{e.round}.{_epoch(e.new_promised_at)}",
                 allowance=lambda e, conf: Allowance(
                     kind="until", at=e.new_promised_at,
                     hours=conf.get("SLA-DELAY-NOTICE", NOTICE_HOURS))),
        # Done by then, nothing needs telling: completion stops the notice clock of every promise.
        MarkRule(prod.SampleCompleted, "stop", lambda e: f"{e.round}.", every=True),
        MarkRule(sales.OrderShipped, "stop", _fully_shipped, every=True),
    ))

DELIVERY = ClockSpec(
    id="SLA-DELIVERY", rules=("R-S7", "R-O4"), title_en="Delivered by the promised time",
    title_zh="按承诺交期完成", department=Department.PRODUCTION, role=Role.PMC_PLANNER,
    marks=(
        MarkRule(prod.DeliveryPromised, "start", lambda e: str(e.round),
                 allowance=lambda e, conf: Allowance(kind="until", at=e.promised_at)),
        MarkRule(prod.DelayNotified, "start", lambda e: str(e.round),
                 allowance=lambda e, conf: Allowance(kind="until", at=e.new_promised_at)),
        MarkRule(prod.SampleCompleted, "stop", lambda e: str(e.round)),
        MarkRule(sales.OrderShipped, "stop", _shipped_run),
    ))

TRIAL_FOLLOWUP = ClockSpec(
    id="SLA-TRIAL-FOLLOWUP", rules=("R-S6",), title_en="Trial followed up",
    title_zh="试用跟进", department=Department.SALES, role=Role.SALESPERSON,
    marks=(
        MarkRule(sales.SampleReceiptConfirmed, "start", lambda e: str(e.round),
                 allowance=lambda e, conf: Allowance(
                     kind="day_end",
                     day=e.received_on + timedelta(days=int(conf.get("SLA-TRIAL-FOLLOWUP",
                                                                     TRIAL_DAYS))))),
        MarkRule(sales.TrialRecorded, "stop", lambda e: str(e.round)),
    ))

COMPLAINT_INTAKE = ClockSpec(
    id="SLA-COMPLAINT-INTAKE", rules=("R-C2",), title_en="Complaint registered",
    title_zh="投诉登记", department=Department.SALES, role=Role.TECHNICAL_SUPPORT,
    marks=(
        MarkRule(sales.ComplaintReceived, "start", lambda e: "1",
                 allowance=working(2.0, "SLA-COMPLAINT-INTAKE")),
        MarkRule(sales.ComplaintRegistered, "stop", lambda e: "1"),
    ),
    person=lambda e: None)

CLOCKS: tuple[ClockSpec, ...] = (
    SAMPLE_MAKE, PMC_REPLY, CUSTOMER_DATE, DELAY_NOTICE, DELIVERY, TRIAL_FOLLOWUP,
    COMPLAINT_INTAKE)
BY_ID: dict[str, ClockSpec] = {spec.id: spec for spec in CLOCKS}
# The event classes any clock reads, for the consumers' subject filters.
MARKING_EVENTS: tuple[type[DomainEvent], ...] = tuple(dict.fromkeys(
    rule.event for spec in CLOCKS for rule in spec.marks))


def marks_of(event: DomainEvent, hours: Mapping[str, float] | None = None,
             ) -> list[tuple[ClockSpec, str, ClockMark]]:
    """Every (clock, record, mark) ``event`` makes. ``hours`` overrides allowances by clock id
    (``SLA-COMPLAINT-INTAKE``: 2) or clock id and die difficulty (``SLA-SAMPLE-MAKE.complex``)."""
    conf = hours or {}
    return [(spec, record, mark) for spec in CLOCKS for record, mark in spec.marks_of(event, conf)]
