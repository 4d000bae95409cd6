"""Importing the old Order Summary on a real nats-server (issue 12): rows of a closed and an open
order become ``import_order`` commands; the Order Summary shows the source rows' values, the
month analysis counts the imported month, a second import stores nothing, and the open order
goes on through production, quality and shipping in the live process."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import nats

from contracts.subjects import (
    COMPONENTS,
    QUERY_HISTORY,
    QUERY_ORDER_MONTH,
    QUERY_ORDERS,
    command_subject,
)
from events.envelope import Actor, Role
from events.imports import ImportSource
from services.imports.orders import TABLE
from services.runtime.settings import Settings
from tests.integration.system import request, running, until

ZONE = ZoneInfo("Asia/Shanghai")
AMY = Actor(user="amy", role=Role.SALES_ASSISTANT)
# The old table's rows as the workbook reader gives them (by field), messy as typed.
ROWS = [
    {"order_no": "O-2025-001", "po_no": "PO-1", "ordered_at": 45721.4, "customer": "ACME",
     "salesperson": "bob", "product": "gasket (P-1)", "quantity": "5,000",
     "promised_at": "2025/3/20 17:00", "pmc_replied_at": "2025-03-05 11:00",
     "customer_told_at": "2025年3月5日 14:00", "qc_result": "OK", "shipping_note_no": "N-77",
     "shipped_at": "2025-03-19", "status": "已出货"},
    {"order_no": "O-2025-002", "po_no": "PO-2", "ordered_at": "2025-03-10", "customer": "Beta",
     "salesperson": "bob", "product": "liner", "part_no": "L-9", "quantity": "２０００",
     "promised_at": "2027-06-01", "status": "In production"},
]
PEOPLE = {"assistant": ("amy", "sales_assistant"), "salesperson": ("bob", "salesperson"),
          "production": ("pete", "production_supervisor"), "inspector": ("qiu", "qc_inspector")}


def import_commands() -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    return [TABLE.to_command(row, ImportSource(file_name="orders.xlsx", file_sha256="c" * 64,
                                               sheet="2025", row=n + 2), AMY, ZONE, now)
            .model_dump(mode="json") for n, row in enumerate(ROWS)]


async def send(nc: Any, department: str, name: str, body: dict[str, Any]) -> dict[str, Any]:
    msg = await nc.request(command_subject(department, name),
                           json.dumps(body, default=str).encode(), timeout=10)
    return json.loads(msg.data)  # type: ignore[no-any-return]


async def accepted(nc: Any, department: str, name: str, who: str, **fields: Any) -> None:
    """Send until accepted: a step may wait for another department's reaction to arrive."""
    user, role = PEOPLE[who]

    async def ok() -> bool:
        reply = await send(nc, department, name, {"actor": {"user": user, "role": role},
                                                  "order_no": "O-2025-002", **fields})
        assert reply["ok"] or reply["error"]["kind"] in ("rule", "not_found"), reply
        return bool(reply["ok"])
    await until(ok, f"{name} to be accepted", 20)


async def test_imported_orders_show_as_their_rows_and_an_open_one_goes_on_live(
        settings: Settings) -> None:
    """rule: R-O3 rule: R-O6 — the imported Order Summary, its month, and an open order."""
    async with running(settings, list(COMPONENTS)):
        nc = await nats.connect(settings.nats_url)
        for body in import_commands():
            reply = await send(nc, "sales", "import_order", body)
            assert reply["ok"] and [e["type"] for e in reply["events"]] == ["OrderImported"]

        async def both() -> bool:
            return len(await request(nc, QUERY_ORDERS, {})) == 2
        await until(both, "both imported rows in the Order Summary", 20)
        closed, open_ = await request(nc, QUERY_ORDERS, {})
        assert (closed["order_no"], closed["po_no"], closed["customer"], closed["products"],
                closed["ordered_qty"], closed["shipped_qty"], closed["status"]) == (
            "O-2025-001", "PO-1", "ACME", "gasket (P-1)", 5000, 5000, "shipped")
        assert closed["received_at"] == "2025-03-05T01:36:00+00:00"  # serial 45721.4, Shanghai
        assert closed["promised_at"] == "2025-03-20T09:00:00+00:00"
        assert closed["pmc_replied_at"] == "2025-03-05T03:00:00+00:00"
        assert closed["customer_told_at"] == "2025-03-05T06:00:00+00:00"
        assert closed["shipped_at"] == "2025-03-18T16:00:00+00:00"
        assert (closed["shipping_note_nos"], closed["qc_result"], closed["imported"]) == (
            "N-77", "OK", True)
        assert closed["import_source"] == {"file_name": "orders.xlsx", "file_sha256": "c" * 64,
                                           "sheet": "2025", "row": 2}
        assert (open_["status"], open_["products"], open_["ordered_qty"]) == (
            "promised", "liner (L-9)", 2000)
        # As of now, chosen by month and by customer (the opening event decides those filters):
        # the imported rows open their rows as OrderReceived does.
        as_of = {"as_of": datetime.now(UTC).isoformat()}
        assert [r["order_no"] for r in await request(nc, QUERY_ORDERS, {**as_of, "month": "2025-03"})] \
            == [closed["order_no"], open_["order_no"]]
        assert [r["order_no"] for r in await request(nc, QUERY_ORDERS, {**as_of, "customer": "ACME"})] \
            == [closed["order_no"]]

        month = await request(nc, QUERY_ORDER_MONTH, {"month": "2025-03"})
        assert month["orders"] == 2 and month["by_status"] == {"promised": 1, "shipped": 1}
        assert month["delivery"]["on_time"] == 1

        # The same file again: replies ok, nothing stored (the audit trail counts the events).
        async def trail(no: str) -> list[dict[str, Any]]:
            return await request(nc, QUERY_HISTORY, {"record_no": no})  # type: ignore[no-any-return]
        await until(lambda: _count(trail("O-2025-001"), 1), "the import in the audit trail", 20)
        for body in import_commands():
            again = await send(nc, "sales", "import_order", body)
            assert again["ok"] and again["events"] == []
        [imported] = await trail("O-2025-001")
        assert imported["type"] == "OrderImported" and imported["actor_user"] == "amy"
        assert imported["facts"]["source"]["row"] == 2

        # The open order goes on: production makes it, quality passes it, sales ships it.
        await accepted(nc, "sales", "notify_customer_of_delivery", "assistant", channel="phone")
        await accepted(nc, "production", "complete_lot", "production", lot_no="L1", quantity=2000)
        await accepted(nc, "quality", "inspect_lot", "inspector", lot_no="L1", result="pass")
        await accepted(nc, "sales", "issue_shipping_note", "assistant", note_no="N1", lots=["L1"])
        await accepted(nc, "sales", "arrange_shipment", "salesperson", note_no="N1",
                       method="courier", carrier="SF", tracking_no="SF1")
        await accepted(nc, "sales", "confirm_shipment", "salesperson", note_no="N1")

        async def shipped() -> bool:
            rows = await request(nc, QUERY_ORDERS, {})
            return rows[1]["status"] == "shipped"
        await until(shipped, "the imported open order shipped in the Order Summary", 20)
        row = (await request(nc, QUERY_ORDERS, {}))[1]
        assert (row["shipped_qty"], row["received_at"], row["imported"]) == (
            2000, "2025-03-09T16:00:00+00:00", True)
        types = {e["type"] for e in await trail("O-2025-002")}
        assert {"OrderImported", "ImportedOrderReceived", "LotCompleted", "InspectionPassed",
                "OrderShipped"} <= types
        await nc.close()


async def _count(events: Any, expected: int) -> bool:
    return len(await events) == expected
