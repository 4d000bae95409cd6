"""Engineering's process instructions (工艺指导书) of a customer order (R-O2): requested by sales'
internal order, issued by an engineer as a document in the object store, each issue the next
revision; a refused command leaves nothing in the object store."""
from __future__ import annotations

import base64
import functools
import hashlib
import json
import uuid
from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import Tracking
from nats.js.errors import ObjectNotFoundError

from contracts.commands.engineering import IssueProcessInstructions
from contracts.replies import CommandReply
from events import engineering as eng
from events.envelope import Actor, OrderLine, Role
from events.sales import InternalOrderIssued
from services.domain import record_id
from services.engineering.application import EngineeringApplication
from services.engineering.process_instructions import ProcessInstructions, instructions_id
from services.engineering.wiring import SPEC
from services.runtime import object_store
from services.runtime.commands import CommandBus
from tests.unit.builders import T0, ctx
from tests.unit.company import Company

ERIC = ("eric", "engineer")


class Bucket:
    """In memory in place of the JetStream object store (the real one: tests/integration)."""

    def __init__(self, fail_puts: bool = False) -> None:
        self.objects: dict[str, bytes] = {}
        self.fail_puts = fail_puts

    async def object_store(self, name: str) -> Bucket:
        assert name == object_store.BUCKET
        return self

    async def get_info(self, name: str) -> Any:
        if name not in self.objects:
            raise ObjectNotFoundError
        return type("Info", (), {"size": len(self.objects[name]), "deleted": False})()

    async def put(self, name: str, data: bytes) -> None:
        if self.fail_puts:
            raise ConnectionError("object store unreachable")
        self.objects[name] = data


def internal_order(order_no: str = "O-1") -> InternalOrderIssued:
    """Sales' internal order, as the sales stream delivers it to engineering."""
    return InternalOrderIssued(
        originator_id=record_id("order", order_no), originator_version=3, timestamp=T0,
        event_id=uuid.uuid4(), actor=Actor(user="amy", role=Role.SALES_ASSISTANT),
        correlation_id=uuid.uuid4(), order_no=order_no, internal_order_no=f"IO-{order_no}",
        customer="ACME", lines=(OrderLine(product="gasket", part_no="P-1", quantity=5000),),
        requested_date=date(2026, 12, 1))


def bus_over(bucket: Bucket, preparers: bool = True) -> CommandBus:
    """Engineering's wiring, the preparer bound to ``bucket`` the way the service binds it."""
    assert set(SPEC.preparers) == {IssueProcessInstructions}
    bound = {cls: functools.partial(prep, bucket) for cls, prep in SPEC.preparers.items()}
    app = EngineeringApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return CommandBus(app, SPEC.commands, preparers=bound if preparers else None)  # type: ignore[arg-type]


def requested(bus: CommandBus, order_no: str = "O-1") -> InternalOrderIssued:
    """Sales' internal order delivered to engineering at the next position of the sales stream."""
    app: EngineeringApplication = bus.app  # type: ignore[assignment]
    cause = internal_order(order_no)
    app.on_internal_order_issued(cause, Tracking("SALESFLOW_SALES",
                                                 app.tracked_position("SALESFLOW_SALES") + 1))
    return cause


def document(content: bytes | None = b"WI rev 1", **extra: Any) -> dict[str, Any]:
    fields = {"document_no": "WI-1", "filename": "wi.pdf", "media_type": "application/pdf",
              **extra}
    if content is not None:
        fields["content_base64"] = base64.b64encode(content).decode()
    return fields


async def issue(bus: CommandBus, who: tuple[str, str] = ERIC, order_no: str = "O-1",
                **fields: Any) -> CommandReply:
    body = {"actor": {"user": who[0], "role": who[1]}, "order_no": order_no,
            **(fields or document())}
    return await bus.handle("issue_process_instructions", json.dumps(body).encode())


def issued(bus: CommandBus, order_no: str = "O-1") -> list[eng.ProcessInstructionsIssued]:
    events = bus.app.repository.event_store.get(instructions_id(order_no))  # type: ignore[attr-defined]
    return [e for e in events if isinstance(e, eng.ProcessInstructionsIssued)]


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def stored_events(bus: CommandBus) -> int:
    return bus.app.recorder.max_notification_id() or 0  # type: ignore[attr-defined, no-any-return]


async def test_the_internal_order_gives_engineering_the_order_data() -> None:
    """rule: R-O2 — the assistant gives the order data to engineering."""
    bus = bus_over(Bucket())
    cause = requested(bus)
    [event] = bus.app.repository.event_store.get(instructions_id("O-1"))  # type: ignore[attr-defined]
    assert isinstance(event, eng.ProcessInstructionsRequested)
    assert (event.order_no, event.internal_order_no, event.customer) == ("O-1", "IO-O-1", "ACME")
    assert event.lines == cause.lines and event.source_event_id == cause.event_id
    assert event.causation_id == cause.event_id and event.actor.role == Role.SYSTEM


async def test_an_engineer_issues_the_instructions_stored_under_their_hash() -> None:
    """rule: R-O2 — engineering writes the process instructions, a document in the object
    store; the event keeps its hash, size and revision."""
    bucket = Bucket()
    bus = bus_over(bucket)
    requested(bus)
    reply = await issue(bus)
    assert reply.ok and [e.type for e in reply.events] == ["ProcessInstructionsIssued"]
    assert bucket.objects == {sha(b"WI rev 1"): b"WI rev 1"}
    [first] = issued(bus)
    assert (first.document_no, first.revision, first.filename, first.media_type) == (
        "WI-1", 1, "wi.pdf", "application/pdf")
    assert (first.sha256, first.size, first.actor.user) == (sha(b"WI rev 1"), 8, "eric")


async def test_each_issue_is_the_next_revision_of_the_same_document() -> None:
    """rule: R-O2 — the process instructions with their version."""
    bucket = Bucket()
    bus = bus_over(bucket)
    requested(bus)
    for content in (b"WI rev 1", b"WI rev 2", b"WI rev 3"):
        assert (await issue(bus, **document(content))).ok
    assert [(e.revision, e.sha256) for e in issued(bus)] == [
        (1, sha(b"WI rev 1")), (2, sha(b"WI rev 2")), (3, sha(b"WI rev 3"))]
    assert set(bucket.objects) == {sha(b"WI rev 1"), sha(b"WI rev 2"), sha(b"WI rev 3")}
    requested(bus, "O-2")  # another order's instructions count their own revisions
    assert (await issue(bus, order_no="O-2", **document(b"other order"))).ok
    assert [e.revision for e in issued(bus, "O-2")] == [1]


async def test_a_new_revision_keeps_the_document_number() -> None:
    """rule: R-O2 — a revision under another number would be another document."""
    bucket = Bucket()
    bus = bus_over(bucket)
    requested(bus)
    assert (await issue(bus)).ok
    reply = await issue(bus, **document(b"WI rev 2", document_no="WI-9"))
    assert reply.error is not None and (reply.error.rule, reply.error.field) == (
        "R-O2", "document_no")
    assert "WI-1" in reply.error.message_zh
    assert set(bucket.objects) == {sha(b"WI rev 1")} and [e.revision for e in issued(bus)] == [1]


@pytest.mark.parametrize("situation, who, order_no, kind", [
    ("a sales assistant issues", ("amy", "sales_assistant"), "O-1", "forbidden"),
    ("the internal order has not reached engineering", ERIC, "O-404", "rule"),
])
async def test_a_refused_issue_leaves_nothing_in_the_object_store(
        situation: str, who: tuple[str, str], order_no: str, kind: str) -> None:
    """rule: R-O2 — only an engineer, only after the order data arrived; checked before the
    content is stored."""
    bucket = Bucket()
    bus = bus_over(bucket)
    requested(bus)
    before = stored_events(bus)
    reply = await issue(bus, who, order_no)
    assert reply.error is not None and (reply.error.kind, reply.error.rule) == (kind, "R-O2")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in reply.error.message_zh), situation
    assert bucket.objects == {} and stored_events(bus) == before, situation


async def test_instructions_before_the_internal_order_are_refused_naming_the_rule() -> None:
    """rule: R-O2 — refused before the request exists, whatever the order number."""
    bucket = Bucket()
    bus = bus_over(bucket)
    reply = await issue(bus)
    assert reply.error is not None and (reply.error.rule, reply.error.field) == ("R-O2", "order_no")
    assert "内部订单" in reply.error.message_zh and bucket.objects == {}
    assert stored_events(bus) == 0


@pytest.mark.parametrize("fields, field, zh", [
    (lambda: document(None), "content_base64", "缺少"),
    (lambda: {**document(), "content_base64": "not base64!"}, "content_base64", "base64"),
    (lambda: document(None, content_sha256="a" * 64, size=5), "content_sha256", "content_sha256"),
    (lambda: document(content_sha256="b" * 64), "content_sha256", "不符"),
])
async def test_bad_content_is_refused_naming_the_field(fields: Any, field: str, zh: str) -> None:
    """rule: R-O2 — the instructions' document is the content sent, checked and hashed by the
    service; a hash alone names nothing."""
    bucket = Bucket()
    bus = bus_over(bucket)
    requested(bus)
    reply = await issue(bus, **fields())
    assert reply.error is not None and (reply.error.kind, reply.error.field) == ("validation", field)
    assert zh in reply.error.message_zh
    assert bucket.objects == {} and issued(bus) == []


async def test_without_its_preparer_the_service_refuses_rather_than_record_unstored_content(
        ) -> None:
    """rule: R-O2 — an event must never name content that is not in the object store."""
    bus = bus_over(Bucket(), preparers=False)
    requested(bus)
    faked = await issue(bus, **document(None, content_sha256="a" * 64, size=5))
    assert faked.error is not None and faked.error.field == "content_sha256"
    unchecked = await issue(bus)
    assert unchecked.error is not None and unchecked.error.kind == "unavailable"
    assert issued(bus) == []


async def test_an_accepted_issue_whose_content_cannot_be_stored_stores_no_event() -> None:
    """rule: R-O2 — the content first, then the event."""
    bus = bus_over(Bucket(fail_puts=True))
    requested(bus)
    reply = await issue(bus)
    assert reply.error is not None and reply.error.kind == "unavailable"
    assert "请重试" in reply.error.message_zh and issued(bus) == []


def test_engineering_receives_each_internal_order_once() -> None:
    """rule: R-O2 — the order data reaches engineering once, also when the sales stream
    delivers it again after the instructions were issued (a new stream sequence each time)."""
    company = Company()
    cause = internal_order()
    reaction = company.engineering.on_internal_order_issued
    assert company.deliver(reaction, cause) != []
    assert company.deliver(reaction, cause) == []
    instructions = company.engineering.load_or_new(ProcessInstructions, instructions_id("O-1"))
    instructions.issue(ctx(Role.ENGINEER, "eric"), document_no="WI-1", filename="wi.pdf",
                       media_type="application/pdf", sha256=sha(b"WI"), size=2)
    company.engineering.store(instructions)
    assert company.deliver(reaction, cause) == []
    assert len(company.of_type(company.engineering, eng.ProcessInstructionsRequested)) == 1
    assert company.engineering.load_or_new(ProcessInstructions,
                                           instructions_id("O-1")).revision == 1
