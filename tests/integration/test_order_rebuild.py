"""The Order Summary on a real nats-server: the four department streams applied live equal a
rebuild from the streams, and the same events again under new message ids change nothing.
Events are published straight into the department streams, as the relays would."""
from __future__ import annotations

from typing import Any

import nats

from contracts.subjects import (
    CTL_REBUILD,
    PROJECTIONS,
    QUERY_ORDER_MONTH,
    QUERY_ORDERS,
    status_subject,
)
from events.envelope import DomainEvent
from services.runtime.settings import Settings
from tests.integration.system import request, running, until
from tests.order_events import order_note, order_path
from tests.projection_events import publish

SCENARIOS: list[tuple[str, dict[str, Any]]] = [
    ("O-1", {}),
    ("O-2", {"customer": "Bolt", "shipments": [("L1",)]}),
    ("O-3", {"delayed": True, "missed": True, "lots": [("L1", 300, 2)], "shipments": [],
             "ordered": 900}),
    ("O-4", {"lots": [], "shipments": [], "ordered": 700, "exception_closed": True}),
]


def history() -> list[DomainEvent]:
    events = [e for no, kw in SCENARIOS for stream in order_path(no, **kw).values() for e in stream]
    return events + order_note("2026-11", "two orders shipped")


async def tables(nc: Any) -> dict[str, Any]:
    return {"orders": await request(nc, QUERY_ORDERS, {}),
            "bolt": await request(nc, QUERY_ORDERS, {"customer": "Bolt", "month": "2026-11"}),
            "month": await request(nc, QUERY_ORDER_MONTH, {"month": "2026-11"})}


async def applied(nc: Any, count: int) -> bool:
    state = await request(nc, status_subject(PROJECTIONS), {})
    return sum(c["processed"] for c in state["consumers"].values()) >= count


async def test_rebuilding_the_order_summary_gives_the_live_rows(backend_settings: Settings) -> None:
    """rule: R-O3 — the Order Summary rebuilt from the streams equals the one applied live,
    with the four department streams interleaved as the consumers happened to take them."""
    events = history()
    async with running(backend_settings, ["projections"]):
        nc = await nats.connect(backend_settings.nats_url)
        js = nc.jetstream(timeout=10)
        await publish(js, events)
        await until(lambda: applied(nc, len(events)), "the live tables to hold every event", 30)
        live = await tables(nc)
        assert [r["order_no"] for r in live["orders"]] == ["O-1", "O-2", "O-3", "O-4"]
        assert [r["status"] for r in live["orders"]] == [
            "shipped", "partly_shipped", "passed", "customer_notified"]
        assert [r["order_no"] for r in live["bolt"]] == ["O-2"]
        assert live["month"]["orders"] == 4 and live["month"]["notes"][0]["text"] == \
            "two orders shipped"

        reply = await request(nc, CTL_REBUILD, {"model": "orders"}, timeout=60)
        assert reply["models"] == ["orders"]
        assert await tables(nc) == live
        reply = await request(nc, CTL_REBUILD, {}, timeout=60)
        assert "orders" in reply["models"] and "order_notes" in reply["models"]
        assert await tables(nc) == live

        await publish(js, events, msg_id="again:{event_id}")
        await until(lambda: applied(nc, 2 * len(events)), "the duplicates to be consumed", 30)
        assert await tables(nc) == live
        await nc.close()
