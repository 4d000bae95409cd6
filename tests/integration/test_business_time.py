"""Business time on a real nats-server (issue 9): a step recorded after it happened keeps both
times through the command bus, the event store, the stream and the audit trail; a time before the
record's previous step is refused and stores nothing; a reaction in another department happens at
its cause's business time."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import nats

from contracts.subjects import HEADER_TYPE, QUERY_HISTORY, stream_name
from events.envelope import Actor, Department, OrderLine, Role
from events.sales import InternalOrderIssued
from services.cli.client import Client
from services.domain import record_id
from services.production.application import ProductionApplication
from services.runtime.settings import Settings
from tests.integration.streamtools import messages, stored_event_ids
from tests.integration.system import running, until
from tests.projection_events import publish

NO = "O-BT1"
PAM = {"user": "pam", "role": "pmc_planner"}


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def internal_order(happened: datetime, recorded: datetime) -> InternalOrderIssued:
    """Sales' internal order, handed over at ``happened`` and typed in at ``recorded``."""
    return InternalOrderIssued(
        originator_id=record_id("order", NO), originator_version=3, timestamp=happened,
        recorded_at=recorded, event_id=uuid.uuid4(),
        actor=Actor(user="amy", role=Role.SALES_ASSISTANT), correlation_id=uuid.uuid4(),
        order_no=NO, internal_order_no="IO-BT1", customer="ACME",
        requested_date=(recorded + timedelta(days=20)).date(),
        lines=(OrderLine(product="gasket", part_no="P-1", quantity=5000),))


async def production_events(js: Any) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for msg in await messages(js, stream_name(Department.PRODUCTION)):
        body = json.loads(msg.data)
        if body.get("order_no") == NO:
            found.append(((msg.headers or {}).get(HEADER_TYPE, "").split(".v")[0], body))
    return found


async def test_a_backdated_step_keeps_both_times_and_one_before_the_previous_step_is_refused(
        settings: Settings) -> None:
    """rule: R-O2 — the internal order handed over at 08:00 is received by PMC at 08:00 (its
    consumer's clock is later); PMC's promise given at 09:00 is typed in now; a delay notice
    dated before that promise is refused, and production's store holds nothing more."""
    start = datetime.now(UTC).replace(microsecond=0)
    handed_over = start - timedelta(hours=3)
    promised_on_floor = start - timedelta(hours=2)
    async with running(settings, ["production", "projections"]):
        nc = await nats.connect(settings.nats_url or "")
        js, client = nc.jetstream(), Client(nc)
        await publish(js, [internal_order(handed_over, start - timedelta(hours=1))])

        async def count(n: int) -> bool:
            return len(await production_events(js)) >= n

        await until(lambda: count(1), "production to receive the internal order")
        reply = await client.command("production", "promise_order_delivery", {
            "actor": PAM, "order_no": NO, "promised_at": (start + timedelta(days=5)).isoformat(),
            "occurred_at": promised_on_floor.isoformat()})
        assert reply.ok, reply.error and reply.error.sentence()
        refused = await client.command("production", "notify_order_delay", {
            "actor": PAM, "order_no": NO, "kind": "delay", "reason": "film late",
            "new_promised_at": (start + timedelta(days=7)).isoformat(),
            "occurred_at": (promised_on_floor - timedelta(minutes=30)).isoformat()})
        await until(lambda: count(2), "the promise to be relayed")
        trail: list[dict[str, Any]] = []

        async def audited() -> bool:
            trail[:] = await client.query(QUERY_HISTORY, {"record_no": NO})
            return len(trail) >= 3

        await until(audited, "the audit trail to hold the three events")
        stream = await production_events(js)
        await nc.close()
    stored = stored_event_ids(ProductionApplication(settings.store_env("production")))
    assert len(stored) == 2  # received and promised: the refused notice stored nothing
    [(_, received), (_, promise)] = stream
    assert moment(received["timestamp"]) == handed_over  # the reaction: its cause's time
    assert moment(received["recorded_at"]) >= start
    assert moment(promise["timestamp"]) == promised_on_floor  # the command's occurred_at
    assert moment(promise["recorded_at"]) >= start
    error = refused.error
    assert not refused.ok and error is not None
    assert (error.kind, error.field) == ("validation", "occurred_at")
    assert "DeliveryPromised" in error.message_en and "occurred_at" in error.message_zh
    assert "上一步" in error.message_zh
    times = {e["type"]: (moment(e["occurred_at"]), moment(e["recorded_at"])) for e in trail}
    assert times["InternalOrderIssued"] == (handed_over, start - timedelta(hours=1))
    assert times["InternalOrderReceived"][0] == handed_over
    assert times["DeliveryPromised"][0] == promised_on_floor
    assert all(recorded >= start for _, recorded in (times["InternalOrderReceived"],
                                                     times["DeliveryPromised"]))
