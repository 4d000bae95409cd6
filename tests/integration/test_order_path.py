"""One customer order across sales, production, engineering and quality on a real nats-server:
intake, internal order, PMC's promise, the customer told, process instructions, a lot failed by
quality, reworked, passed, the shipping note in three copies, arranged and shipped."""
from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import nats

from contracts.subjects import COMPONENTS, QUERY_HISTORY, QUERY_ORDERS, command_subject
from services.runtime.settings import Settings
from tests.integration.system import request, running, until

ORDER = "O-900"
PEOPLE = {"assistant": ("amy", "sales_assistant"), "salesperson": ("bob", "salesperson"),
          "pmc": ("pam", "pmc_planner"), "production": ("pete", "production_supervisor"),
          "inspector": ("qiu", "qc_inspector"), "engineer": ("eric", "engineer")}


async def command(nc: Any, department: str, name: str, who: str, **fields: Any) -> dict[str, Any]:
    user, role = PEOPLE[who]
    msg = await nc.request(command_subject(department, name), json.dumps(
        {"actor": {"user": user, "role": role}, "order_no": ORDER, **fields},
        default=str).encode(), timeout=10)
    return json.loads(msg.data)  # type: ignore[no-any-return]


async def accepted(nc: Any, department: str, name: str, who: str, **fields: Any) -> None:
    """Send until accepted: a step may wait for another department's reaction to arrive."""
    async def ok() -> bool:
        reply = await command(nc, department, name, who, **fields)
        assert reply["ok"] or reply["error"]["kind"] in ("rule", "not_found"), reply
        return bool(reply["ok"])
    await until(ok, f"{name} to be accepted", 20)


async def history(nc: Any) -> list[dict[str, Any]]:
    return await request(nc, QUERY_HISTORY, {"record_no": ORDER})  # type: ignore[no-any-return]


async def test_an_order_goes_from_intake_through_rework_to_shipment(settings: Settings) -> None:
    """rule: R-O1 rule: R-O2 rule: R-O3 rule: R-O4 — every department does its step in its own
    service; the shipping note is refused before the reworked lot passed."""
    async with running(settings, list(COMPONENTS)):
        nc = await nats.connect(settings.nats_url)
        await accepted(nc, "sales", "receive_order", "salesperson", po_no="PO-1", customer="ACME",
                       lines=[{"product": "gasket", "part_no": "P-1", "quantity": 5000}],
                       requested_date=date.today() + timedelta(days=20), salesperson="bob",
                       assistant="amy")
        await accepted(nc, "sales", "archive_order", "assistant")
        await accepted(nc, "sales", "issue_internal_order", "assistant", internal_order_no="IO-900")
        await accepted(nc, "production", "promise_order_delivery", "pmc",
                       promised_at=datetime.now(UTC) + timedelta(days=7))
        await accepted(nc, "sales", "notify_customer_of_delivery", "assistant", channel="phone")
        await accepted(nc, "engineering", "issue_process_instructions", "engineer",
                       document_no="WI-900", filename="wi.txt", media_type="text/plain",
                       content_base64=base64.b64encode(b"cut, laminate").decode())
        await accepted(nc, "production", "complete_lot", "production", lot_no="L1", quantity=5000)
        await accepted(nc, "quality", "inspect_lot", "inspector", lot_no="L1", result="fail",
                       findings="burr")
        refused = await command(nc, "sales", "issue_shipping_note", "assistant", note_no="N1",
                                lots=["L1"])
        assert refused["error"]["kind"] == "rule" and refused["error"]["rule"] == "R-O4"
        await accepted(nc, "production", "complete_lot", "production", lot_no="L1", quantity=5000)
        await accepted(nc, "quality", "inspect_lot", "inspector", lot_no="L1", result="pass")

        async def passed() -> bool:
            rows = await request(nc, QUERY_ORDERS, {})
            return bool(rows) and rows[0]["status"] == "passed"
        await until(passed, "the passed lot in the Order Summary", 20)
        before_shipping = datetime.now(UTC)
        await accepted(nc, "sales", "issue_shipping_note", "assistant", note_no="N1", lots=["L1"])
        for copy_name in ("delivery", "finance", "sales"):
            await accepted(nc, "sales", "issue_shipping_note_copy", "assistant", note_no="N1",
                           copy_name=copy_name, holder=f"{copy_name} clerk")
        await accepted(nc, "sales", "arrange_shipment", "salesperson", note_no="N1",
                       method="courier", carrier="SF", tracking_no="SF900")
        await accepted(nc, "sales", "confirm_shipment", "salesperson", note_no="N1")

        async def shipped() -> bool:
            return "OrderShipped" in {e["type"] for e in await history(nc)}
        await until(shipped, "the shipment in the audit trail", 20)
        trail = await history(nc)
        by_department = {(e["department"], e["type"]) for e in trail}
        assert {("production", "InternalOrderReceived"), ("engineering", "ProcessInstructionsRequested"),
                ("engineering", "ProcessInstructionsIssued"), ("quality", "InspectionFailed"),
                ("production", "ReworkStarted"), ("quality", "InspectionPassed"),
                ("sales", "ShippingNoteIssued"), ("sales", "OrderShipped")} <= by_department
        attempts = [e["facts"]["attempt"] for e in trail if e["type"] == "LotCompleted"]
        assert attempts == [1, 2]
        copies = [e["facts"]["copy_name"] for e in trail if e["type"] == "ShippingNoteCopyIssued"]
        assert sorted(copies) == ["delivery", "finance", "sales"]

        # rule: R-O5 — the Order Summary now, and as it stood before the shipping note.
        async def in_table() -> bool:
            return (await request(nc, QUERY_ORDERS, {}))[0]["status"] == "shipped"
        await until(in_table, "the shipment in the Order Summary", 20)
        [row] = await request(nc, QUERY_ORDERS, {"salesperson": "bob"})
        assert (row["shipped_qty"], row["reworked_lots"], row["instructions_revision"]) == (5000, 1, 1)
        [then] = await request(nc, QUERY_ORDERS, {"as_of": before_shipping.isoformat()})
        assert (then["status"], then["shipped_qty"], then["shipping_note_nos"]) == ("passed", 0, "")
        await nc.close()
