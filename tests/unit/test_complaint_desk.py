"""The complaint desks of production, quality and engineering: a complaint that reached them
first is redirected into sales (R-C4); a complaint sales escalated to one of them is investigated
there and answered with a cause analysis and corrective measures (R-C2).

Every test runs for each of the three departments, through its real application and use cases.
The guard in ``test_reactions_idempotent.py`` reads ``REACTIONS_COVERED`` here."""
from __future__ import annotations

import uuid
from typing import Any, Literal

import pytest

from contracts.commands.complaint_desk import RecordComplaintAnalysis, RedirectComplaint
from events import engineering as eng
from events import production as prod
from events import quality as qual
from events import sales
from events.complaint_desk import Analysed, DeskEvent, InvestigationOpened
from events.envelope import Actor, Department, DomainEvent, Role
from services.domain import DomainError, Forbidden, RuleBroken, record_id
from services.runtime.store import DepartmentApplication
from tests.unit.company import Company
from tests.unit.test_reactions_idempotent import twice

REACTIONS_COVERED: dict[str, set[type[DomainEvent] | str]] = {
    "production": {sales.ComplaintEscalated},
    "quality": {sales.ComplaintEscalated},
    "engineering": {sales.ComplaintEscalated},
}

ROLES = {"production": (Role.PMC_PLANNER, Role.PRODUCTION_SUPERVISOR),
         "quality": (Role.QC_INSPECTOR, Role.QUALITY_ENGINEER),
         "engineering": (Role.ENGINEER,)}
EVENTS: dict[str, tuple[type[DeskEvent], type[DeskEvent], type[DeskEvent]]] = {
    "production": (prod.ProductionComplaintRedirected, prod.ProductionComplaintInvestigationOpened,
                   prod.ProductionComplaintAnalysed),
    "quality": (qual.QualityComplaintRedirected, qual.QualityComplaintInvestigationOpened,
                qual.QualityComplaintAnalysed),
    "engineering": (eng.EngineeringComplaintRedirected,
                    eng.EngineeringComplaintInvestigationOpened, eng.EngineeringComplaintAnalysed),
}
DEPARTMENTS = tuple(ROLES)
OUTSIDERS = (Role.TECHNICAL_SUPPORT, Role.SALES_ASSISTANT, Role.CS_SUPERVISOR, Role.SYSTEM)


def app(company: Company, department: str) -> Any:
    application: DepartmentApplication = getattr(company, department)
    return application


def other_roles(department: str) -> list[Role]:
    """Sales' roles and the roles of the two other departments."""
    return [*OUTSIDERS, *(r for d, roles in ROLES.items() if d != department for r in roles)]


def redirect(company: Company, department: str, role: Role | None = None,
             complaint_no: str = "K-1") -> list[DomainEvent]:
    """The department's ``redirect_complaint`` use case; the events it stored."""
    return command(company, department, RedirectComplaint, role, complaint_no=complaint_no,
                   channel="fax", customer="ACME 东莞", summary="burrs on the gasket edge",
                   how="forwarded_to_technical_support")


def analyse(company: Company, department: str, role: Role | None = None,
            complaint_no: str = "K-1", cause: str = "worn die") -> list[DomainEvent]:
    return command(company, department, RecordComplaintAnalysis, role, complaint_no=complaint_no,
                   cause=cause, measures="new die; 100% inspection of the next three lots")


def command(company: Company, department: str, cls: type[Any], role: Role | None,
            **fields: Any) -> list[DomainEvent]:
    application = app(company, department)
    role = role or ROLES[department][0]
    c = cls.model_validate({"actor": {"user": "someone", "role": role}, **fields},
                           context={"now": company.now})
    before = len(company.events(application))
    getattr(application, cls.name)(c, application.context(c.actor, None))
    return company.events(application)[before:]


def escalated(company: Company, responsible: str, complaint_no: str = "K-1",
              purpose: Literal["data", "handling"] = "handling") -> sales.ComplaintEscalated:
    """What sales' ``escalate_complaint`` stores (sales' complaint record is not needed here)."""
    return sales.ComplaintEscalated(
        originator_id=record_id("complaint", complaint_no), originator_version=8,
        timestamp=company.now, event_id=uuid.uuid4(),
        actor=Actor(user="tina", role=Role.TECHNICAL_SUPPORT), correlation_id=uuid.uuid4(),
        complaint_no=complaint_no, responsible=Department(responsible), purpose=purpose,
        form_no="F-1", customer="ACME 东莞", product_model="G-200", problem="burrs",
        batch="B-7", order_no="O-1")


def escalate(company: Company, department: str, complaint_no: str = "K-1") -> list[DomainEvent]:
    reaction = app(company, department).on_complaint_escalated
    return company.deliver(reaction, escalated(company, department, complaint_no))


def refused(error: DomainError, kind: type[DomainError], rule: str) -> None:
    assert isinstance(error, kind) and error.rule == rule, error
    assert error.en and any("\u4e00" <= ch <= "\u9fff" for ch in error.zh)


# -- R-C4: redirect ---------------------------------------------------------------------------
@pytest.mark.parametrize("department, role",
                         [(d, r) for d, roles in ROLES.items() for r in roles])
def test_a_complaint_that_reached_the_department_first_is_redirected_into_sales(
        department: str, role: Role) -> None:
    """rule: R-C4 — recorded in the receiving department's service, for sales to take in."""
    company = Company()
    [event] = redirect(company, department, role)
    assert type(event) is EVENTS[department][0]
    assert event.department == Department(department)
    assert event.model_dump(include={"complaint_no", "channel", "customer", "summary", "how"}) == {
        "complaint_no": "K-1", "channel": "fax", "customer": "ACME 东莞",
        "summary": "burrs on the gasket edge", "how": "forwarded_to_technical_support"}
    assert event.actor.role == role


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_only_the_departments_own_roles_may_redirect_a_complaint(department: str) -> None:
    """rule: R-C4 — sales takes complaints in itself; another department redirects its own."""
    company = Company()
    for role in other_roles(department):
        with pytest.raises(Forbidden) as error:
            redirect(company, department, role)
        refused(error.value, Forbidden, "R-C4")
    assert company.events(app(company, department)) == []


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_a_complaint_is_redirected_by_a_department_once(department: str) -> None:
    """rule: R-C4 — a second redirect of the same number would be a second intake."""
    company = Company()
    redirect(company, department)
    with pytest.raises(RuleBroken) as error:
        redirect(company, department, ROLES[department][-1])
    refused(error.value, RuleBroken, "R-C4")
    assert error.value.field == "complaint_no"
    assert len(company.events(app(company, department))) == 1
    assert len(redirect(company, department, complaint_no="K-2")) == 1  # another number


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_a_complaint_escalated_to_the_department_is_not_redirected(department: str) -> None:
    """rule: R-C4 — sales already handles it: it escalated it here."""
    company = Company()
    escalate(company, department)
    with pytest.raises(RuleBroken) as error:
        redirect(company, department)
    refused(error.value, RuleBroken, "R-C4")


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_each_department_redirects_in_its_own_store(department: str) -> None:
    """rule: R-C4 — the same number redirected by another department is that one's record."""
    company = Company()
    for other in DEPARTMENTS:
        if other != department:
            redirect(company, other)
    assert len(redirect(company, department)) == 1


# -- R-C2: investigation of an escalated complaint --------------------------------------------
@pytest.mark.parametrize("department", DEPARTMENTS)
def test_an_escalation_to_the_department_opens_an_investigation(department: str) -> None:
    """rule: R-C2 — the form goes to the responsible department with the registration facts."""
    company = Company()
    cause = escalated(company, department, purpose="data")
    [opened] = company.deliver(app(company, department).on_complaint_escalated, cause)
    assert type(opened) is EVENTS[department][1] and isinstance(opened, InvestigationOpened)
    assert opened.model_dump(exclude={"originator_id", "originator_version", "timestamp",
                                      "event_id", "actor", "correlation_id", "causation_id",
                                      "source_event_id", "recorded_at"}) == cause.model_dump(
        include={"complaint_no", "purpose", "form_no", "customer", "product_model", "problem",
                 "batch", "order_no"})
    assert opened.source_event_id == cause.event_id == opened.causation_id
    assert opened.correlation_id == cause.correlation_id
    assert opened.actor.role == Role.SYSTEM


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_an_escalation_to_another_department_opens_nothing_here(department: str) -> None:
    """rule: R-C2 — only the responsible department investigates; the tracking moves on
    (``Company.deliver`` checks it)."""
    company = Company()
    application = app(company, department)
    for other in DEPARTMENTS:
        if other != department:
            assert company.deliver(application.on_complaint_escalated,
                                   escalated(company, other)) == []
    with pytest.raises(RuleBroken) as error:
        analyse(company, department)
    refused(error.value, RuleBroken, "R-C2")


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_no_analysis_before_the_complaint_is_escalated_to_the_department(department: str) -> None:
    """rule: R-C2 — there is no investigation to answer, also after a redirect."""
    company = Company()
    for setup in (lambda: None, lambda: redirect(company, department)):
        setup()
        with pytest.raises(RuleBroken) as error:
            analyse(company, department)
        refused(error.value, RuleBroken, "R-C2")
        assert error.value.field == "complaint_no"
    assert len(company.events(app(company, department))) == 1  # the redirect only


@pytest.mark.parametrize("department, role",
                         [(d, r) for d, roles in ROLES.items() for r in roles])
def test_the_department_records_its_analysis_of_an_open_investigation(
        department: str, role: Role) -> None:
    """rule: R-C2 — cause analysis and corrective measures, in the department's own service."""
    company = Company()
    escalate(company, department)
    [analysed] = analyse(company, department, role)
    assert type(analysed) is EVENTS[department][2] and isinstance(analysed, Analysed)
    assert (analysed.complaint_no, analysed.cause, analysed.measures) == (
        "K-1", "worn die", "new die; 100% inspection of the next three lots")
    assert analysed.actor.role == role


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_only_the_departments_own_roles_may_record_the_analysis(department: str) -> None:
    """rule: R-C2"""
    company = Company()
    escalate(company, department)
    for role in other_roles(department):
        with pytest.raises(Forbidden) as error:
            analyse(company, department, role)
        refused(error.value, Forbidden, "R-C2")
    assert len(analyse(company, department)) == 1


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_an_investigation_is_answered_once_until_sales_escalates_it_again(department: str) -> None:
    """rule: R-C2 — after a reopen (R-C3) sales escalates again, and a new analysis is due."""
    company = Company()
    escalate(company, department)
    analyse(company, department)
    with pytest.raises(RuleBroken) as error:
        analyse(company, department, cause="still a worn die")
    refused(error.value, RuleBroken, "R-C2")
    [reopened] = escalate(company, department)
    assert type(reopened) is EVENTS[department][1]
    [again] = analyse(company, department, cause="die steel too soft")
    assert isinstance(again, Analysed) and again.cause == "die steel too soft"
    with pytest.raises(RuleBroken):
        analyse(company, department)


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_complaints_are_investigated_apart(department: str) -> None:
    """rule: R-C2 — one complaint's investigation does not open another's."""
    company = Company()
    escalate(company, department, "K-1")
    with pytest.raises(RuleBroken):
        analyse(company, department, complaint_no="K-2")
    assert len(analyse(company, department, complaint_no="K-1")) == 1


# -- idempotency of the reaction ---------------------------------------------------------------
@pytest.mark.parametrize("department", DEPARTMENTS)
def test_each_escalation_opens_one_investigation(department: str) -> None:
    """rule: R-C2 — a repeated escalation, also after the analysis, opens nothing again."""
    company = Company()
    application = app(company, department)
    cause = escalated(company, department)
    twice(company, application.on_complaint_escalated, cause, lambda: analyse(company, department))
    assert len(company.of_type(application, EVENTS[department][1])) == 1
    with pytest.raises(RuleBroken):  # the repeat did not open the answered investigation again
        analyse(company, department)


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_an_escalation_to_another_department_stays_without_effect_when_repeated(
        department: str) -> None:
    """rule: R-C2"""
    company = Company()
    application = app(company, department)
    other = next(d for d in DEPARTMENTS if d != department)
    cause = escalated(company, other)
    for _ in range(2):
        assert company.deliver(application.on_complaint_escalated, cause) == []
