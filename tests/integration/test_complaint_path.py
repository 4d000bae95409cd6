"""One complaint across the departments on a real nats-server: it reaches quality first by fax
and is redirected into sales (R-C4), technical support registers and judges it (R-C1, R-C2),
the CS supervisor signs the form, it is escalated to quality, whose analysis comes back, the
customer is replied to, is not satisfied (handling reopened), then is, the CS supervisor
verifies and closes it (R-C3); every entry reaches the salesperson (R-C5)."""
from __future__ import annotations

import json
from typing import Any

import nats

from contracts.subjects import COMPONENTS, QUERY_COMPLAINTS, QUERY_HISTORY, command_subject
from services.runtime.settings import Settings
from tests.integration.system import request, running, until

NO = "K-900"
PEOPLE = {"assistant": ("amy", "sales_assistant"), "salesperson": ("bob", "salesperson"),
          "tech": ("tina", "technical_support"), "supervisor": ("sue", "cs_supervisor"),
          "inspector": ("qiu", "qc_inspector")}


async def command(nc: Any, department: str, name: str, who: str, **fields: Any) -> dict[str, Any]:
    user, role = PEOPLE[who]
    msg = await nc.request(command_subject(department, name), json.dumps(
        {"actor": {"user": user, "role": role}, "complaint_no": NO, **fields}).encode(), timeout=10)
    return json.loads(msg.data)  # type: ignore[no-any-return]


async def accepted(nc: Any, department: str, name: str, who: str, **fields: Any) -> None:
    """Send until accepted: a step may wait for another department's reaction to arrive."""
    async def ok() -> bool:
        reply = await command(nc, department, name, who, **fields)
        assert reply["ok"] or reply["error"]["kind"] in ("rule", "not_found"), reply
        return bool(reply["ok"])
    await until(ok, f"{name} to be accepted", 20)


async def handled_by_quality(nc: Any, reply: str) -> None:
    await accepted(nc, "sales", "escalate_complaint", "tech")
    await accepted(nc, "quality", "record_complaint_analysis", "inspector",
                   cause="adhesive lot past its shelf life", measures="new lot, shelf life checked")
    await accepted(nc, "sales", "reply_to_complaint", "tech", reply=reply)


async def test_a_complaint_from_the_wrong_department_to_verified_satisfaction(
        settings: Settings) -> None:
    """rule: R-C1 rule: R-C2 rule: R-C3 rule: R-C4 rule: R-C5"""
    async with running(settings, list(COMPONENTS)):
        nc = await nats.connect(settings.nats_url)
        await accepted(nc, "quality", "redirect_complaint", "inspector", channel="fax",
                       customer="ACME", summary="tape peels off", how="forwarded_to_technical_support")

        async def taken_in() -> bool:  # R-C4: sales takes it in from quality's stream
            trail = await request(nc, QUERY_HISTORY, {"record_no": NO})
            return any(e["type"] == "ComplaintReceived" for e in trail)
        await until(taken_in, "sales to take the complaint in", 20)
        refused = await command(nc, "sales", "register_complaint", "salesperson", customer="ACME",
                                salesperson="bob", product_model="T-1", problem="peels",
                                category="adhesion")
        assert refused["error"]["rule"] == "R-C1", refused
        await accepted(nc, "sales", "register_complaint", "tech", customer="ACME",
                       salesperson="bob", product_model="T-1", problem="tape peels off",
                       category="adhesion")
        await accepted(nc, "sales", "judge_complaint_severity", "tech", severity="complex",
                       responsible="quality")
        await accepted(nc, "sales", "fill_complaint_form", "tech", form_no="F-900",
                       handling="8D by quality")
        await accepted(nc, "sales", "sign_complaint_form", "supervisor")
        await handled_by_quality(nc, "new adhesive lot shipped")
        await accepted(nc, "sales", "record_complaint_follow_up", "tech", satisfied=False,
                       note="still peels")
        closing = await command(nc, "sales", "close_complaint", "supervisor")
        assert closing["error"]["rule"] == "R-C3", closing
        await handled_by_quality(nc, "second adhesive, tested at the customer")
        await accepted(nc, "sales", "record_complaint_follow_up", "tech", satisfied=True,
                       note="holds after two weeks")
        await accepted(nc, "sales", "verify_satisfaction", "supervisor")
        await accepted(nc, "sales", "close_complaint", "supervisor")

        async def closed() -> bool:
            rows = await request(nc, QUERY_COMPLAINTS, {})
            return bool(rows) and rows[0]["status"] == "closed"
        await until(closed, "the closed complaint in the Complaint Summary", 20)
        trail = await request(nc, QUERY_HISTORY, {"record_no": NO})
        kinds = [(e["department"], e["type"]) for e in trail]
        assert kinds[0] == ("quality", "QualityComplaintRedirected")
        assert kinds.count(("quality", "QualityComplaintAnalysed")) == 2
        assert ("sales", "ComplaintReopened") in kinds and ("sales", "ComplaintClosed") in kinds
        delivered = [e for e in trail if e["type"] == "ComplaintEntryDelivered"]
        assert delivered and all(e["facts"]["to"] == "bob" for e in delivered)
        [row] = await request(nc, QUERY_COMPLAINTS, {"salesperson": "bob"})
        assert row["redirected_from"] == "quality" and row["responsible"] == "quality"
        await nc.close()
