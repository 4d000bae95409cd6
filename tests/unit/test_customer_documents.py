"""The customer file through the command bus (R-S2): the preparer stores the content under its
hash, the event keeps only the hash, and clients cannot fake a stored document."""
from __future__ import annotations

import base64
import functools
import hashlib
import json
from typing import Any

import pytest
from nats.js.errors import ObjectNotFoundError

from contracts.commands import ALL
from contracts.commands.customers import MAX_DOCUMENT_BYTES, FileCustomerDocument
from services.runtime import object_store
from services.runtime.commands import CommandBus
from services.runtime.store import DepartmentApplication
from services.sales.customer import customer_id
from services.sales.customers import (
    CUSTOMER_COMMANDS,
    CUSTOMER_PREPARERS,
    CustomerUseCases,
)


class App(CustomerUseCases, DepartmentApplication):
    name = "sales"


class Bucket:
    """In memory in place of the JetStream object store (the real one: tests/integration)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    async def object_store(self, name: str) -> Bucket:
        assert name == object_store.BUCKET
        return self

    async def get_info(self, name: str) -> Any:
        if name not in self.objects:
            raise ObjectNotFoundError
        return type("Info", (), {"size": len(self.objects[name]), "deleted": False})()

    async def put(self, name: str, data: bytes) -> None:
        self.objects[name] = data


@pytest.fixture
def bucket() -> Bucket:
    return Bucket()


@pytest.fixture
def bus(bucket: Bucket) -> CommandBus:
    """The sales wiring's customer tables, with the preparer given the in-memory bucket."""
    assert {c.name for c in CUSTOMER_COMMANDS} <= set(ALL["sales"])
    assert set(CUSTOMER_PREPARERS) == {FileCustomerDocument}
    preparers = {cls: functools.partial(prep, bucket) for cls, prep in CUSTOMER_PREPARERS.items()}
    return CommandBus(App(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}), CUSTOMER_COMMANDS,
                      preparers=preparers)  # type: ignore[arg-type]


async def send(bus: CommandBus, name: str, who: tuple[str, str], **fields: Any) -> Any:
    payload = {"actor": {"user": who[0], "role": who[1]}, "customer_no": "C-1", **fields}
    return await bus.handle(name, json.dumps(payload, default=str).encode())


def document(content: bytes | None = b"drawing", **extra: Any) -> dict[str, Any]:
    fields = {"category": "engineering_drawing", "title": "Gasket rev A", "filename": "g.dxf",
              "media_type": "image/vnd.dxf", "filed_on": "2026-11-03", **extra}
    if content is not None:
        fields["content_base64"] = base64.b64encode(content).decode()
    return fields


async def onboard(bus: CommandBus) -> None:
    assert (await send(bus, "submit_customer", ("bob", "salesperson"), customer_name="ACME",
                       contact={"person": "Mr. Wu", "email": "wu@acme.test"})).ok
    assert (await send(bus, "confirm_customer", ("max", "sales_manager"), assistant="amy")).ok


async def test_filing_stores_the_content_under_its_hash_and_the_event_keeps_only_the_hash(
        bus: CommandBus, bucket: Bucket) -> None:
    """rule: R-S2"""
    await onboard(bus)
    reply = await send(bus, "file_customer_document", ("amy", "sales_assistant"), **document())
    assert reply.ok and [e.type for e in reply.events] == ["CustomerDocumentFiled"]
    sha = hashlib.sha256(b"drawing").hexdigest()
    assert bucket.objects == {sha: b"drawing"}
    event = bus.app.repository.event_store.get(customer_id("C-1"))  # type: ignore[attr-defined]
    filed = list(event)[-1]
    assert (filed.sha256, filed.size, filed.filename) == (sha, 7, "g.dxf")


async def test_a_hash_sent_without_the_content_is_refused(bus: CommandBus, bucket: Bucket) -> None:
    """rule: R-S2 — a client cannot file a document by naming a hash it did not send."""
    await onboard(bus)
    fake = document(None, content_sha256="a" * 64, size=5)
    reply = await send(bus, "file_customer_document", ("amy", "sales_assistant"), **fake)
    assert not reply.ok and reply.error.field == "content_sha256"
    assert reply.error.kind == "validation" and "content_sha256" in reply.error.message_zh
    unprepared = CommandBus(bus.app, CUSTOMER_COMMANDS)  # e.g. wired without the preparers
    again = await send(unprepared, "file_customer_document", ("amy", "sales_assistant"), **fake)
    assert not again.ok and again.error.field == "content_sha256"
    with_content = await send(unprepared, "file_customer_document", ("amy", "sales_assistant"),
                              **document())
    assert not with_content.ok and with_content.error.kind == "unavailable"
    assert bucket.objects == {} and bus.app.customer("C-1").version == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize("fields, field, zh", [
    (lambda: document(None), "content_base64", "缺少"),
    (lambda: {**document(), "content_base64": "not base64!"}, "content_base64", "base64"),
    (lambda: document(b"x" * (MAX_DOCUMENT_BYTES + 1)), "content_base64", "10 MB"),
    (lambda: document(content_sha256="b" * 64), "content_sha256", "不符"),
])
async def test_bad_content_is_refused_naming_the_field(bus: CommandBus, bucket: Bucket,
                                                       fields: Any, field: str, zh: str) -> None:
    """rule: R-S2"""
    await onboard(bus)
    reply = await send(bus, "file_customer_document", ("amy", "sales_assistant"), **fields())
    assert not reply.ok and reply.error.field == field and zh in reply.error.message_zh
    assert bucket.objects == {}


async def test_filing_for_an_unknown_customer_is_not_found(bus: CommandBus) -> None:
    """rule: R-S2"""
    reply = await send(bus, "file_customer_document", ("amy", "sales_assistant"), **document())
    assert not reply.ok and reply.error.kind == "not_found" and reply.error.field == "customer_no"
