"""A sales complaint record brought to any step through its own commands (R-C1 to R-C7), the
complaint desks' events as production, quality and engineering store them, and sales' complaint
commands given through their use cases."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from contracts.commands.base import Command
from contracts.replies import EventRef
from events import engineering, production, quality
from events.complaint_desk import Analysed, Redirected
from events.envelope import Actor, Department, DomainEvent, Role
from events.sales import complaint as ev
from events.sales.complaint import Severity
from services.domain import Context, DomainError, RuleBroken
from services.sales.complaint import ComplaintRecord, complaint_id
from services.sales.complaint_cases import COMPLAINT_COMMANDS
from services.sales.application import SalesApplication
from tests.unit.builders import T0, ctx

# Escalated complaints pass every step; a minor one skips the escalation and the measures.
STEPS = ("received", "forwarded", "registered", "judged", "form_filled", "form_signed",
         "escalated", "measures_recorded", "replied", "satisfied", "verified", "closed")
ESCALATION = ("escalated", "measures_recorded")
SYSTEM = ctx(Role.SYSTEM, "salesflow")
ANALYSED: dict[Department, type[Analysed]] = {
    Department.PRODUCTION: production.ProductionComplaintAnalysed,
    Department.QUALITY: quality.QualityComplaintAnalysed,
    Department.ENGINEERING: engineering.EngineeringComplaintAnalysed,
}
REDIRECTED: dict[Department, type[Redirected]] = {
    Department.PRODUCTION: production.ProductionComplaintRedirected,
    Department.QUALITY: quality.QualityComplaintRedirected,
    Department.ENGINEERING: engineering.EngineeringComplaintRedirected,
}
DESK_ROLE = {Department.PRODUCTION: Role.PRODUCTION_SUPERVISOR,
             Department.QUALITY: Role.QUALITY_ENGINEER, Department.ENGINEERING: Role.ENGINEER}


def amy() -> Context:
    """The sales assistant who takes the complaint in."""
    return ctx(Role.SALES_ASSISTANT, "amy")


def bob() -> Context:
    """The responsible salesperson."""
    return ctx(Role.SALESPERSON, "bob")


def tina() -> Context:
    """Technical support."""
    return ctx(Role.TECHNICAL_SUPPORT, "tina")


def sue() -> Context:
    """The CS supervisor."""
    return ctx(Role.CS_SUPERVISOR, "sue")


def desk_event(cls: type[DomainEvent], complaint_no: str = "K-1", **facts: Any) -> Any:
    """A complaint desk's event, as its department's service stores it."""
    return cls(originator_id=uuid.uuid4(), originator_version=1, timestamp=T0,  # type: ignore[call-arg]
               event_id=uuid.uuid4(),
               actor=Actor(user="desk", role=DESK_ROLE[cls.department]),
               correlation_id=uuid.uuid4(), complaint_no=complaint_no, **facts)


def analysed(department: Department = Department.QUALITY, complaint_no: str = "K-1",
             measures: str = "new die, 100% inspection") -> Analysed:
    return desk_event(ANALYSED[department], complaint_no, cause="worn die", measures=measures)  # type: ignore[no-any-return]


def redirected(department: Department = Department.PRODUCTION, complaint_no: str = "K-1",
               ) -> Redirected:
    return desk_event(REDIRECTED[department], complaint_no, channel="fax", customer="ACME",  # type: ignore[no-any-return]
                      summary="burrs on the edge", how="forwarded_to_technical_support")


def register(record: ComplaintRecord, salesperson: str = "bob") -> None:
    record.register(tina(), customer="ACME", salesperson=salesperson, product_model="G-7",
                    shipping_date=T0.date(), batch="B-3", problem="burr on the edge",
                    category="burr", order_no="O-1", shipping_note_no="N-1")


def complaint_at(step: str, severity: Severity = Severity.COMPLEX,
                 responsible: Department | None = Department.QUALITY,
                 complaint_no: str = "K-1") -> ComplaintRecord:
    """Up to and including ``step``: taken in by the assistant (no salesperson named), passed to
    technical support, registered for salesperson bob; a minor complaint answered by bob, any
    other escalated to ``responsible``, whose analysis comes back, and answered by tina."""
    record = ComplaintRecord(id=complaint_id(complaint_no))
    minor = severity is Severity.MINOR
    steps: dict[str, Callable[[], object]] = {
        "received": lambda: record.receive(amy(), complaint_no=complaint_no, channel="phone",
                                           customer="ACME", summary="burrs on the edge",
                                           salesperson=None),
        "forwarded": lambda: record.forward(amy(), "tina"),
        "registered": lambda: register(record),
        "judged": lambda: record.judge(tina(), severity, None if minor else responsible),
        "form_filled": lambda: record.fill_form(tina(), "F-1", "8D by quality"),
        "form_signed": lambda: record.sign_form(sue()),
        "escalated": lambda: record.escalate(tina()),
        "measures_recorded": lambda: record.record_measures(
            SYSTEM, analysed(responsible or Department.QUALITY, complaint_no)),
        "replied": lambda: (record.answer_minor(bob(), "replacement sent") if minor
                            else record.reply(tina(), "new die, 100% inspection")),
        "satisfied": lambda: record.follow_up(tina(), True, "no burrs since", None),
        "verified": lambda: record.verify(sue()),
        "closed": lambda: record.close(sue()),
    }
    if minor and step in ESCALATION:
        raise ValueError(f"a minor complaint is never {step}")
    for name in STEPS:
        if minor and name in ESCALATION:
            continue
        steps[name]()
        if name == step:
            return record
    raise ValueError(step)


def deliveries(events: list[DomainEvent]) -> list[ev.ComplaintEntryDelivered]:
    return [e for e in events if isinstance(e, ev.ComplaintEntryDelivered)]


def entries(events: list[DomainEvent]) -> list[DomainEvent]:
    return [e for e in events if not isinstance(e, ev.ComplaintEntryDelivered)]


Step = Callable[[ComplaintRecord], None]


def refused(record: ComplaintRecord, command: Step, error: type[DomainError] = RuleBroken,
            ) -> DomainError:
    """``command`` is refused with ``error`` in both languages and records nothing."""
    record.collect_events()
    version = record.version
    with pytest.raises(error) as raised:
        command(record)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in raised.value.zh), raised.value.zh
    assert record.collect_events() == [] and record.version == version
    return raised.value


PEOPLE = {Role.SALES_ASSISTANT: "amy", Role.SALESPERSON: "bob", Role.TECHNICAL_SUPPORT: "tina",
          Role.CS_SUPERVISOR: "sue"}


def complaint_command(app: SalesApplication, cls: type[Command],
                      role: Role = Role.TECHNICAL_SUPPORT, **fields: Any) -> list[EventRef]:
    """Give the sales complaint command ``cls`` as ``role``, through its use case."""
    command = cls.model_validate({"actor": {"user": PEOPLE.get(role, "someone"), "role": role},
                                  **fields}, context={"now": app.clock()})
    return COMPLAINT_COMMANDS[cls](app, command, app.context(command.actor, None))
