"""Sales' order use cases with the records they read (the quotation of 5.1, the customer file)
and through the real sales command bus: refusals name the rule and the field (R-O1 to R-O4),
and the month-end notes (R-O6)."""
from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from contracts.commands import orders
from contracts.replies import CommandReply
from events import sales
from events.envelope import Role
from services.domain import NotFound, RuleBroken
from services.runtime.commands import CommandBus
from services.sales.wiring import SPEC
from tests.unit.builders import sample_at
from tests.unit.company import Company
from tests.unit.test_customer import confirmed, file

SHA_FILED = hashlib.sha256(b"%PDF-1").hexdigest()  # what ``file`` files


def intake(**changes: Any) -> dict[str, Any]:
    return {"order_no": "O-1", "po_no": "PO-7", "customer": "ACME",
            "lines": [{"product": "gasket", "part_no": "P-1", "quantity": 5000}],
            "requested_date": "2026-12-01", "salesperson": "bob", "assistant": "amy", **changes}


# -- R-O1: the quotation an order needs (5.1) -------------------------------------------------
@pytest.mark.parametrize("step", ["requested", "signed", "sent"])
def test_an_order_is_not_archived_before_its_quotations_price_is_approved(step: str) -> None:
    """rule: R-O1 — if it needs a quotation, 5.1 applies: the price must be approved first."""
    company = Company()
    company.sales.store(sample_at(step, "S-1"))
    company.order_command(orders.ReceiveOrder, Role.SALESPERSON,
                          **intake(quotation_request_no="S-1"))
    with pytest.raises(RuleBroken) as refused:
        company.order_command(orders.ArchiveOrder, order_no="O-1")
    assert (refused.value.rule, refused.value.field) == ("R-O1", "quotation_request_no")
    assert company.sales.order("O-1").status == "received"


@pytest.mark.parametrize("step", ["price_approved", "application_approved"])
def test_an_order_is_archived_once_its_quotations_price_is_approved(step: str) -> None:
    """rule: R-O1 — the SampleRecord of 5.1 is reused, not copied."""
    company = Company()
    company.sales.store(sample_at(step, "S-1"))
    company.order_command(orders.ReceiveOrder, Role.SALESPERSON,
                          **intake(quotation_request_no="S-1"))
    company.order_command(orders.ArchiveOrder, order_no="O-1")
    assert company.sales.order("O-1").status == "archived"


def test_an_order_naming_an_unknown_quotation_is_not_archived() -> None:
    """rule: R-O1"""
    company = Company()
    company.order_command(orders.ReceiveOrder, Role.SALESPERSON,
                          **intake(quotation_request_no="S-404"))
    with pytest.raises(NotFound) as refused:
        company.order_command(orders.ArchiveOrder, order_no="O-1")
    assert refused.value.field == "quotation_request_no" and "S-404" in refused.value.en


# -- R-O1: the customer's files in the customer file (R-S2) -----------------------------------
def test_an_order_names_files_filed_in_its_customers_file() -> None:
    """rule: R-O1 — the customer's own files go into the existing customer file."""
    company = Company()
    customer = confirmed("C-1")
    file(customer)
    company.sales.store(customer)
    company.order_command(orders.ReceiveOrder, Role.SALES_ASSISTANT,
                          **intake(customer_no="C-1", files=[SHA_FILED]))
    [received] = company.of_type(company.sales, sales.OrderReceived)
    assert (received.customer_no, received.files) == ("C-1", (SHA_FILED,))


@pytest.mark.parametrize("changes, error, field", [
    ({"customer_no": "C-1", "files": ["0" * 64]}, RuleBroken, "files"),
    ({"files": [SHA_FILED]}, RuleBroken, "customer_no"),
    ({"customer_no": "C-404", "files": [SHA_FILED]}, NotFound, "customer_no"),
])
def test_an_order_naming_files_not_in_the_customer_file_is_refused(
        changes: dict[str, Any], error: type[Exception], field: str) -> None:
    """rule: R-O1"""
    company = Company()
    customer = confirmed("C-1")
    file(customer)
    company.sales.store(customer)
    before = len(company.events(company.sales))
    with pytest.raises(error) as refused:
        company.order_command(orders.ReceiveOrder, Role.SALES_ASSISTANT, **intake(**changes))
    assert getattr(refused.value, "field", None) == field
    assert len(company.events(company.sales)) == before


# -- through the real command bus -------------------------------------------------------------
async def send(bus: CommandBus, name: str, role: Role, **fields: Any) -> CommandReply:
    body = {"actor": {"user": "amy" if role is Role.SALES_ASSISTANT else "bob", "role": role},
            **fields}
    return await bus.handle(name, json.dumps(body).encode())


@pytest.fixture
def bus() -> CommandBus:
    app = SPEC.application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return CommandBus(app, SPEC.commands)


async def test_the_bus_answers_an_unknown_order_as_not_found_naming_the_order_no(
        bus: CommandBus) -> None:
    """rule: R-O2"""
    reply = await send(bus, "issue_internal_order", Role.SALES_ASSISTANT, order_no="O-9",
                       internal_order_no="IO-9")
    assert reply.error is not None and (reply.error.kind, reply.error.field) == ("not_found",
                                                                                  "order_no")


async def test_the_bus_refuses_a_shipping_note_before_inspection_with_the_rule_and_field(
        bus: CommandBus) -> None:
    """rule: R-O4 — no shipping note before a passed inspection, refused with the rule ID."""
    assert (await send(bus, "receive_order", Role.SALESPERSON, **intake())).ok
    assert (await send(bus, "archive_order", Role.SALES_ASSISTANT, order_no="O-1")).ok
    reply = await send(bus, "issue_shipping_note", Role.SALES_ASSISTANT, order_no="O-1",
                       note_no="N-1", lots=["L-1"])
    error = reply.error
    assert error is not None and (error.kind, error.rule, error.field) == ("rule", "R-O4", "lots")
    assert "passed inspection" in error.message_en and "检验合格" in error.message_zh


async def test_the_bus_refuses_a_role_that_may_not_confirm_a_shipment(bus: CommandBus) -> None:
    """rule: R-O4 — the salesperson confirms the shipment."""
    assert (await send(bus, "receive_order", Role.SALESPERSON, **intake())).ok
    reply = await send(bus, "confirm_shipment", Role.SALES_ASSISTANT, order_no="O-1",
                       note_no="N-1")
    assert reply.error is not None and (reply.error.kind, reply.error.rule) == ("forbidden",
                                                                                 "R-O4")


# -- R-O6 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.SALES_ASSISTANT, Role.CS_SUPERVISOR])
async def test_the_month_end_order_notes_are_written_by_the_assistant_or_cs_supervisor(
        bus: CommandBus, role: Role) -> None:
    """rule: R-O6 — the assistant analyses the Order Summary and writes a summary under it."""
    first = await send(bus, "note_order_month", role, month="2026-11", text="two late")
    second = await send(bus, "note_order_month", role, month="2026-11", text="one rework")
    assert first.ok and second.ok
    assert [e.type for e in first.events + second.events] == ["OrderMonthNoted"] * 2
    assert first.events[0].aggregate_id == second.events[0].aggregate_id


async def test_a_salesperson_does_not_write_the_month_end_order_notes(bus: CommandBus) -> None:
    """rule: R-O6"""
    reply = await send(bus, "note_order_month", Role.SALESPERSON, month="2026-11", text="x")
    assert reply.error is not None and (reply.error.kind, reply.error.rule) == ("forbidden",
                                                                                 "R-O6")
