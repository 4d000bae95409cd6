"""Customer onboarding with the External Contact Window (R-S1) and the customer file (R-S2)."""
from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

import pytest

from events import customers as ev
from events.customers import ContactDepartment as Dept
from events.customers import CustomerContact, DocumentCategory, WindowContact
from events.envelope import Role
from services.domain import Forbidden, RuleBroken
from services.sales.customer import Customer, customer_id
from tests.unit.builders import ctx


def contact(name: str, role: Role | None = None, dept: Dept = Dept.SALES) -> WindowContact:
    return WindowContact(name=name, role=role, department=dept, duty="short duties", phone="0755-1")


SALES_WINDOW = tuple(contact(n, r) for n, r in (
    ("Mia Wang", Role.MARKETING_MANAGER), ("Sue Li", Role.CS_SUPERVISOR),
    ("Amy Chen", Role.SALES_ASSISTANT), ("Tina Zhou", Role.TECHNICAL_SUPPORT)))
QC = contact("Li Wei", dept=Dept.QUALITY)


def submitted(customer_no: str = "C-1") -> Customer:
    customer = Customer(id=customer_id(customer_no))
    customer.submit(ctx(Role.SALESPERSON, "bob"), customer_no=customer_no, name="ACME 艾克美",
                    contact=CustomerContact(person="Mr. Wu", phone="021-1"))
    return customer


def confirmed(customer_no: str = "C-1") -> Customer:
    customer = submitted(customer_no)
    customer.confirm(ctx(Role.SALES_MANAGER, "max"), "amy")
    return customer


def file(customer: Customer, content: bytes = b"%PDF-1", role: Role = Role.SALES_ASSISTANT,
         category: DocumentCategory = DocumentCategory.BASIC_DATA) -> None:
    customer.file_document(ctx(role, "amy"), category=category, title="Company data",
                           filename="acme.pdf", media_type="application/pdf",
                           filed_on=date(2026, 11, 2), sha256=hashlib.sha256(content).hexdigest(),
                           size=len(content))


# -- R-S1 -------------------------------------------------------------------------------------
def test_a_customer_is_submitted_confirmed_and_sent_its_contact_window() -> None:
    """rule: R-S1 — salesperson submits, sales manager confirms and assigns, assistant sends."""
    customer = confirmed()
    customer.approve_disclosure(ctx(Role.SALES_MANAGER, "max"), Dept.QUALITY, "Quality head Zhao")
    customer.send_window(ctx(Role.SALES_ASSISTANT, "amy"), [*SALES_WINDOW, QC])
    events = customer.collect_events()
    assert [type(e) for e in events] == [ev.CustomerSubmitted, ev.CustomerConfirmed,
                                         ev.ContactDisclosureApproved, ev.ContactWindowSent]
    assert events[0].salesperson == "bob" and events[1].assistant == "amy"  # type: ignore[attr-defined]
    assert all(e.record_no == "C-1" for e in events)
    assert customer.status == "window_sent" and len(events[-1].contacts) == 5  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="phone or an e-mail"):  # names, contacts, short duties
        WindowContact(name="Nobody", role=Role.CS_SUPERVISOR, duty="d")


@pytest.mark.parametrize("left_out", [Role.MARKETING_MANAGER, Role.CS_SUPERVISOR,
                                      Role.SALES_ASSISTANT, Role.TECHNICAL_SUPPORT])
def test_a_window_missing_a_required_role_is_refused(left_out: Role) -> None:
    """rule: R-S1 — the window names the marketing manager, CS supervisor, assistant, tech support."""
    customer = confirmed()
    customer.collect_events()
    with pytest.raises(RuleBroken) as refused:
        customer.send_window(ctx(Role.SALES_ASSISTANT, "amy"),
                             [c for c in SALES_WINDOW if c.role is not left_out])
    assert refused.value.rule == "R-S1" and left_out.value in refused.value.en
    assert "缺少" in refused.value.zh and customer.collect_events() == []


def test_another_departments_contact_without_its_heads_approval_is_refused() -> None:
    """rule: R-S1 — contacts of other departments only with that department head's approval."""
    customer = confirmed()
    customer.approve_disclosure(ctx(Role.SALES_MANAGER), Dept.PURCHASING, "Purchasing head")
    customer.collect_events()
    with pytest.raises(RuleBroken) as refused:
        customer.send_window(ctx(Role.SALES_ASSISTANT, "amy"), [*SALES_WINDOW, QC])
    assert refused.value.rule == "R-S1" and "quality" in refused.value.en
    assert "Li Wei" in refused.value.en and "品质部" in refused.value.zh
    assert customer.collect_events() == [] and customer.status == "confirmed"


@pytest.mark.parametrize("recorder", [Role.SALES_MANAGER, Role.MARKETING_MANAGER])
def test_with_the_recorded_approval_the_departments_contact_is_accepted(recorder: Role) -> None:
    """rule: R-S1"""
    customer = confirmed()
    customer.approve_disclosure(ctx(recorder, "mia"), Dept.QUALITY, "Quality head Zhao")
    customer.send_window(ctx(Role.SALES_ASSISTANT, "amy"), [*SALES_WINDOW, QC])
    approval, sent = customer.collect_events()[-2:]
    assert approval.head == "Quality head Zhao" and approval.actor.user == "mia"  # type: ignore[attr-defined]
    assert approval.disclosed_department is Dept.QUALITY  # type: ignore[attr-defined]
    assert QC in sent.contacts  # type: ignore[attr-defined]


@pytest.mark.parametrize("action, allowed", [
    (lambda c, x: Customer(id=customer_id("C-2")).submit(
        x, customer_no="C-2", name="N", contact=CustomerContact(person="p")), "salesperson"),
    (lambda c, x: c.confirm(x, "amy"), "sales_manager"),
    (lambda c, x: c.approve_disclosure(x, Dept.QUALITY, "Zhao"), "sales_manager"),
    (lambda c, x: c.send_window(x, SALES_WINDOW), "sales_assistant"),
])
def test_each_step_is_taken_only_by_its_role(action: Any, allowed: str) -> None:
    """rule: R-S1 — salesperson submits, sales manager confirms, managers record approvals."""
    customer = submitted()
    with pytest.raises(Forbidden) as refused:
        action(customer, ctx(Role.TECHNICAL_SUPPORT, "mallory"))
    assert refused.value.rule == "R-S1" and allowed in refused.value.en
    assert "mallory" in refused.value.en and refused.value.kind == "forbidden"


def test_only_the_assigned_assistant_sends_the_window_and_only_after_confirmation() -> None:
    """rule: R-S1 — the assistant the sales manager assigned sends the window."""
    customer = submitted()
    with pytest.raises(RuleBroken, match="confirmation") as early:
        customer.send_window(ctx(Role.SALES_ASSISTANT, "amy"), SALES_WINDOW)
    assert early.value.rule == "R-S1"
    customer.confirm(ctx(Role.SALES_MANAGER), "amy")
    with pytest.raises(Forbidden) as other:
        customer.send_window(ctx(Role.SALES_ASSISTANT, "ann"), SALES_WINDOW)
    assert other.value.rule == "R-S1" and "amy" in other.value.en and "amy" in other.value.zh
    customer.send_window(ctx(Role.SALES_ASSISTANT, "amy"), SALES_WINDOW)
    assert customer.window_sent_at is not None


def test_a_customer_number_is_used_once_and_each_fact_is_recorded_once() -> None:
    """rule: R-S1"""
    customer = confirmed()
    with pytest.raises(RuleBroken, match="already exists"):
        customer.submit(ctx(Role.SALESPERSON), customer_no="C-1", name="X",
                        contact=CustomerContact(person="p"))
    with pytest.raises(RuleBroken, match="only a submitted customer") as again:
        customer.confirm(ctx(Role.SALES_MANAGER), "ann")
    assert again.value.rule == "R-S1"
    customer.approve_disclosure(ctx(Role.SALES_MANAGER), Dept.FINANCE, "CFO")
    with pytest.raises(RuleBroken, match="already recorded"):
        customer.approve_disclosure(ctx(Role.SALES_MANAGER), Dept.FINANCE, "CFO")
    with pytest.raises(RuleBroken, match="need no approval"):
        customer.approve_disclosure(ctx(Role.SALES_MANAGER), Dept.SALES, "Mia")


def test_replaying_the_events_rebuilds_the_same_customer() -> None:
    """rule: R-S1 rule: R-S2"""
    customer = confirmed()
    customer.approve_disclosure(ctx(Role.SALES_MANAGER), Dept.QUALITY, "Zhao")
    file(customer)
    rebuilt = Customer.project(None, customer.collect_events())
    assert rebuilt is not None and rebuilt.id == customer_id("C-1")
    assert (rebuilt.status, rebuilt.assistant, rebuilt.approvals, rebuilt.version) == (
        "confirmed", "amy", frozenset({Dept.QUALITY}), 4)


# -- R-S2 -------------------------------------------------------------------------------------
def test_the_assistant_files_documents_of_a_confirmed_customer_by_category_and_date() -> None:
    """rule: R-S2 — basic data, product information, engineering drawings, quotation information."""
    customer = confirmed()
    for category in DocumentCategory:
        file(customer, content=category.value.encode(), category=category)
    filed = customer.collect_events()[2:]
    assert [e.category for e in filed] == list(DocumentCategory)  # type: ignore[attr-defined]
    assert filed[0].sha256 == hashlib.sha256(b"basic_data").hexdigest()  # type: ignore[attr-defined]
    assert filed[0].filed_on == date(2026, 11, 2) and filed[0].size == 10  # type: ignore[attr-defined]
    assert "content" not in ev.CustomerDocumentFiled.model_fields


def test_filing_before_the_customer_is_confirmed_is_refused() -> None:
    """rule: R-S2 — the file is kept for a confirmed customer."""
    customer = submitted()
    customer.collect_events()
    with pytest.raises(RuleBroken) as refused:
        file(customer)
    assert refused.value.rule == "R-S2" and "confirmed" in refused.value.en
    assert customer.collect_events() == []


def test_only_an_assistant_files_and_the_same_document_is_filed_once_per_category() -> None:
    """rule: R-S2 — the assistant keeps the customer file."""
    customer = confirmed()
    with pytest.raises(Forbidden) as refused:
        file(customer, role=Role.SALESPERSON)
    assert refused.value.rule == "R-S2"
    file(customer)
    with pytest.raises(RuleBroken, match="already in the file"):
        file(customer)
    file(customer, category=DocumentCategory.QUOTATION_INFO)
