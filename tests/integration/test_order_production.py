"""A customer order through production and quality on a real nats-server: the internal order
reaches PMC, PMC promises, a lot fails inspection, is reworked and passes (R-O2, R-O4), and the
promise's timer decides a miss for the quantity not made (R-S7)."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import nats

from contracts.subjects import HEADER_TYPE, stream_name
from events.envelope import Actor, Department, OrderLine, Role
from events.sales import InternalOrderIssued
from services.cli.client import Client
from services.domain import record_id
from services.runtime.settings import Settings
from tests.integration.streamtools import messages
from tests.integration.system import running, until
from tests.projection_events import publish

NO = "O-100"
PAM = {"user": "pam", "role": "pmc_planner"}
PETE = {"user": "pete", "role": "production_supervisor"}
QUINN = {"user": "quinn", "role": "qc_inspector"}


def internal_order() -> InternalOrderIssued:
    """What sales' ``issue_internal_order`` stores (sales' order record is not needed here)."""
    now = datetime.now(UTC)
    return InternalOrderIssued(
        originator_id=record_id("order", NO), originator_version=3, timestamp=now,
        event_id=uuid.uuid4(), actor=Actor(user="amy", role=Role.SALES_ASSISTANT),
        correlation_id=uuid.uuid4(), order_no=NO, internal_order_no="IO-100",
        customer="Xiamen Optics 厦门光学", requested_date=(now + timedelta(days=20)).date(),
        lines=(OrderLine(product="gasket", part_no="P-1", quantity=5000),))


async def events(js: Any, department: str, *types: str) -> list[tuple[str, dict[str, Any]]]:
    """(type, body) of our order's events of these types in a department's stream, in order."""
    found = []
    for msg in await messages(js, stream_name(Department(department))):
        name = (msg.headers or {}).get(HEADER_TYPE, "").split(".v")[0]
        body = json.loads(msg.data)
        if name in types and body.get("order_no") == NO:
            found.append((name, body))
    return found


async def command(client: Client, department: str, name: str, actor: dict[str, str],
                  **fields: Any) -> None:
    reply = await client.command(department, name, {"actor": actor, "order_no": NO, **fields})
    assert reply.ok, reply.error and reply.error.sentence()


async def test_a_lot_fails_inspection_is_reworked_and_passes_across_production_and_quality(
        settings: Settings) -> None:
    """rule: R-O2 rule: R-O4 rule: R-S7"""
    async with running(settings, ["production", "quality"]):
        nc = await nats.connect(settings.nats_url)
        js, client = nc.jetstream(), Client(nc)

        async def seen(department: str, kind: str, count: int = 1) -> None:
            await until(lambda: has(department, kind, count), f"{count} {kind} in {department}")

        async def has(department: str, kind: str, count: int) -> bool:
            return len(await events(js, department, kind)) >= count

        issued = internal_order()
        await publish(js, [issued])
        await seen("production", "InternalOrderReceived")
        promised_at = datetime.now(UTC) + timedelta(seconds=4)
        await command(client, "production", "promise_order_delivery", PAM,
                      promised_at=promised_at.isoformat(), note="film in stock")
        await command(client, "production", "complete_lot", PETE, lot_no="L-1", quantity=2000)
        await seen("quality", "InspectionRequested")
        await command(client, "quality", "inspect_lot", QUINN, lot_no="L-1", result="fail",
                      findings="burr on the edge")
        await seen("production", "ReworkStarted")
        await command(client, "production", "complete_lot", PETE, lot_no="L-1", quantity=2000)
        await seen("quality", "InspectionRequested", 2)
        await command(client, "quality", "inspect_lot", QUINN, lot_no="L-1", result="pass")
        await seen("quality", "InspectionPassed")
        await until(lambda: has("production", "DeliveryPromiseMissed", 1),
                    "the order's promise timer to fire", timeout=30)

        production = await events(js, "production", "InternalOrderReceived", "DeliveryPromised",
                                  "LotCompleted", "ReworkStarted")
        [(_, missed)] = await events(js, "production", "DeliveryPromiseMissed")
        quality = await events(js, "quality", "InspectionRequested", "InspectionPassed",
                               "InspectionFailed")
        await nc.close()
    assert [name for name, _ in production] == [
        "InternalOrderReceived", "DeliveryPromised", "LotCompleted", "ReworkStarted",
        "LotCompleted"]  # the miss falls anywhere after the promise: it depends on the clock
    received, promise, first, rework, second = (body for _, body in production)
    assert received["source_event_id"] == str(issued.event_id)
    assert received["correlation_id"] == str(issued.correlation_id)
    assert (promise["promises"], promise["quantity"], promise["note"]) == \
        ("order", 5000, "film in stock")
    assert (first["attempt"], second["attempt"], second["quantity"]) == (1, 2, 2000)
    assert [name for name, _ in quality] == [
        "InspectionRequested", "InspectionFailed", "InspectionRequested", "InspectionPassed"]
    requested, failed, again, passed = (body for _, body in quality)
    assert requested["source_event_id"] == first["event_id"]
    assert again["source_event_id"] == second["event_id"]
    assert (failed["attempt"], failed["findings"], passed["attempt"]) == (1, "burr on the edge", 2)
    assert rework["source_event_id"] == failed["event_id"] and rework["attempt"] == 1
    # Only 2,000 of the 5,000 promised were made by the promised time, without a notice.
    assert missed["causation_id"] == promise["event_id"]
    assert (missed["promises"], missed["notice_given"], missed["completed_at"]) == \
        ("order", False, None)
    assert datetime.fromisoformat(missed["promised_at"]) == promised_at
