"""Sales' complaint commands through the real sales command bus: replies, refusals by role and
rule, a complaint's file stored only after the rules accepted it (R-C2), the month's notes by
technical support (R-C6)."""
from __future__ import annotations

import base64
import functools
import hashlib
import json
from typing import Any

from contracts.replies import CommandReply
from events.sales import complaint as ev
from services.runtime.commands import CommandBus
from services.sales.wiring import SPEC
from tests.unit.company import Company
from tests.unit.test_bounds_documents import FakeJetStream

TINA, SUE = ("tina", "technical_support"), ("sue", "cs_supervisor")
AMY, BOB = ("amy", "sales_assistant"), ("bob", "salesperson")


def bus_over(js: FakeJetStream) -> CommandBus:
    """The sales service's own tables, its preparers bound to ``js`` as the service binds them."""
    preparers = {cls: functools.partial(prepare, js) for cls, prepare in SPEC.preparers.items()}
    app = SPEC.application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return CommandBus(app, SPEC.commands, preparers=preparers)


async def send(bus: CommandBus, name: str, who: tuple[str, str], **fields: Any) -> CommandReply:
    body = {"actor": {"user": who[0], "role": who[1]}, "complaint_no": "K-1", **fields}
    return await bus.handle(name, json.dumps(body).encode())


def stored(bus: CommandBus) -> int:
    return bus.app.recorder.max_notification_id() or 0


async def registered(bus: CommandBus) -> None:
    assert (await send(bus, "receive_complaint", AMY, channel="phone", customer="ACME",
                       summary="burrs")).ok
    assert (await send(bus, "forward_complaint", AMY, to="tina")).ok
    assert (await send(bus, "register_complaint", TINA, customer="ACME", salesperson="bob",
                       product_model="G-7", problem="burr on the edge", category="burr",
                       order_no="O-1", shipping_note_no="N-1")).ok


def photo(content: bytes = b"burr photo") -> dict[str, Any]:
    return {"filename": "burr.jpg", "media_type": "image/jpeg",
            "content_base64": base64.b64encode(content).decode()}


async def test_a_complaint_from_intake_to_closing_through_the_sales_bus() -> None:
    """rule: R-C1, R-C2, R-C3, R-C5 — each reply names the entry and its delivery."""
    bus = bus_over(FakeJetStream())
    await registered(bus)
    steps: list[tuple[str, tuple[str, str], dict[str, Any]]] = [("judge_complaint_severity", TINA, {"severity": "minor"}),
             ("fill_complaint_form", TINA, {"form_no": "F-1", "handling": "replace"}),
             ("sign_complaint_form", SUE, {}),
             ("answer_minor_complaint", BOB, {"reply": "replacement sent"}),
             ("record_complaint_follow_up", TINA, {"satisfied": True, "note": "fine"}),
             ("verify_satisfaction", SUE, {}), ("close_complaint", SUE, {})]
    for name, who, fields in steps:
        reply = await send(bus, name, who, **fields)
        assert reply.ok, (name, reply.error)
        assert [e.type for e in reply.events][1:] == ["ComplaintEntryDelivered"], name
    assert bus.app.complaint("K-1").status == "closed"  # type: ignore[attr-defined]


async def test_registration_by_anyone_but_technical_support_is_refused_with_r_c1() -> None:
    """rule: R-C1 — the only role authorised to handle a complaint is technical support."""
    bus = bus_over(FakeJetStream())
    assert (await send(bus, "receive_complaint", SUE, channel="visit", customer="ACME",
                       summary="burrs")).ok
    before = stored(bus)
    for who in (AMY, BOB, SUE, ("max", "sales_manager"), ("mia", "marketing_manager")):
        reply = await send(bus, "register_complaint", who, customer="ACME", salesperson="bob",
                           product_model="G-7", problem="burr", category="burr")
        assert reply.error is not None and (reply.error.kind, reply.error.rule) == (
            "forbidden", "R-C1"), who
        assert "technical_support" in reply.error.message_en
    assert stored(bus) == before


async def test_a_command_on_a_complaint_sales_does_not_know_is_not_found() -> None:
    """rule: R-C1 — a complaint is taken in before anything else is recorded on it."""
    bus = bus_over(FakeJetStream())
    reply = await send(bus, "register_complaint", TINA, customer="ACME", salesperson="bob",
                       product_model="G-7", problem="burr", category="burr")
    assert reply.error is not None and (reply.error.kind, reply.error.field) == (
        "not_found", "complaint_no")
    assert "K-1" in reply.error.message_en and "不存在" in reply.error.message_zh


async def test_closing_before_verification_is_refused_with_the_rule_in_both_languages() -> None:
    """rule: R-C3"""
    bus = bus_over(FakeJetStream())
    await registered(bus)
    reply = await send(bus, "close_complaint", SUE)
    assert reply.error is not None and (reply.error.kind, reply.error.rule) == ("rule", "R-C3")
    assert "结案" in reply.error.message_zh and "verified" in reply.error.message_en


async def test_an_attached_file_is_stored_after_the_rules_accepted_it() -> None:
    """rule: R-C2 — photos or files in the object store, like the customer file."""
    js = FakeJetStream()
    bus = bus_over(js)
    await registered(bus)
    reply = await send(bus, "attach_complaint_file", TINA, **photo())
    assert reply.ok and [e.type for e in reply.events] == ["ComplaintFileAttached",
                                                           "ComplaintEntryDelivered"]
    sha = hashlib.sha256(b"burr photo").hexdigest()
    assert js.objects == {sha: b"burr photo"}
    [attached] = [e for e in Company.events(bus.app)
                  if isinstance(e, ev.ComplaintFileAttached)]
    assert (attached.sha256, attached.size, attached.filename) == (sha, 10, "burr.jpg")


async def test_a_refused_attachment_leaves_nothing_in_the_object_store() -> None:
    """rule: R-C1, R-C2 — the role and the complaint's state are checked before storing."""
    js = FakeJetStream()
    bus = bus_over(js)
    assert (await send(bus, "receive_complaint", AMY, channel="phone", customer="ACME",
                       summary="burrs")).ok
    not_registered = await send(bus, "attach_complaint_file", TINA, **photo())
    assert not_registered.error is not None and not_registered.error.rule == "R-C2"
    await send(bus, "forward_complaint", AMY, to="tina")
    await send(bus, "register_complaint", TINA, customer="ACME", salesperson="bob",
               product_model="G-7", problem="burr", category="burr")
    wrong_role = await send(bus, "attach_complaint_file", BOB, **photo())
    assert wrong_role.error is not None and wrong_role.error.kind == "forbidden"
    unknown = await send(bus, "attach_complaint_file", TINA, complaint_no="K-404", **photo())
    assert unknown.error is not None and unknown.error.kind == "not_found"
    assert js.objects == {} and js.created == []
    assert (await send(bus, "attach_complaint_file", TINA, **photo())).ok
    js.fail_puts = True  # a second store would now fail: the refusal must come first
    again = await send(bus, "attach_complaint_file", TINA, **photo())
    assert again.error is not None and (again.error.rule, again.error.field) == (
        "R-C2", "content_base64")


async def test_an_attachment_whose_content_cannot_be_stored_stores_no_event() -> None:
    """rule: R-C2 — the content first, then the event: never an event without its content."""
    js = FakeJetStream(fail_puts=True)
    bus = bus_over(js)
    await registered(bus)
    before = stored(bus)
    reply = await send(bus, "attach_complaint_file", TINA, **photo())
    assert reply.error is not None and reply.error.kind == "unavailable"
    assert stored(bus) == before


async def test_technical_support_notes_the_month_analysis() -> None:
    """rule: R-C6 — at each month end technical support analyses complaints."""
    bus = bus_over(FakeJetStream())
    month = bus.app.clock().strftime("%Y-%m")
    refused = await bus.handle("note_complaint_month", json.dumps(
        {"actor": {"user": "amy", "role": "sales_assistant"}, "month": month,
         "text": "burrs"}).encode())
    assert refused.error is not None and (refused.error.kind, refused.error.rule) == (
        "forbidden", "R-C6")
    for text in ("ACME: burrs twice", "and once more"):
        reply = await bus.handle("note_complaint_month", json.dumps(
            {"actor": {"user": "tina", "role": "technical_support"}, "month": month,
             "text": text}).encode())
        assert reply.ok and [e.type for e in reply.events] == ["ComplaintMonthNoted"]
