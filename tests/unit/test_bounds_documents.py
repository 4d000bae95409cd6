"""``file_customer_document`` checks first and stores after: a refused command leaves nothing in
the object store, and the bucket has as many replicas as the streams (issue 6)."""
from __future__ import annotations

import base64
import functools
import hashlib
import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from nats.js.api import ObjectStoreConfig, StreamConfig
from nats.js.errors import BucketNotFoundError, ObjectNotFoundError

from contracts.replies import CommandReply
from services.runtime import object_store
from services.runtime.commands import CommandBus
from services.runtime.store import DepartmentApplication
from services.sales.customers import CUSTOMER_COMMANDS, CUSTOMER_PREPARERS, CustomerUseCases


class App(CustomerUseCases, DepartmentApplication):
    name = "sales"


@dataclass
class FakeJetStream:
    """Just enough of nats-py's JetStream context and object store (the real one:
    tests/integration/test_bounds_nats.py)."""

    replicas: int | None = None  # of an existing bucket; None: no bucket yet
    objects: dict[str, bytes] = field(default_factory=dict)
    created: list[ObjectStoreConfig] = field(default_factory=list)
    updated: list[StreamConfig] = field(default_factory=list)
    fail_puts: bool = False

    async def object_store(self, name: str) -> FakeJetStream:
        assert name == object_store.BUCKET
        if self.replicas is None:
            raise BucketNotFoundError
        return self

    async def create_object_store(self, name: str, config: ObjectStoreConfig) -> FakeJetStream:
        self.created.append(config)
        self.replicas = config.replicas
        return self

    async def stream_info(self, name: str) -> Any:
        assert name == object_store.STREAM
        return SimpleNamespace(config=StreamConfig(name=name, num_replicas=self.replicas))

    async def update_stream(self, config: StreamConfig) -> None:
        self.updated.append(config)
        self.replicas = config.num_replicas

    async def get_info(self, name: str) -> Any:
        if name not in self.objects:
            raise ObjectNotFoundError
        return SimpleNamespace(size=len(self.objects[name]), deleted=False)

    async def put(self, name: str, data: bytes) -> None:
        if self.fail_puts:
            raise ConnectionError("object store unreachable")
        self.objects[name] = data


def bus_over(js: FakeJetStream) -> CommandBus:
    """The sales customer tables, the preparer bound to ``js`` the way the service binds it."""
    preparers = {cls: functools.partial(prep, js) for cls, prep in CUSTOMER_PREPARERS.items()}
    return CommandBus(App(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}), CUSTOMER_COMMANDS,
                      preparers=preparers)  # type: ignore[arg-type]


async def send(bus: CommandBus, name: str, who: tuple[str, str], customer_no: str = "C-1",
               **fields: Any) -> CommandReply:
    body = {"actor": {"user": who[0], "role": who[1]}, "customer_no": customer_no, **fields}
    return await bus.handle(name, json.dumps(body).encode())


def document(content: bytes = b"gasket drawing") -> dict[str, Any]:
    return {"category": "engineering_drawing", "title": "Gasket rev A", "filename": "g.dxf",
            "media_type": "image/vnd.dxf", "filed_on": "2026-11-03",
            "content_base64": base64.b64encode(content).decode()}


AMY = ("amy", "sales_assistant")


async def submit(bus: CommandBus, confirm: bool = True) -> None:
    assert (await send(bus, "submit_customer", ("bob", "salesperson"), customer_name="ACME",
                       contact={"person": "Mr. Wu", "email": "wu@acme.test"})).ok
    if confirm:
        assert (await send(bus, "confirm_customer", ("max", "sales_manager"), assistant="amy")).ok


@pytest.mark.parametrize("situation, who, customer_no, kind", [
    ("a salesperson files", ("bob", "salesperson"), "C-1", "forbidden"),
    ("the customer does not exist", AMY, "C-404", "not_found"),
    ("the customer is not confirmed yet", AMY, "C-1", "rule"),
])
async def test_a_refused_filing_leaves_nothing_in_the_object_store(
        situation: str, who: tuple[str, str], customer_no: str, kind: str) -> None:
    """rule: R-S2 — role and customer are checked before the content is stored."""
    js = FakeJetStream()
    bus = bus_over(js)
    await submit(bus, confirm=situation != "the customer is not confirmed yet")
    events_before = bus.app.recorder.max_notification_id()  # type: ignore[attr-defined]
    reply = await send(bus, "file_customer_document", who, customer_no, **document())
    assert reply.error is not None and reply.error.kind == kind, situation
    assert js.objects == {} and js.created == [], situation
    assert bus.app.recorder.max_notification_id() == events_before  # type: ignore[attr-defined]


async def test_a_document_filed_twice_is_refused_and_stored_once() -> None:
    """rule: R-S2"""
    js = FakeJetStream()
    bus = bus_over(js)
    await submit(bus)
    assert (await send(bus, "file_customer_document", AMY, **document())).ok
    puts = dict(js.objects)
    js.fail_puts = True  # a second store would now fail: the refusal must come first
    again = await send(bus, "file_customer_document", AMY, **document())
    assert again.error is not None and again.error.rule == "R-S2"
    assert js.objects == puts == {hashlib.sha256(b"gasket drawing").hexdigest(): b"gasket drawing"}


async def test_an_accepted_filing_whose_content_cannot_be_stored_stores_no_event() -> None:
    """rule: R-S2 — the content first, then the event: never an event without its content."""
    js = FakeJetStream(fail_puts=True)
    bus = bus_over(js)
    await submit(bus)
    reply = await send(bus, "file_customer_document", AMY, **document())
    assert reply.error is not None and reply.error.kind == "unavailable"
    assert "请重试" in reply.error.message_zh
    assert bus.app.customer("C-1").filed == frozenset()  # type: ignore[attr-defined]


async def test_the_bucket_is_created_with_the_streams_replicas(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Losing one NATS node of a 3-node cluster must not make documents unreadable."""
    monkeypatch.setenv("SALESFLOW_STREAM_REPLICAS", "3")
    js = FakeJetStream()
    bus = bus_over(js)
    await submit(bus)
    assert (await send(bus, "file_customer_document", AMY, **document())).ok
    assert [config.replicas for config in js.created] == [3]


async def test_a_bucket_made_with_one_replica_gets_the_streams_replicas(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESFLOW_STREAM_REPLICAS", "3")
    js = FakeJetStream(replicas=1)
    bus = bus_over(js)
    await submit(bus)
    assert (await send(bus, "file_customer_document", AMY, **document())).ok
    assert [config.num_replicas for config in js.updated] == [3] and js.replicas == 3
    assert (await send(bus, "file_customer_document", AMY, **document(b"rev B"))).ok
    assert len(js.updated) == 1  # already replicated: not updated again
