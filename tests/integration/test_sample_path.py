"""The sample path across all four services and the projections, on a real nats-server."""
from __future__ import annotations

import asyncio
import contextlib
import os
from datetime import datetime
from typing import Any

import nats

from contracts.calendar import WorkingCalendar
from contracts.subjects import COMPONENTS as ALL_COMPONENTS
from contracts.subjects import (
    CTL_REBUILD,
    QUERY_COMPLAINT_MONTH,
    QUERY_COMPLAINTS,
    QUERY_CUSTOMER_FILE,
    QUERY_CUSTOMERS,
    QUERY_HISTORY,
    QUERY_ORDER_MONTH,
    QUERY_ORDERS,
    QUERY_SAMPLE_MONTH,
    QUERY_SAMPLES,
    QUERY_SLA,
)
from services.cli import demo, demo_complaints, demo_orders
from services.cli.client import Client
from services.runtime.settings import Settings
from tests.integration.system import request, running, until

COMPONENTS = list(ALL_COMPONENTS)
EXPECTED = {f"T-{i + 1:03d}": status for i, status in enumerate(demo.FINAL_STATUS)}
ORDERS = {f"T-O{i + 1:02d}": status for i, status in enumerate(demo_orders.FINAL_STATUS)}
COMPLAINTS = {f"T-K{i + 1:02d}": status for i, status in enumerate(demo_complaints.FINAL_STATUS)}
# The demo's late and nearly-late records (services/cli/demo_sla.py), left where they stand.
LATE_COMPLAINTS = {"T-K11": "received", "T-K12": "received"}
LATE_ORDERS = {"T-O11": "pmc_received", "T-O12": "pmc_received"}


def local_month(at: str, settings: Settings) -> str:
    """The month of a UTC time in the company's zone (the summary's month buckets)."""
    return datetime.fromisoformat(at).astimezone(settings.zone()).strftime("%Y-%m")


def assert_same_rows(rebuilt: list[dict[str, Any]], live: list[dict[str, Any]], key: str) -> None:
    """The rows after a rebuild equal the live ones; a difference names the row and fields."""
    assert [r[key] for r in rebuilt] == [r[key] for r in live]
    for after, before in zip(rebuilt, live, strict=True):
        changed = {f: (before.get(f), after.get(f)) for f in set(after) | set(before)
                   if after.get(f) != before.get(f)}
        assert not changed, f"{after[key]} after the rebuild (live, rebuilt): {changed}"


async def quiet(nc: Any, asked: list[tuple[str, dict[str, Any]]],
                patience: float = 20.0) -> list[Any]:
    """The answers to ``asked`` once two readings half a second apart agree."""
    deadline = asyncio.get_running_loop().time() + patience
    before = [await request(nc, subject, query) for subject, query in asked]
    while True:
        await asyncio.sleep(0.5)
        now = [await request(nc, subject, query) for subject, query in asked]
        if now == before:
            return now
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"the tables still changed after {patience:.0f} s")
        before = now


async def settled(nc) -> bool:  # type: ignore[no-untyped-def]
    rows = await request(nc, QUERY_SAMPLES, {})
    return {r["request_no"]: r["status"] for r in rows} == EXPECTED


async def complaints_settled(nc) -> bool:  # type: ignore[no-untyped-def]
    rows = await request(nc, QUERY_COMPLAINTS, {})
    return {r["complaint_no"]: r["status"] for r in rows} == {**COMPLAINTS, **LATE_COMPLAINTS} \
        and all(r["sla_flags"] for r in rows if r["complaint_no"] in LATE_COMPLAINTS)


async def orders_settled(nc) -> bool:  # type: ignore[no-untyped-def]
    rows = await request(nc, QUERY_ORDERS, {})
    return {r["order_no"]: r["status"] for r in rows} == {**ORDERS, **LATE_ORDERS} \
        and all(r["sla_flags"] for r in rows if r["order_no"] in LATE_ORDERS)


async def test_samples_cross_every_department_and_a_rebuild_gives_the_same_table(
        backend_settings: Settings) -> None:
    """rule: R-S1 rule: R-S2 rule: R-S3 rule: R-S4 rule: R-S5 rule: R-S6 rule: R-S7 rule: R-S8

    Every scenario of the demo, on real services: a new customer onboarded, with its contact
    window and a drawing on file, through to the sample approval sign-off (T-001); an NG trial
    and a second round (T-002); the others. All land in the summary, the customer file and the
    month analysis, identical after a rebuild."""
    async with running(backend_settings, COMPONENTS):
        nc = await nats.connect(backend_settings.nats_url)
        numbers = await demo.run(Client(nc), len(demo.SCENARIOS), "T", out=lambda *_: None)
        assert numbers == sorted(EXPECTED)
        await until(lambda: settled(nc), "every sample to reach its expected status", 40)
        live = await request(nc, QUERY_SAMPLES, {})
        ok, ng, quote, refused, delayed, missed, *partial = live
        assert [r["status"] for r in partial] == list(demo.FINAL_STATUS[6:])
        assert ok["customer"].startswith("Huaxin") and ok["price_status"] == "approved"
        assert ok["scheduled_for"] and ok["promised_at"] and ok["completed_at"]
        assert ok["returned_at"] and ok["application_no"] == "A-T-001-1"
        assert (ok["shipped_method"], ok["trial_result"], ok["approval_ref"]) == ("courier", "ok", "SA-T-001")
        assert ok["tracking_no"] and ok["trial_due_on"] > ok["received_on"] and ok["order_chase"]
        assert (ng["round"], ng["application_no"], ng["trial_result"]) == (2, "A-T-002-2", None)
        assert ng["ng_fix"] and ng["completed_at"]
        assert quote["purpose"] == "quotation" and quote["application_no"] is None
        assert refused["price_rejection"] and refused["escalation"].startswith("requote")
        assert refused["quotation_no"] == "Q-T-004-2"
        assert delayed["delay_notices"] == 1 and delayed["delay_timely"] is True
        assert delayed["penalty_requested_at"] is None
        assert missed["penalty_requested_at"] and missed["late"] is True

        trail = await request(nc, QUERY_HISTORY, {"record_no": "T-001"})
        departments = {e["department"] for e in trail}
        # The SLA service's clock marks (SLA-SAMPLE-MAKE, SLA-DELIVERY, ...) belong to the history.
        assert departments == {"sales", "engineering", "production", "sla"}
        assert trail[0]["type"] == "SampleRequested" and trail[0]["actor_user"] == "amy"
        assert [e["occurred_at"] for e in trail] == sorted(e["occurred_at"] for e in trail)
        assert any(e["type"] == "DeliveryPromised" and e["actor_role"] == "pmc_planner" for e in trail)

        customers = await request(nc, QUERY_CUSTOMERS, {})
        assert len(customers) == 6 and customers[0]["window_sent_at"]
        drawings = await request(nc, QUERY_CUSTOMER_FILE, {"customer_no": "T-C1"})
        month = local_month(live[0]["requested_at"], backend_settings)
        analysis = await request(nc, QUERY_SAMPLE_MONTH, {"month": month})
        assert analysis["samples"] == len(live) and analysis["penalties"] == ["T-006"]
        # rule: R-S8 — every trial of every round: T-001 OK, T-002 NG (round 1), T-010 NG.
        assert analysis["trials"]["ok"] == 1 and analysis["trials"]["ng"] == 2 and analysis["notes"]

        # rule: R-O1 rule: R-O3 rule: R-O4 rule: R-O6 — the demo's orders, each in its state.
        await until(lambda: orders_settled(nc), "every order to reach its expected status", 40)
        orders = await request(nc, QUERY_ORDERS, {})
        on_time, delayed_o, missed_o, rework, breakdown, partial, waiting = (
            r for r in orders if r["order_no"] in ORDERS)
        assert on_time["shipped_qty"] == 5000 and on_time["instructions_revision"] == 1
        assert on_time["files"] and on_time["materials"]
        assert delayed_o["delay_notices"] == 1 and delayed_o["customer_told_latest"]
        assert missed_o["penalty_requested_at"] and missed_o["promises_missed"]
        assert rework["reworked_lots"] == 1 and rework["shipped_qty"] == 5000
        assert breakdown["exception_count"] == 1 and breakdown["exceptions_open"] == 0
        assert (partial["shipped_qty"], partial["completed_qty"]) == (3000, 5000)
        assert waiting["archived_at"] is None and waiting["quotation_request_no"] == "T-009"
        async def noted() -> bool:  # the demo writes the month's notes last
            return bool((await request(nc, QUERY_ORDER_MONTH, {"month": month}))["notes"])
        await until(noted, "the order month's notes", 20)
        order_month = await request(nc, QUERY_ORDER_MONTH, {"month": month})
        assert order_month["orders"] == len(orders) and order_month["penalties"] == ["T-O03"]
        assert order_month["lots_reworked"] == 1 and order_month["notes"]

        # rule: R-C1 rule: R-C2 rule: R-C3 rule: R-C4 rule: R-C5 rule: R-C6 rule: R-C7
        await until(lambda: complaints_settled(nc), "every complaint to reach its expected status", 40)
        complaints = await request(nc, QUERY_COMPLAINTS, {})
        minor, data, redirected, visited, reopened = (
            r for r in complaints if r["complaint_no"] in COMPLAINTS)
        assert minor["severity"] == "minor" and minor["closed_at"]
        assert data["responsible"] == "engineering" and data["measures"]
        assert redirected["redirected_from"] == "production"
        assert visited["visit_findings"] and visited["form_archived_at"] and visited["closed_at"]
        assert reopened["reopen_count"] == 1
        assert all(r["entries_delivered"] for r in complaints if r["complaint_no"] in COMPLAINTS)

        async def complaint_noted() -> bool:  # the demo writes the month's notes last
            return bool((await request(nc, QUERY_COMPLAINT_MONTH, {"month": month}))["notes"])
        await until(complaint_noted, "the complaint month's notes", 20)
        complaint_month = await request(nc, QUERY_COMPLAINT_MONTH, {"month": month})

        # The demo's late and nearly-late records: `salesflow sla` shows them with their due
        # times (the start's business time plus the allowance in working hours).
        late = {(r["clock"], r["record"]): r for r in await request(
            nc, QUERY_SLA, {"states": ["breached", "at_risk"]})}
        calendar = WorkingCalendar.from_env(os.environ)
        for clock, record, state, hours in (
                ("SLA-COMPLAINT-INTAKE", "T-K11", "breached", 2.0),
                ("SLA-COMPLAINT-INTAKE", "T-K12", "at_risk", 2.0),
                ("SLA-PMC-REPLY", "T-O11", "breached", 2.0),
                ("SLA-PMC-REPLY", "T-O12", "at_risk", 2.0)):
            row = late[(clock, record)]
            due = calendar.add_working_hours(datetime.fromisoformat(row["started"]), hours)
            assert (row["state"], datetime.fromisoformat(row["due"])) == (state, due), row
        assert {record for _, record in late} >= {"T-K11", "T-K12", "T-O11", "T-O12"}

        # The tables above were read once each record reached its status; a reaction may still
        # be on its way then (engineering's ProcessInstructionsRequested of T-O12 came later
        # once, and the rebuild had it while that snapshot did not). Compare the rebuild with
        # the tables as they stand once they stop changing.
        asked: list[tuple[str, dict[str, Any]]] = [
            (QUERY_SAMPLES, {}), (QUERY_ORDERS, {}), (QUERY_ORDER_MONTH, {"month": month}),
            (QUERY_COMPLAINTS, {}), (QUERY_COMPLAINT_MONTH, {"month": month}),
            (QUERY_HISTORY, {"record_no": "T-001"}), (QUERY_CUSTOMERS, {}),
            (QUERY_CUSTOMER_FILE, {"customer_no": "T-C1"}), (QUERY_SAMPLE_MONTH, {"month": month})]
        (live, orders, order_month, complaints, complaint_month, trail, customers, drawings,
         analysis) = await quiet(nc, asked)
        reply = await request(nc, CTL_REBUILD, {}, timeout=60)
        assert reply["rows"] == len(live) and reply["events"] > 100
        async def rebuilt_equal(subject: str, live: list[dict[str, Any]]) -> bool:
            return await request(nc, subject, {}) == live
        # A difference that lasts names its rows and fields; one that goes within seconds was
        # the swap racing the last event of a stream (seen twice in ~10 runs; not reproduced).
        with contextlib.suppress(AssertionError):
            await until(lambda: rebuilt_equal(QUERY_ORDERS, orders), "the rebuilt orders", 10)
        assert_same_rows(await request(nc, QUERY_ORDERS, {}), orders, "order_no")
        assert await request(nc, QUERY_ORDER_MONTH, {"month": month}) == order_month
        assert_same_rows(await request(nc, QUERY_COMPLAINTS, {}), complaints, "complaint_no")
        assert await request(nc, QUERY_COMPLAINT_MONTH, {"month": month}) == complaint_month
        assert await request(nc, QUERY_SAMPLES, {}) == live
        assert await request(nc, QUERY_HISTORY, {"record_no": "T-001"}) == trail
        assert await request(nc, QUERY_CUSTOMERS, {}) == customers
        assert await request(nc, QUERY_CUSTOMER_FILE, {"customer_no": "T-C1"}) == drawings
        assert await request(nc, QUERY_SAMPLE_MONTH, {"month": month}) == analysis
        await nc.close()


async def test_the_summary_filters_by_customer_status_and_month(settings: Settings) -> None:
    """rule: R-S5"""
    async with running(settings, COMPONENTS):
        nc = await nats.connect(settings.nats_url)
        await demo.run(Client(nc), len(demo.SCENARIOS), "T", out=lambda *_: None)
        await until(lambda: settled(nc), "every sample to reach its expected status", 40)
        returned = await request(nc, QUERY_SAMPLES, {"status": "returned"})
        assert [r["request_no"] for r in returned] == ["T-002", "T-005", "T-006"]
        mine = await request(nc, QUERY_SAMPLES, {"customer": demo.CUSTOMERS[2]})
        assert [r["request_no"] for r in mine] == ["T-003", "T-009"]
        month = local_month((await request(nc, QUERY_SAMPLES, {}))[0]["requested_at"], settings)
        assert len(await request(nc, QUERY_SAMPLES, {"month": month})) == len(demo.SCENARIOS)
        assert await request(nc, QUERY_SAMPLES, {"month": "1999-01"}) == []
        await nc.close()
