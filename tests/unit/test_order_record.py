"""The sales order record: intake and archive (R-O1), internal order, customer notice and
materials (R-O2), exceptions (R-O3); who may take each step and in which order."""
from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from events.envelope import Role
from events.sales import order as ev
from events.sales.order import ExceptionKind, Recipient
from services.domain import Forbidden
from services.sales.order import REPORTERS, OrderRecord, order_id
from tests.unit.builders import ctx
from tests.unit.order_steps import (
    LINES,
    Command,
    PROMISED_AT,
    SYSTEM,
    amy,
    bob,
    order_at,
    receive,
    refused,
    report,
)

# -- R-O1 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.SALESPERSON, Role.SALES_ASSISTANT])
def test_a_salesperson_or_an_assistant_takes_an_order_in(role: Role) -> None:
    """rule: R-O1 — order information collected by a salesperson or assistant."""
    record = OrderRecord(id=order_id("O-1"))
    record.receive(ctx(role, "kim"), order_no="O-1", po_no="PO-7", customer="ACME",
                   customer_no="C-1", lines=LINES, requested_date=PROMISED_AT.date(),
                   salesperson="bob", assistant="amy", quotation_request_no=None, files=("a" * 64,),
                   filed={"a" * 64, "b" * 64})
    [received] = record.collect_events()
    assert isinstance(received, ev.OrderReceived) and received.files == ("a" * 64,)
    assert record.status == "received" and record.ordered == 5000


@pytest.mark.parametrize("role", [Role.CS_SUPERVISOR, Role.TECHNICAL_SUPPORT, Role.PMC_PLANNER])
def test_nobody_else_takes_an_order_in(role: Role) -> None:
    """rule: R-O1"""
    record = OrderRecord(id=order_id("O-1"))
    error = refused(record, lambda r: r.receive(
        ctx(role, "mallory"), order_no="O-1", po_no="PO-7", customer="ACME", customer_no=None,
        lines=LINES, requested_date=PROMISED_AT.date(), salesperson="bob", assistant="amy",
        quotation_request_no=None, files=()), Forbidden)
    assert error.rule == "R-O1" and "mallory" in error.en


def test_an_order_number_is_used_once() -> None:
    """rule: R-O1"""
    error = refused(order_at("received"), lambda r: receive(r))
    assert (error.rule, error.field) == ("R-O1", "order_no") and "已存在" in error.zh


def test_the_customers_files_need_a_customer_file_and_must_be_filed_in_it() -> None:
    """rule: R-O1 — the customer's own files go into the existing customer file (R-S2)."""
    def intake(customer_no: str | None, filed: set[str]) -> Command:
        return lambda r: r.receive(bob(), order_no="O-1", po_no="PO-7", customer="ACME",
                                   customer_no=customer_no, lines=LINES,
                                   requested_date=PROMISED_AT.date(), salesperson="bob",
                                   assistant="amy", quotation_request_no=None,
                                   files=("a" * 64, "c" * 64), filed=filed)

    record = OrderRecord(id=order_id("O-1"))
    error = refused(record, intake(None, {"a" * 64, "c" * 64}))
    assert (error.rule, error.field) == ("R-O1", "customer_no")
    error = refused(record, intake("C-1", {"a" * 64}))
    assert (error.rule, error.field) == ("R-O1", "files") and "c" * 64 in error.en
    assert "a" * 64 not in error.en


def test_the_assistant_archives_a_received_order_once() -> None:
    """rule: R-O1 — archived by the assistant."""
    record = order_at("archived")
    assert record.status == "archived"
    error = refused(record, lambda r: r.archive(amy()))
    assert error.rule == "R-O1" and "archived" in error.en and "已归档" in error.zh


@pytest.mark.parametrize("role", [Role.SALESPERSON, Role.CS_SUPERVISOR])
def test_only_the_assistant_archives_an_order(role: Role) -> None:
    """rule: R-O1"""
    error = refused(order_at("received"), lambda r: r.archive(ctx(role)), Forbidden)
    assert error.rule == "R-O1"


def test_an_order_needing_a_price_is_archived_only_once_the_price_is_approved() -> None:
    """rule: R-O1 — if it needs a quotation, 5.1 applies first."""
    record = OrderRecord(id=order_id("O-2"))
    receive(record, "O-2", quotation_request_no="S-1")
    error = refused(record, lambda r: r.archive(amy(), price_approved=False))
    assert (error.rule, error.field) == ("R-O1", "quotation_request_no") and "S-1" in error.en
    record.archive(amy(), price_approved=True)
    assert record.status == "archived"


def test_an_order_without_a_quotation_needs_no_price() -> None:
    """rule: R-O1"""
    record = order_at("received")
    record.archive(amy(), price_approved=False)
    assert record.status == "archived"


# -- R-O2 -------------------------------------------------------------------------------------
def test_the_internal_order_follows_the_archive_and_carries_the_order() -> None:
    """rule: R-O2 — the assistant turns the customer order into an internal order for PMC."""
    record = order_at("received")
    error = refused(record, lambda r: r.issue_internal_order(amy(), "IO-1"))
    assert error.rule == "R-O2" and "received" in error.en
    record.archive(amy())
    record.collect_events()
    record.issue_internal_order(amy(), "IO-1")
    [issued] = record.collect_events()
    assert isinstance(issued, ev.InternalOrderIssued)
    assert (issued.internal_order_no, issued.customer, issued.lines) == ("IO-1", "ACME", LINES)
    error = refused(record, lambda r: r.issue_internal_order(amy(), "IO-2"))
    assert error.rule == "R-O2"


def test_only_the_assistant_issues_the_internal_order() -> None:
    """rule: R-O2"""
    error = refused(order_at("archived"), lambda r: r.issue_internal_order(bob(), "IO-1"),
                    Forbidden)
    assert error.rule == "R-O2"


def test_the_customer_is_told_each_promised_time_once_and_only_after_pmc_promised() -> None:
    """rule: R-O2 — PMC replies with a date; the assistant passes it to the customer."""
    record = order_at("internal_order_issued")
    error = refused(record, lambda r: r.notify_customer(amy(), "phone"))
    assert error.rule == "R-O2" and "PMC" in error.en
    report(record, "promised", quantity=5000)
    record.collect_events()
    record.notify_customer(amy(), "phone")
    [told] = record.collect_events()
    assert isinstance(told, ev.DeliveryDateNotified) and told.promised_at == PROMISED_AT
    error = refused(record, lambda r: r.notify_customer(amy(), "email"))
    assert error.rule == "R-O2" and PROMISED_AT.isoformat() in error.en


def test_a_new_time_from_a_delay_notice_is_told_to_the_customer_too() -> None:
    """rule: R-O2, R-S7 — the assistant can tell the customer the new time."""
    record = order_at("promised")
    record.notify_customer(amy(), "phone")
    new = PROMISED_AT + timedelta(days=2)
    record.record_delay(SYSTEM, kind="delay", reason="film late", previous=PROMISED_AT, new=new,
                        timely=True, source=uuid.uuid4())
    record.collect_events()
    record.notify_customer(amy(), "wechat")
    [told] = record.collect_events()
    assert isinstance(told, ev.DeliveryDateNotified) and told.promised_at == new


@pytest.mark.parametrize("step, command", [
    ("promised", lambda r: r.notify_customer(bob(), "phone")),
    ("internal_order_issued", lambda r: r.transfer_materials(bob(), ["die"], "pete")),
])
def test_only_the_assistant_tells_the_customer_and_hands_over_materials(
        step: str, command: Command) -> None:
    """rule: R-O2"""
    assert refused(order_at(step), command, Forbidden).rule == "R-O2"


def test_the_customers_materials_go_to_production_with_the_internal_order() -> None:
    """rule: R-O2 — the customer's samples and materials are handed to production."""
    record = order_at("archived")
    error = refused(record, lambda r: r.transfer_materials(amy(), ["golden sample"], "pete"))
    assert error.rule == "R-O2" and "internal order" in error.en
    record.issue_internal_order(amy(), "IO-1")
    record.collect_events()
    record.transfer_materials(amy(), ["golden sample", "film"], "pete")
    record.transfer_materials(amy(), ["liner"], "pete")
    handed = record.collect_events()
    assert [e.items for e in handed if isinstance(e, ev.CustomerMaterialsTransferred)] == [
        ("golden sample", "film"), ("liner",)]


# -- R-O3 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", REPORTERS)
def test_whoever_sees_an_exception_reports_it_to_the_three_recipients(role: Role) -> None:
    """rule: R-O3 — any exception is reported at once to the customer, the salesperson and
    the CS supervisor."""
    record = order_at("received")
    record.collect_events()
    record.report_exception(ctx(role), "E-1", ExceptionKind.MACHINE_BREAKDOWN, "cutter down")
    [reported] = record.collect_events()
    assert isinstance(reported, ev.OrderExceptionReported)
    assert set(reported.recipients) == set(Recipient) and reported.source_event_id is None


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.SYSTEM])
def test_an_exception_is_reported_by_the_people_who_follow_the_order(role: Role) -> None:
    """rule: R-O3"""
    error = refused(order_at("received"), lambda r: r.report_exception(
        ctx(role), "E-1", ExceptionKind.OTHER, "x"), Forbidden)
    assert error.rule == "R-O3"


def test_an_exception_is_reported_once() -> None:
    """rule: R-O3"""
    record = order_at("received")
    record.report_exception(bob(), "E-1", ExceptionKind.CUSTOMER_CHANGE, "new quantity")
    error = refused(record, lambda r: r.report_exception(
        ctx(Role.QC_INSPECTOR), "E-1", ExceptionKind.QUALITY_HOLD, "hold"))
    assert (error.rule, error.field) == ("R-O3", "exception_no")


def test_an_exception_reaches_each_recipient_once() -> None:
    """rule: R-O3 — recorded as delivered to the customer contact, salesperson, CS supervisor."""
    record = order_at("received")
    record.report_exception(bob(), "E-1", ExceptionKind.MATERIAL_SHORTAGE, "no film")
    record.collect_events()
    for recipient, name in zip(Recipient, ("Mr. Wu", "bob", "cindy"), strict=True):
        record.record_exception_delivered(amy(), "E-1", recipient, name, "phone")
    delivered = record.collect_events()
    assert [(e.recipient, e.to) for e in delivered if isinstance(e, ev.OrderExceptionDelivered)] \
        == list(zip(Recipient, ("Mr. Wu", "bob", "cindy"), strict=True))
    error = refused(record, lambda r: r.record_exception_delivered(
        amy(), "E-1", Recipient.SALESPERSON, "bob", "wechat"))
    assert (error.rule, error.field) == ("R-O3", "recipient") and "业务员" in error.zh


def test_a_delivery_names_an_exception_of_the_order_and_is_recorded_by_the_assistant() -> None:
    """rule: R-O3"""
    record = order_at("received")
    error = refused(record, lambda r: r.record_exception_delivered(
        amy(), "E-9", Recipient.CS_SUPERVISOR, "cindy", "phone"))
    assert (error.rule, error.field) == ("R-O3", "exception_no")
    record.report_exception(bob(), "E-9", ExceptionKind.OTHER, "x")
    error = refused(record, lambda r: r.record_exception_delivered(
        bob(), "E-9", Recipient.CS_SUPERVISOR, "cindy", "phone"), Forbidden)
    assert error.rule == "R-O3"


def test_replaying_the_events_rebuilds_the_same_record() -> None:
    """rule: R-O3 — the record is its events."""
    record = order_at("shipped")
    record.report_exception(bob(), "E-1", ExceptionKind.OTHER, "x")
    record.record_exception_delivered(amy(), "E-1", Recipient.SALESPERSON, "bob", "phone")
    events: list[Any] = record.collect_events()
    again = OrderRecord.project(None, events)
    assert again == record
