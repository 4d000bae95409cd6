"""The sample path across all four services and the projections, on a real nats-server."""
from __future__ import annotations

import nats

from contracts.subjects import COMPONENTS as ALL_COMPONENTS
from contracts.subjects import CTL_REBUILD, QUERY_HISTORY, QUERY_SAMPLES
from services.cli import demo
from services.cli.client import Client
from services.runtime.settings import Settings
from tests.integration.system import request, running, until

COMPONENTS = list(ALL_COMPONENTS)
EXPECTED = {"T-001": "returned", "T-002": "returned", "T-003": "signed", "T-004": "returned",
            "T-005": "promised", "T-006": "job_opened"}


async def settled(nc) -> bool:  # type: ignore[no-untyped-def]
    rows = await request(nc, QUERY_SAMPLES, {})
    return {r["request_no"]: r["status"] for r in rows} == EXPECTED


async def test_samples_cross_every_department_and_a_rebuild_gives_the_same_table(
        backend_settings: Settings) -> None:
    """rule: R-S3 rule: R-S5 — a sample request crosses all departments and lands in the summary."""
    async with running(backend_settings, COMPONENTS):
        nc = await nats.connect(backend_settings.nats_url)
        numbers = await demo.run(Client(nc), 6, "T", out=lambda *_: None)
        assert numbers == sorted(EXPECTED)
        await until(lambda: settled(nc), "every sample to reach its expected status")
        live = await request(nc, QUERY_SAMPLES, {})
        first = live[0]
        assert first["customer"].startswith("Huaxin") and first["price_status"] == "approved"
        assert first["scheduled_for"] and first["promised_at"] and first["completed_at"]
        assert first["returned_at"] and first["application_no"] == "A-T-001"

        trail = await request(nc, QUERY_HISTORY, {"record_no": "T-001"})
        departments = {e["department"] for e in trail}
        assert departments == {"sales", "engineering", "production"}
        assert trail[0]["type"] == "SampleRequested" and trail[0]["actor_user"] == "amy"
        assert [e["occurred_at"] for e in trail] == sorted(e["occurred_at"] for e in trail)
        assert any(e["type"] == "DeliveryPromised" and e["actor_role"] == "pmc_planner" for e in trail)

        reply = await request(nc, CTL_REBUILD, {}, timeout=60)
        assert reply["rows"] == 6 and reply["events"] > 60
        assert await request(nc, QUERY_SAMPLES, {}) == live
        assert await request(nc, QUERY_HISTORY, {"record_no": "T-001"}) == trail
        await nc.close()


async def test_the_summary_filters_by_customer_status_and_month(settings: Settings) -> None:
    """rule: R-S5"""
    async with running(settings, COMPONENTS):
        nc = await nats.connect(settings.nats_url)
        await demo.run(Client(nc), 6, "T", out=lambda *_: None)
        await until(lambda: settled(nc), "every sample to reach its expected status")
        returned = await request(nc, QUERY_SAMPLES, {"status": "returned"})
        assert [r["request_no"] for r in returned] == ["T-001", "T-002", "T-004"]
        mine = await request(nc, QUERY_SAMPLES, {"customer": demo.CUSTOMERS[2]})
        assert [r["request_no"] for r in mine] == ["T-003"]
        month = (await request(nc, QUERY_SAMPLES, {}))[0]["requested_at"][:7]
        assert len(await request(nc, QUERY_SAMPLES, {"month": month})) == 6
        assert await request(nc, QUERY_SAMPLES, {"month": "1999-01"}) == []
        await nc.close()
