"""The Complaint Summary on a real nats-server: sales' stream and the departments' complaint desk
streams applied live equal a rebuild from the streams, and the same events again under new
message ids change nothing. Events are published straight into the department streams, as the
relays would."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import nats

from contracts.subjects import (
    CTL_REBUILD,
    PROJECTIONS,
    QUERY_COMPLAINT_MONTH,
    QUERY_COMPLAINTS,
    status_subject,
)
from events.envelope import DomainEvent
from services.runtime.settings import Settings
from tests.complaint_events import COMPLAINT_T0, complaint_note, complaint_path
from tests.integration.system import request, running, until
from tests.projection_events import publish

SCENARIOS: list[tuple[str, dict[str, Any]]] = [
    ("C-1", {"visit": True}),
    ("C-2", {"customer": "Bolt", "severity": "minor"}),
    ("C-3", {"redirected_from": "production", "responsible": "production", "reopened": 1}),
    ("C-4", {"severity": "needs_data", "responsible": "engineering", "until": "replied"}),
    ("C-5", {"redirected_from": "quality", "until": "forwarded",
             "start": COMPLAINT_T0 + timedelta(hours=2)}),
]


def history() -> list[DomainEvent]:
    events = [e for no, kw in SCENARIOS for stream in complaint_path(no, **kw).values() for e in stream]
    return events + complaint_note("2026-11", "burrs: die 7 worn")


async def tables(nc: Any) -> dict[str, Any]:
    return {"complaints": await request(nc, QUERY_COMPLAINTS, {}),
            "bolt": await request(nc, QUERY_COMPLAINTS, {"customer": "Bolt", "month": "2026-11"}),
            "complex": await request(nc, QUERY_COMPLAINTS, {"severity": "complex"}),
            "month": await request(nc, QUERY_COMPLAINT_MONTH, {"month": "2026-11"})}


async def applied(nc: Any, count: int) -> bool:
    state = await request(nc, status_subject(PROJECTIONS), {})
    return sum(c["processed"] for c in state["consumers"].values()) >= count


async def test_rebuilding_the_complaint_summary_gives_the_live_rows(
        backend_settings: Settings) -> None:
    """rule: R-C2 — the Complaint Summary rebuilt from the streams equals the one applied live,
    with sales' and the departments' streams interleaved as the consumers happened to take
    them; rule: R-C6 — so does the month's analysis with technical support's notes."""
    events = history()
    async with running(backend_settings, ["projections"]):
        nc = await nats.connect(backend_settings.nats_url)
        js = nc.jetstream(timeout=10)
        await publish(js, events)
        await until(lambda: applied(nc, len(events)), "the live tables to hold every event", 30)
        live = await tables(nc)
        assert [r["complaint_no"] for r in live["complaints"]] == ["C-1", "C-2", "C-3", "C-4", "C-5"]
        assert [r["status"] for r in live["complaints"]] == [
            "closed", "closed", "closed", "replied", "forwarded"]
        assert [r["redirected_from"] for r in live["complaints"]] == [
            None, None, "production", None, "quality"]
        assert live["complaints"][2]["reopen_count"] == 1
        assert [r["complaint_no"] for r in live["bolt"]] == ["C-2"]
        assert [r["complaint_no"] for r in live["complex"]] == ["C-1", "C-3"]
        month = live["month"]
        assert (month["complaints"], month["open"], month["closed"]) == (5, 2, 3)
        assert month["notes"][0]["text"] == "burrs: die 7 worn"

        reply = await request(nc, CTL_REBUILD, {"model": "complaints"}, timeout=60)
        assert reply["models"] == ["complaints"]
        assert await tables(nc) == live
        reply = await request(nc, CTL_REBUILD, {}, timeout=60)
        assert {"complaints", "complaint_notes"} <= set(reply["models"])
        assert await tables(nc) == live

        await publish(js, events, msg_id="again:{event_id}")
        await until(lambda: applied(nc, 2 * len(events)), "the duplicates to be consumed", 30)
        assert await tables(nc) == live
        await nc.close()
