"""Sales takes in a complaint production, quality or engineering received first (R-C4), and
records the analysis of the department a complaint was escalated to (R-C2): once per cause
event, also after the record moved on; a complaint sales does not know is not found (the
consumer dead-letters the event)."""
from __future__ import annotations

from collections.abc import Callable

import pytest
from eventsourcing.persistence import Tracking

from contracts.commands import complaints as cmd
from events import engineering, production, quality
from events import sales
from events.envelope import Department, DomainEvent, Role
from services.domain import NotFound, RuleBroken
from services.sales.wiring import SPEC as SALES
from tests.unit.company import Company
from tests.unit.complaint_steps import ANALYSED, REDIRECTED, analysed, complaint_command, redirected
from tests.unit.test_reactions_idempotent import twice

# The guard test of test_reactions_idempotent.py counts these reactions as covered here.
REACTIONS_COVERED: dict[str, set[type[DomainEvent] | str]] = {
    "sales": {production.ProductionComplaintRedirected, quality.QualityComplaintRedirected,
              engineering.EngineeringComplaintRedirected, production.ProductionComplaintAnalysed,
              quality.QualityComplaintAnalysed, engineering.EngineeringComplaintAnalysed},
}
DEPARTMENTS = [Department.PRODUCTION, Department.QUALITY, Department.ENGINEERING]


def reaction(company: Company, cause: DomainEvent) -> Callable[..., None]:
    """The sales reaction wired for ``cause``'s type, bound to this company's sales."""
    found: Callable[..., None] = getattr(company.sales, SALES.reactions[type(cause)].__name__)
    return found


def handle(company: Company, responsible: Department, *, taken_in: bool = True) -> None:
    """Sales takes K-1 in (unless a desk's redirect did), registers it, judges it complex for
    ``responsible``, fills in and signs the form, and escalates it."""
    if taken_in:
        complaint_command(company.sales, cmd.ReceiveComplaint, Role.SALES_ASSISTANT,
                          complaint_no="K-1", channel="phone", customer="ACME",
                          summary="burrs", salesperson=None)
    complaint_command(company.sales, cmd.RegisterComplaint, complaint_no="K-1", customer="ACME",
                      salesperson="bob", product_model="G-7", problem="burr", category="burr")
    complaint_command(company.sales, cmd.JudgeComplaintSeverity, complaint_no="K-1",
                      severity="complex", responsible=responsible.value)
    complaint_command(company.sales, cmd.FillComplaintForm, complaint_no="K-1", form_no="F-1",
                      handling="8D")
    complaint_command(company.sales, cmd.SignComplaintForm, Role.CS_SUPERVISOR,
                      complaint_no="K-1")
    complaint_command(company.sales, cmd.EscalateComplaint, complaint_no="K-1")


def answer_and_close(company: Company) -> None:
    """The record moves on: replied, followed up satisfied, verified, closed."""
    complaint_command(company.sales, cmd.ReplyToComplaint, complaint_no="K-1", reply="new die")
    complaint_command(company.sales, cmd.RecordComplaintFollowUp, complaint_no="K-1",
                      satisfied=True, note="fine")
    complaint_command(company.sales, cmd.VerifySatisfaction, Role.CS_SUPERVISOR,
                      complaint_no="K-1")
    complaint_command(company.sales, cmd.CloseComplaint, Role.CS_SUPERVISOR, complaint_no="K-1")


def test_the_redirects_and_analyses_of_every_desk_are_wired() -> None:
    """rule: R-C4, R-C2 — the three departments' complaint desks reach sales."""
    assert {*REDIRECTED.values(), *ANALYSED.values()} <= set(SALES.reactions)
    assert REACTIONS_COVERED["sales"] == {*REDIRECTED.values(), *ANALYSED.values()}


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_sales_takes_in_each_redirected_complaint_once(department: Department) -> None:
    """rule: R-C4 — a complaint that reached another department enters through sales."""
    company = Company()
    cause = redirected(department)
    twice(company, reaction(company, cause), cause,
          lambda: handle(company, Department.QUALITY, taken_in=False))
    [received] = company.of_type(company.sales, sales.ComplaintReceived)
    assert (received.redirected_from, received.source_event_id) == (department, cause.event_id)
    assert (received.channel, received.customer, received.summary) == (
        "fax", "ACME", "burrs on the edge")
    assert company.sales.complaint("K-1").status == "escalated"


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_a_redirect_of_a_complaint_sales_already_took_in_changes_nothing(
        department: Department) -> None:
    """rule: R-C4 — one complaint number, one intake."""
    company = Company()
    handle(company, Department.QUALITY)
    cause = redirected(department)
    assert company.deliver(reaction(company, cause), cause) == []
    assert len(company.of_type(company.sales, sales.ComplaintReceived)) == 1


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_sales_records_the_measures_of_the_department_escalated_to_once(
        department: Department) -> None:
    """rule: R-C2 — the responsible department's cause analysis and measures come back."""
    company = Company()
    handle(company, department)
    cause = analysed(department)
    twice(company, reaction(company, cause), cause, lambda: answer_and_close(company))
    [measures] = company.of_type(company.sales, sales.ComplaintMeasuresRecorded)
    assert (measures.responsible, measures.cause, measures.source_event_id) == (
        department, "worn die", cause.event_id)
    [delivered] = [d for d in company.of_type(company.sales, sales.ComplaintEntryDelivered)
                   if d.entry_event_id == measures.event_id]
    assert delivered.to == "bob"  # R-C5: the reaction's entry is delivered too
    assert company.sales.complaint("K-1").status == "closed"


def test_a_second_analysis_after_a_reopen_is_recorded_and_asks_for_a_new_reply() -> None:
    """rule: R-C3 — a dissatisfied customer reopens the handling; R-C2 — new measures."""
    company = Company()
    handle(company, Department.QUALITY)
    company.deliver(company.sales.on_complaint_analysed, analysed())
    complaint_command(company.sales, cmd.ReplyToComplaint, complaint_no="K-1", reply="new die")
    complaint_command(company.sales, cmd.RecordComplaintFollowUp, complaint_no="K-1",
                      satisfied=False, note="burrs again")
    again = analysed(measures="die and supplier changed")
    assert company.deliver(company.sales.on_complaint_analysed, again) != []
    assert company.sales.complaint("K-1").status == "measures_recorded"
    answer_and_close(company)


@pytest.mark.parametrize("department", DEPARTMENTS)
def test_an_analysis_of_a_complaint_sales_does_not_know_is_not_found_and_stores_nothing(
        department: Department) -> None:
    """rule: R-C2 — as for orders, the consumer dead-letters an event it cannot apply."""
    company = Company()
    stray = analysed(department, complaint_no="K-404")
    before = len(company.events(company.sales))
    with pytest.raises(NotFound) as refused:
        company.sales.on_complaint_analysed(stray, Tracking("SALESFLOW_QUALITY", 1))
    assert refused.value.field == "complaint_no" and "K-404" in refused.value.en
    assert len(company.events(company.sales)) == before


def test_an_analysis_of_a_department_the_complaint_was_not_escalated_to_is_refused() -> None:
    """rule: R-C2 — only the responsible department's analysis; the event is dead-lettered."""
    company = Company()
    handle(company, Department.QUALITY)
    before = len(company.events(company.sales))
    with pytest.raises(RuleBroken) as refused:
        company.sales.on_complaint_analysed(analysed(Department.PRODUCTION),
                                            Tracking("SALESFLOW_PRODUCTION", 1))
    assert (refused.value.rule, refused.value.field) == ("R-C2", "responsible")
    assert len(company.events(company.sales)) == before
