"""The sales complaint record: intake by anyone in sales (R-C1), registration and handling by
technical support only, the signed form, a minor complaint answered by sales, the others
escalated (R-C2); who may take each step, and in which order."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from events.envelope import Department, Role
from events.sales import complaint as ev
from events.sales.complaint import Severity
from services.domain import Context, Forbidden
from services.sales.complaint import ComplaintRecord, complaint_id
from services.sales.complaint_rules import SALES
from tests.unit.builders import ctx
from tests.unit.complaint_steps import (
    SYSTEM,
    amy,
    analysed,
    bob,
    complaint_at,
    entries,
    refused,
    register,
    sue,
    tina,
)

MINOR = Severity.MINOR

# -- who may give each command ----------------------------------------------------------------
# command -> (the step the record is at, the command as ``who`` gives it, its rule, who may)
Give = Callable[[ComplaintRecord, Context], None]
TS, CS, FRONT = (Role.TECHNICAL_SUPPORT,), (Role.CS_SUPERVISOR,), (Role.SALESPERSON,
                                                                     Role.SALES_ASSISTANT)
COMMANDS: dict[str, tuple[str, Severity, Give, str, tuple[Role, ...]]] = {
    "receive": ("", Severity.COMPLEX, lambda r, who: r.receive(
        who, complaint_no="K-1", channel="email", customer="ACME", summary="burrs",
        salesperson=None), "R-C1", SALES),
    "forward": ("received", Severity.COMPLEX, lambda r, who: r.forward(who, "tina"), "R-C2",
                FRONT),
    "register": ("forwarded", Severity.COMPLEX, lambda r, who: r.register(
        who, customer="ACME", salesperson="bob", product_model="G-7", shipping_date=None,
        batch=None, problem="burr", category="burr", order_no=None, shipping_note_no=None),
        "R-C1", TS),
    "attach_file": ("registered", Severity.COMPLEX, lambda r, who: r.attach_file(
        who, filename="burr.jpg", media_type="image/jpeg", sha256="a" * 64, size=9), "R-C1", TS),
    "contact_customer": ("registered", Severity.COMPLEX,
                         lambda r, who: r.contact_customer(who, "called Mr. Chen"), "R-C1", TS),
    "judge": ("registered", Severity.COMPLEX,
              lambda r, who: r.judge(who, Severity.MINOR, None), "R-C1", TS),
    "fill_form": ("judged", Severity.COMPLEX, lambda r, who: r.fill_form(who, "F-1", "8D"),
                  "R-C1", TS),
    "sign_form": ("form_filled", Severity.COMPLEX, lambda r, who: r.sign_form(who), "R-C2", CS),
    "answer_minor": ("form_signed", MINOR, lambda r, who: r.answer_minor(who, "sorry"), "R-C2",
                     FRONT),
    "escalate": ("form_signed", Severity.COMPLEX, lambda r, who: r.escalate(who), "R-C1", TS),
    "reply": ("measures_recorded", Severity.COMPLEX, lambda r, who: r.reply(who, "new die"),
              "R-C1", TS),
    "follow_up": ("replied", Severity.COMPLEX,
                  lambda r, who: r.follow_up(who, True, "fine", None), "R-C3", TS),
    "verify": ("satisfied", Severity.COMPLEX, lambda r, who: r.verify(who), "R-C3", CS),
    "close": ("verified", Severity.COMPLEX, lambda r, who: r.close(who), "R-C3", CS),
    "schedule_visit": ("escalated", Severity.COMPLEX, lambda r, who: r.schedule_visit(
        who, visit_on=ctx(Role.SYSTEM).now.date(), technical_support="tina", salesperson="bob",
        quality="qiu"), "R-C7", TS),
    "record_visit": ("escalated", Severity.COMPLEX, lambda r, who: r.record_visit(who, "worn"),
                     "R-C7", TS),
    "archive_form": ("form_signed", Severity.COMPLEX, lambda r, who: r.archive_form(who), "R-C7",
                     TS),
}


def at(step: str, severity: Severity) -> ComplaintRecord:
    if not step:
        return ComplaintRecord(id=complaint_id("K-1"))
    record = complaint_at(step, severity)
    if step == "escalated":  # a visit to record
        record.schedule_visit(tina(), visit_on=ctx(Role.SYSTEM).now.date(),
                              technical_support="tina", salesperson="bob", quality="qiu")
    return record


@pytest.mark.parametrize("name, role", [(name, role) for name, (*_, allowed) in COMMANDS.items()
                                        for role in Role if role not in allowed])
def test_each_command_is_refused_to_every_other_role_with_its_rule(name: str, role: Role) -> None:
    """rule: R-C1 — only technical support handles a complaint; R-C2 — the assistant or
    salesperson forwards, the CS supervisor signs, sales answers a minor one; R-C3 — the CS
    supervisor verifies and closes; R-C7 — technical support visits and archives."""
    step, severity, give, rule, _ = COMMANDS[name]
    error = refused(at(step, severity), lambda r: give(r, ctx(role, "mallory")), Forbidden)
    assert error.rule == rule and "mallory" in error.en and "mallory" in error.zh


@pytest.mark.parametrize("name, role", [(name, role) for name, (*_, allowed) in COMMANDS.items()
                                        for role in allowed])
def test_each_command_is_accepted_from_its_roles(name: str, role: Role) -> None:
    """rule: R-C1 / R-C2 / R-C3 / R-C7 — the same commands, given by the roles that may."""
    step, severity, give, _, _ = COMMANDS[name]
    record = at(step, severity)
    record.collect_events()
    give(record, ctx(role, "kim"))
    assert entries(record.collect_events())


# -- R-C1: intake -----------------------------------------------------------------------------
@pytest.mark.parametrize("channel", ["phone", "fax", "visit", "sales_visit", "email"])
def test_a_complaint_comes_in_through_sales_from_any_channel(channel: str) -> None:
    """rule: R-C1 — phone, fax, visit, raised on a sales visit: one external window."""
    record = ComplaintRecord(id=complaint_id("K-1"))
    record.receive(ctx(Role.MARKETING_MANAGER, "mia"), complaint_no="K-1", channel=channel,  # type: ignore[arg-type]
                   customer="ACME", summary="burrs", salesperson=None)
    [received] = record.collect_events()
    assert isinstance(received, ev.ComplaintReceived) and received.channel == channel
    assert (received.redirected_from, record.status) == (None, "received")


def test_a_complaint_number_is_taken_in_once() -> None:
    """rule: R-C1"""
    error = refused(complaint_at("received"), lambda r: r.receive(
        bob(), complaint_no="K-1", channel="fax", customer="ACME", summary="again",
        salesperson=None))
    assert (error.rule, error.field) == ("R-C1", "complaint_no") and "已接收" in error.zh


# -- R-C2: registration and handling ------------------------------------------------------------
def test_technical_support_registers_what_it_took_in_itself_without_forwarding() -> None:
    """rule: R-C2 — forwarding is for the assistant or salesperson who received it."""
    record = ComplaintRecord(id=complaint_id("K-1"))
    record.receive(tina(), complaint_no="K-1", channel="phone", customer="ACME",
                   summary="burrs", salesperson=None)
    register(record)
    assert record.status == "registered" and record.salesperson == "bob"


@pytest.mark.parametrize("step", ["registered", "judged", "closed"])
def test_a_complaint_is_forwarded_before_it_is_registered_and_registered_once(step: str) -> None:
    """rule: R-C2 — passed to technical support at once; entered in the summary once."""
    record = complaint_at(step)
    error = refused(record, lambda r: r.forward(amy(), "tina"))
    assert error.rule == "R-C2" and "K-1" in error.en and "当前状态" in error.zh
    assert refused(record, register).rule == "R-C2"


def test_a_minor_complaint_is_answered_by_sales() -> None:
    """rule: R-C2 — minor: sales handles it and replies."""
    record = complaint_at("replied", MINOR)
    events = entries(record.collect_events())
    assert [type(e).__name__ for e in events] == [
        "ComplaintReceived", "ComplaintForwarded", "ComplaintRegistered",
        "ComplaintSeverityJudged", "ComplaintFormFilled", "ComplaintFormSigned",
        "ComplaintReplied"]
    judged, reply = events[3], events[-1]
    assert isinstance(judged, ev.ComplaintSeverityJudged) and judged.responsible is None
    assert isinstance(reply, ev.ComplaintReplied) and reply.by == "sales"
    assert record.status == "replied"


@pytest.mark.parametrize("severity, purpose", [(Severity.NEEDS_DATA, "data"),
                                               (Severity.COMPLEX, "handling")])
def test_a_complaint_that_is_not_minor_goes_to_the_responsible_department(
        severity: Severity, purpose: str) -> None:
    """rule: R-C2 — needs data: that department supplies it; complex: it handles it; technical
    support replies once the measures are recorded."""
    record = complaint_at("replied", severity, Department.PRODUCTION)
    events = entries(record.collect_events())
    [escalated] = [e for e in events if isinstance(e, ev.ComplaintEscalated)]
    assert (escalated.responsible, escalated.purpose, escalated.form_no) == (
        Department.PRODUCTION, purpose, "F-1")
    assert (escalated.customer, escalated.product_model, escalated.batch, escalated.order_no,
            escalated.problem) == ("ACME", "G-7", "B-3", "O-1", "burr on the edge")
    [measures] = [e for e in events if isinstance(e, ev.ComplaintMeasuresRecorded)]
    assert (measures.responsible, measures.cause) == (Department.PRODUCTION, "worn die")
    assert isinstance(events[-1], ev.ComplaintReplied) and events[-1].by == "technical_support"


@pytest.mark.parametrize("severity", [Severity.NEEDS_DATA, Severity.COMPLEX])
def test_judging_a_complaint_that_is_not_minor_needs_the_responsible_department(
        severity: Severity) -> None:
    """rule: R-C2"""
    error = refused(complaint_at("registered"), lambda r: r.judge(tina(), severity, None))
    assert (error.rule, error.field) == ("R-C2", "responsible") and "责任部门" in error.zh


# step -> the steps it may not be taken at (in order: not before its turn, not twice)
ORDER = {
    "judge": (["received", "forwarded", "judged", "closed"],
              lambda r: r.judge(tina(), Severity.COMPLEX, Department.QUALITY)),
    "fill_form": (["registered", "form_filled", "escalated"],
                  lambda r: r.fill_form(tina(), "F-2", "8D")),
    "sign_form": (["judged", "form_signed", "replied"], lambda r: r.sign_form(sue())),
    "escalate": (["form_filled", "escalated", "measures_recorded", "replied"],
                 lambda r: r.escalate(tina())),
    "reply": (["form_signed", "escalated", "replied", "satisfied"],
              lambda r: r.reply(tina(), "again")),
    "attach_file": (["received", "forwarded", "closed"], lambda r: r.attach_file(
        tina(), filename="a.jpg", media_type="image/jpeg", sha256="b" * 64, size=1)),
    "contact_customer": (["received", "forwarded", "closed"],
                         lambda r: r.contact_customer(tina(), "called")),
}


@pytest.mark.parametrize("name, step", [(n, s) for n, (steps, _) in ORDER.items() for s in steps])
def test_each_handling_step_follows_the_one_before_it(name: str, step: str) -> None:
    """rule: R-C2 — registered, judged, form filled, signed, escalated, measures, reply."""
    error = refused(complaint_at(step), ORDER[name][1])
    assert error.rule == "R-C2" and f"is {step})" in error.en


def test_sales_answers_only_a_minor_complaint_and_escalates_only_the_others() -> None:
    """rule: R-C2"""
    error = refused(complaint_at("form_signed"), lambda r: r.answer_minor(bob(), "sorry"))
    assert error.rule == "R-C2" and "judged complex" in error.en and "复杂" in error.zh
    error = refused(complaint_at("form_signed", MINOR), lambda r: r.escalate(tina()))
    assert error.rule == "R-C2" and "轻微" in error.zh
    assert refused(complaint_at("judged", MINOR),
                   lambda r: r.answer_minor(bob(), "early")).rule == "R-C2"


def test_a_file_is_attached_once() -> None:
    """rule: R-C2 — photos or files of the complaint, in the object store by their hash."""
    record = complaint_at("judged")
    record.attach_file(tina(), filename="burr.jpg", media_type="image/jpeg", sha256="a" * 64,
                       size=9)
    error = refused(record, lambda r: r.attach_file(tina(), filename="again.jpg",
                                                    media_type="image/jpeg", sha256="a" * 64,
                                                    size=9))
    assert (error.rule, error.field) == ("R-C2", "content_base64")


def test_only_the_department_escalated_to_supplies_the_measures() -> None:
    """rule: R-C2 — the form goes to the responsible department; its analysis comes back."""
    error = refused(complaint_at("escalated"),
                    lambda r: r.record_measures(SYSTEM, analysed(Department.ENGINEERING)))
    assert (error.rule, error.field) == ("R-C2", "responsible")
    assert "quality" in error.en and "工程部" in error.zh
    error = refused(complaint_at("form_signed"), lambda r: r.record_measures(SYSTEM, analysed()))
    assert (error.rule, error.field) == ("R-C2", "responsible") and "尚未提交" in error.zh


def test_a_customer_contact_is_recorded_at_any_step_of_the_handling() -> None:
    """rule: R-C2 — technical support talks to the customer; R-C3 — stays in contact."""
    for step in ("registered", "escalated", "replied", "verified"):
        record = complaint_at(step)
        record.collect_events()
        record.contact_customer(tina(), "called Mr. Chen")
        assert isinstance(entries(record.collect_events())[0], ev.CustomerContacted)


def test_a_minor_complaint_may_name_a_department_and_is_still_answered_by_sales() -> None:
    """rule: R-C2 — minor: sales handles it; the department counts in the month analysis."""
    record = complaint_at("registered")
    record.judge(tina(), MINOR, Department.PRODUCTION)
    record.fill_form(tina(), "F-1", "replace")
    record.sign_form(sue())
    assert refused(record, lambda r: r.escalate(tina())).rule == "R-C2"
    record.answer_minor(amy(), "replacement sent")
    assert (record.status, record.responsible) == ("replied", Department.PRODUCTION)
