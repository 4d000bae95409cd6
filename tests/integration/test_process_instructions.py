"""Engineering's process instructions on a real nats-server (R-O2): sales' internal order on the
sales stream reaches the engineering service, an engineer issues the instructions, the content
lands in the JetStream object store under its hash and the event on engineering's stream."""
from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

import nats
from nats.js.errors import NotFoundError

from contracts.subjects import HEADER_TYPE, stream_name
from events.envelope import Actor, Department, OrderLine, Role
from events.sales import InternalOrderIssued
from services.cli.client import Client
from services.domain import record_id
from services.runtime.object_store import BUCKET, STREAM
from services.runtime.settings import Settings
from tests.integration.streamtools import messages
from tests.integration.system import running, until
from tests.projection_events import publish

ENGINEERING = stream_name(Department.ENGINEERING)
ERIC = ("eric", "engineer")


def internal_order(order_no: str) -> InternalOrderIssued:
    return InternalOrderIssued(
        originator_id=record_id("order", order_no), originator_version=3,
        timestamp=datetime.now(UTC), event_id=uuid.uuid4(),
        actor=Actor(user="amy", role=Role.SALES_ASSISTANT), correlation_id=uuid.uuid4(),
        order_no=order_no, internal_order_no=f"IO-{order_no}", customer="ACME",
        lines=(OrderLine(product="gasket", part_no="P-1", quantity=5000),),
        requested_date=date(2026, 12, 1))


async def stored_objects(js: Any) -> int:
    """Messages in the documents bucket's stream (chunks and metadata); 0 if none yet."""
    try:
        return int((await js.stream_info(STREAM)).state.messages)
    except NotFoundError:
        return 0


async def engineering_events(js: Any, type_name: str) -> list[dict[str, Any]]:
    try:
        found = await messages(js, ENGINEERING)
    except NotFoundError:
        return []
    return [json.loads(m.data) for m in found
            if (m.headers or {}).get(HEADER_TYPE, "").startswith(f"{type_name}.")]


async def published(js: Any, type_name: str, wanted: int) -> bool:
    return len(await engineering_events(js, type_name)) == wanted


async def test_instructions_are_issued_after_the_internal_order_and_stored_by_hash(
        settings: Settings) -> None:
    """rule: R-O2 — the assistant gives the order data to engineering, which writes the process
    instructions, a document in the object store with its version; refused commands (before the
    order data, wrong role, another document number) store nothing."""
    async with running(settings, ["engineering"]):
        nc = await nats.connect(settings.nats_url)
        client, js = Client(nc), nc.jetstream(timeout=10)

        async def issue(content: bytes, who: tuple[str, str] = ERIC,
                        document_no: str = "WI-7") -> Any:
            return await client.command("engineering", "issue_process_instructions", {
                "actor": {"user": who[0], "role": who[1]}, "order_no": "O-7",
                "document_no": document_no, "filename": "wi-o7.pdf",
                "media_type": "application/pdf",
                "content_base64": base64.b64encode(content).decode()})

        try:
            early = await issue(b"%PDF WI rev 1")
            assert early.error and (early.error.rule, early.error.field) == ("R-O2", "order_no")
            assert await stored_objects(js) == 0

            cause = internal_order("O-7")
            await publish(js, [cause])
            await until(lambda: published(js, "ProcessInstructionsRequested", 1),
                        "engineering to receive the internal order")
            [requested] = await engineering_events(js, "ProcessInstructionsRequested")
            assert (requested["order_no"], requested["source_event_id"]) == ("O-7",
                                                                            str(cause.event_id))

            wrong = await issue(b"%PDF WI rev 1", who=("amy", "sales_assistant"))
            assert wrong.error and (wrong.error.kind, wrong.error.rule) == ("forbidden", "R-O2")
            assert await stored_objects(js) == 0

            for content in (b"%PDF WI rev 1", b"%PDF WI rev 2"):
                reply = await issue(content)
                assert reply.ok, reply.error and reply.error.sentence()
                assert [e.type for e in reply.events] == ["ProcessInstructionsIssued"]
            await until(lambda: published(js, "ProcessInstructionsIssued", 2),
                        "the relay to publish both revisions")
            first, second = await engineering_events(js, "ProcessInstructionsIssued")
            bucket = await js.object_store(BUCKET)
            for event, revision, content in ((first, 1, b"%PDF WI rev 1"),
                                             (second, 2, b"%PDF WI rev 2")):
                sha256 = hashlib.sha256(content).hexdigest()
                assert (event["order_no"], event["document_no"], event["revision"]) == (
                    "O-7", "WI-7", revision)
                assert (event["sha256"], event["size"], event["filename"]) == (
                    sha256, len(content), "wi-o7.pdf")
                assert (await bucket.get(sha256)).data == content

            stored = await stored_objects(js)
            renamed = await issue(b"%PDF WI rev 3", document_no="WI-8")
            assert renamed.error and (renamed.error.rule, renamed.error.field) == (
                "R-O2", "document_no")
            assert await stored_objects(js) == stored
        finally:
            await nc.close()
