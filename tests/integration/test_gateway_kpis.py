"""``GET /kpis`` through the gateway on a real nats-server (issue 11): after some commands, its
figures equal what the summary tables, the month analyses and the SLA runs answer; as of a moment
before the last command it leaves that command out; a backwards range names its field."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.runtime.settings import Settings
from tests.integration.gateway_harness import Harness, gateway_on
from tests.integration.system import until

CUSTOMER = "Lumen Optics 流明光学"


def sample(no: str) -> dict[str, object]:
    return {"request_no": no, "customer": "ACME", "product": "gasket", "part_no": "P-1",
            "salesperson": "bob", "materials": {"drawings": True}, "purpose": "sample"}


async def rows(h: Harness, table: str, **params: Any) -> list[dict[str, Any]]:
    answer = await h.get(f"/tables/{table}", "amy", limit=1000, **params)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_kpis_equal_what_the_tables_answer(settings: Settings) -> None:
    """rule: R-C6 — complaints per customer and per problem as the month analysis counts them."""
    async with gateway_on(settings, ["sla", "sales", "projections"]) as h:
        await h.person("amy", "sales_assistant")
        await h.person("bob", "salesperson")
        await h.person("tina", "technical_support")
        for no in ("S-1", "S-2"):
            assert (await h.post("/commands/sales/request_sample", "amy",
                                 sample(no))).status_code == 200
        order = await h.post("/commands/sales/receive_order", "bob", {
            "order_no": "O-1", "po_no": "PO-1", "customer": "ACME", "salesperson": "bob",
            "assistant": "amy", "lines": [{"product": "gasket", "part_no": "P-1",
                                           "quantity": 500}],
            "requested_date": (date.today() + timedelta(days=20)).isoformat()})
        assert order.status_code == 200, order.text
        for no, customer in (("K-1", CUSTOMER), ("K-2", CUSTOMER), ("K-3", "ACME")):
            received = await h.post("/commands/sales/receive_complaint", "bob", {
                "complaint_no": no, "channel": "phone", "customer": customer,
                "summary": "burrs 毛刺", "salesperson": "bob"})
            assert received.status_code == 200, received.text
        before_last = datetime.now(UTC)
        for step, who, body in (
                ("forward_complaint", "bob", {"to": "tina"}),
                ("register_complaint", "tina", {"customer": CUSTOMER, "salesperson": "bob",
                                                "product_model": "G-7", "problem": "burrs 毛刺",
                                                "category": "burr"})):
            done = await h.post(f"/commands/sales/{step}", who, {"complaint_no": "K-1", **body})
            assert done.status_code == 200, done.text
        await h.post("/commands/sales/request_sample", "amy", sample("S-3"))

        async def all_in() -> bool:
            return (len(await rows(h, "samples")) == 3
                    and any(r["category"] for r in await rows(h, "complaints")))
        await until(all_in, "the commands in the summary tables")

        answer = await h.get("/kpis", "amy")
        assert answer.status_code == 200, answer.text
        kpis = answer.json()
        zone = ZoneInfo(kpis["zone"])
        today = datetime.now(zone).date()
        month, week = today.strftime("%Y-%m"), "{}-W{:02d}".format(*today.isocalendar()[:2])
        tables = {name: await rows(h, name) for name in ("samples", "orders", "complaints")}
        counts = {name: len(found) for name, found in tables.items()}
        assert counts == {"samples": 3, "orders": 1, "complaints": 3}
        assert {k: kpis["totals"][k] for k in counts} == counts
        assert {k: kpis["weeks"][-1][k] for k in counts} == counts
        assert kpis["weeks"][-1]["period"] == week and kpis["months"][-1]["period"] == month
        assert len(kpis["weeks"]) == len(kpis["months"]) == 12
        per_customer = Counter(r["customer"] for r in tables["complaints"])
        assert {c["name"]: c["count"] for c in kpis["complaints_per_customer"]} == per_customer
        analysis = (await h.get(f"/months/complaints/{month}", "amy")).json()
        assert {c["name"]: c["count"] for c in kpis["complaints_per_problem"]} == {
            name: figures["complaints"] for name, figures in analysis["per_category"].items()}
        assert {c["name"]: c["count"] for c in kpis["complaints_per_problem"]} == {"burr": 1,
                                                                                  "?": 2}
        orders = (await h.get(f"/months/orders/{month}", "amy")).json()["delivery"]
        assert (kpis["months"][-1]["orders_on_time"], kpis["months"][-1]["orders_late"]) == (
            orders["on_time"], orders["late"])
        runs = (await h.get("/sla", "amy", limit=1000)).json()["items"]
        breached = Counter(r["department"] for r in runs
                           if r["state"] in ("breached", "breached_then_met"))
        assert {c["name"]: c["count"] for c in kpis["sla_breaches_per_department"]} == breached

        earlier = (await h.get("/kpis", "amy", as_of=before_last.isoformat())).json()
        assert earlier["as_of"] is not None
        assert (earlier["totals"]["samples"], earlier["totals"]["complaints"]) == (2, 3)
        assert earlier["complaints_per_problem"] == [{"name": "?", "count": 3}]

        chosen = (await h.get("/kpis", "amy", **{"from": today.isoformat(),
                                                  "to": today.isoformat()})).json()
        assert [m["period"] for m in chosen["months"]] == [month]
        assert chosen["totals"]["samples"] == 3
        backwards = await h.get("/kpis", "amy", **{"from": (today + timedelta(days=1))
                                                   .isoformat(), "to": today.isoformat()})
        assert backwards.status_code == 422 and backwards.json()["field"] == "from"
        assert (await h.get("/kpis", "amy", to="2026-13-01")).json()["field"] == "to"
        assert (await h.http.get("/kpis")).status_code == 401
