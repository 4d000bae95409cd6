"""The complaint desks of production, quality and engineering on a real nats-server: sales'
escalation reaches only the responsible department, which records its analysis (R-C2), and a
complaint that reached production first is redirected into sales (R-C4)."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import nats

from contracts.subjects import HEADER_TYPE, stream_name
from events.envelope import Actor, Department, Role
from events.sales import ComplaintEscalated
from services.cli.client import Client
from services.domain import record_id
from services.runtime.settings import Settings
from tests.integration.streamtools import messages
from tests.integration.system import running, until
from tests.projection_events import publish

DEPARTMENTS = ("production", "quality", "engineering")
QUINN = {"user": "quinn", "role": "qc_inspector"}
PAM = {"user": "pam", "role": "pmc_planner"}


def escalation(complaint_no: str, responsible: str) -> ComplaintEscalated:
    """What sales' ``escalate_complaint`` stores (sales' complaint record is not needed here)."""
    return ComplaintEscalated(
        originator_id=record_id("complaint", complaint_no), originator_version=8,
        timestamp=datetime.now(UTC), event_id=uuid.uuid4(),
        actor=Actor(user="tina", role=Role.TECHNICAL_SUPPORT), correlation_id=uuid.uuid4(),
        complaint_no=complaint_no, responsible=Department(responsible), purpose="handling",
        form_no=f"F-{complaint_no}", customer="Xiamen Optics 厦门光学", product_model="G-200",
        problem="burrs on the edge", batch="B-7", order_no="O-1")


async def desk_events(js: Any, department: str) -> list[tuple[str, dict[str, Any]]]:
    """(type, body) of the complaint desk events in a department's stream, in order."""
    found = []
    for msg in await messages(js, stream_name(Department(department))):
        name = (msg.headers or {}).get(HEADER_TYPE, "").split(".v")[0]
        if "Complaint" in name:
            found.append((name, json.loads(msg.data)))
    return found


async def test_an_escalated_complaint_is_investigated_by_the_responsible_department_only(
        settings: Settings) -> None:
    """rule: R-C2 rule: R-C4"""
    assert settings.nats_url is not None
    async with running(settings, list(DEPARTMENTS)):
        nc = await nats.connect(settings.nats_url)
        js, client = nc.jetstream(), Client(nc)

        async def has(department: str, kind: str, complaint_no: str) -> bool:
            return any(name == kind and body["complaint_no"] == complaint_no
                       for name, body in await desk_events(js, department))

        async def seen(department: str, kind: str, complaint_no: str) -> None:
            await until(lambda: has(department, kind, complaint_no),
                        f"{kind} of {complaint_no} in {department}")

        escalated = escalation("K-1", "quality")
        # Then one complaint escalated to each other department: each consumer reads the sales
        # stream in order, so once these are opened, K-1 was read there too (and left alone).
        later = {"production": escalation("K-2", "production"),
                 "engineering": escalation("K-3", "engineering")}
        await publish(js, [escalated, *later.values()])
        await seen("quality", "QualityComplaintInvestigationOpened", "K-1")
        await seen("production", "ProductionComplaintInvestigationOpened", "K-2")
        await seen("engineering", "EngineeringComplaintInvestigationOpened", "K-3")

        refused = await client.command("production", "record_complaint_analysis", {
            "actor": PAM, "complaint_no": "K-1", "cause": "?", "measures": "?"})
        reply = await client.command("quality", "record_complaint_analysis", {
            "actor": QUINN, "complaint_no": "K-1", "cause": "worn die",
            "measures": "new die; 100% inspection of the next three lots"})
        assert reply.ok, reply.error and reply.error.sentence()
        await seen("quality", "QualityComplaintAnalysed", "K-1")

        reply = await client.command("production", "redirect_complaint", {
            "actor": PAM, "complaint_no": "K-9", "channel": "phone", "customer": "ACME",
            "summary": "labels peel off", "how": "caller_told_process"})
        assert reply.ok, reply.error and reply.error.sentence()
        await seen("production", "ProductionComplaintRedirected", "K-9")
        streams = {d: await desk_events(js, d) for d in DEPARTMENTS}
        await nc.close()

    assert refused.error is not None and (refused.error.kind, refused.error.rule) == ("rule", "R-C2")
    assert [(name, body["complaint_no"]) for name, body in streams["quality"]] == [
        ("QualityComplaintInvestigationOpened", "K-1"), ("QualityComplaintAnalysed", "K-1")]
    assert [(name, body["complaint_no"]) for name, body in streams["production"]] == [
        ("ProductionComplaintInvestigationOpened", "K-2"), ("ProductionComplaintRedirected", "K-9")]
    assert [(name, body["complaint_no"]) for name, body in streams["engineering"]] == [
        ("EngineeringComplaintInvestigationOpened", "K-3")]
    (_, opened), (_, analysed) = streams["quality"]
    assert opened["source_event_id"] == str(escalated.event_id) == opened["causation_id"]
    assert opened["correlation_id"] == str(escalated.correlation_id)
    assert (opened["form_no"], opened["purpose"], opened["batch"]) == ("F-K-1", "handling", "B-7")
    assert (analysed["cause"], analysed["actor"]["user"]) == ("worn die", "quinn")
    redirected = streams["production"][1][1]
    assert (redirected["channel"], redirected["how"], redirected["customer"]) == (
        "phone", "caller_told_process", "ACME")
