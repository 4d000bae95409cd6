"""The demo's customer orders (R-O1 to R-O6), run after the samples: on time, delayed with a
timely notice, a missed promise with its penalty request, a failed inspection with rework, an
exception, a partial shipment, and some left part-way."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from contracts.subjects import QUERY_ORDERS
from services.cli.demo_customers import DemoFailed, actor
from services.cli.tables import visible

if TYPE_CHECKING:
    from services.cli.demo import Demo



PRODUCTS = ({"product": "EMI gasket 屏蔽垫片", "part_no": "P-EMI-1", "quantity": 5000},
            {"product": "foam pad 泡棉垫", "part_no": "P-FOAM-2", "quantity": 2000})


class OrderDemo:
    """One order's steps, each sent through the command subjects as the staff would."""

    def __init__(self, demo: Demo, no: str, customer: str, customer_no: str) -> None:
        self.demo, self.no, self.customer, self.customer_no = demo, no, customer, customer_no

    async def send(self, department: str, name: str, who: str, /, **fields: Any) -> None:
        await self.demo.send(department, name, who, order_no=self.no, **fields)

    async def take_in(self, quotation: str | None = None, lines: int = 1,
                      at: list[str] | None = None) -> None:
        """R-O1 / R-O2: received with the customer's drawing from the customer file, archived,
        turned into an internal order; the customer's golden sample handed to production.
        ``at``: when the first three steps happened (``occurred_at``), if before now; the
        materials are then left for later."""
        when = [{"occurred_at": moment} for moment in at] if at else [{}, {}, {}]
        drawing = hashlib.sha256(f"drawing of {self.customer}".encode()).hexdigest()
        await self.send("sales", "receive_order", "salesperson", po_no=f"PO-{self.no}",
                        customer=self.customer, customer_no=self.customer_no,
                        lines=list(PRODUCTS[:lines]), salesperson="bob", assistant="amy",
                        requested_date=(self.demo.today() + timedelta(days=14)).isoformat(),
                        files=[drawing], **({"quotation_request_no": quotation} if quotation else {}),
                        **when[0])
        await self.send("sales", "archive_order", "assistant", **when[1])
        await self.send("sales", "issue_internal_order", "assistant", internal_order_no=f"IO-{self.no}",
                        **when[2])
        if at:
            return
        await self.send("sales", "transfer_customer_materials", "assistant",
                        items=["golden sample 签样", "liner film 离型膜"], received_by="pete")

    async def promise(self, promise_in: timedelta) -> None:
        """PMC's reply (R-O2), once production has the internal order; the time is taken afresh
        on each try, so a retry is never in the past. A refusal because the order "is promised"
        means a try whose replies were lost was stored (a promise is given once). Then the
        customer is told (4 h clock)."""
        deadline = time.monotonic() + self.demo.patience
        while True:
            reply = await self.demo.client.command("production", "promise_order_delivery", {
                "actor": actor("pmc"), "order_no": self.no,
                "promised_at": (datetime.now(UTC) + promise_in).isoformat(),
                "note": "materials in stock 物料齐备"})
            if reply.ok or (reply.error and f"{self.no} is promised" in reply.error.message_en):
                break
            if time.monotonic() > deadline or (reply.error and reply.error.kind not in (
                    "not_found", "rule", "unavailable")):
                raise DemoFailed(visible(f"promise_order_delivery {self.no}: "
                                         f"{reply.error and reply.error.sentence()}"))
            await asyncio.sleep(0.1)
        await self.send("sales", "notify_customer_of_delivery", "assistant", channel="phone")

    async def instructions(self) -> None:
        content = f"process instructions of {self.no}: cut, laminate, inspect".encode()
        await self.send("engineering", "issue_process_instructions", "engineer",
                        document_no=f"WI-{self.no}", filename="wi.txt", media_type="text/plain",
                        content_base64=base64.b64encode(content).decode())

    async def lot(self, lot_no: str, quantity: int, result: str = "pass") -> None:
        await self.send("production", "complete_lot", "production", lot_no=lot_no, quantity=quantity)
        await self.send("quality", "inspect_lot", "inspector", lot_no=lot_no, result=result,
                        **({"findings": "burr on the cut edge 冲切边毛刺"} if result == "fail" else {}))

    async def ship(self, note_no: str, lots: list[str]) -> None:
        """R-O4: shipping note in three copies, the salesperson arranges and confirms it."""
        await self.send("sales", "issue_shipping_note", "assistant", note_no=note_no, lots=lots)
        for copy_name, holder in (("delivery", "dan 送货"), ("finance", "fay 财务"), ("sales", "amy")):
            await self.send("sales", "issue_shipping_note_copy", "assistant", note_no=note_no,
                            copy_name=copy_name, holder=holder)
        await self.send("sales", "arrange_shipment", "salesperson", note_no=note_no,
                        method="courier", carrier="SF Express 顺丰", tracking_no=f"SF{note_no}")
        await self.send("sales", "confirm_shipment", "salesperson", note_no=note_no)

    async def penalty_seen(self) -> bool:
        rows = await self.demo.client.query(QUERY_ORDERS, {})
        return any(r["order_no"] == self.no and r.get("penalty_requested_at") for r in rows)


async def on_time(o: OrderDemo) -> None:
    await o.take_in()
    await o.promise(timedelta(days=10))
    await o.instructions()
    await o.lot("L1", 5000)
    await o.ship("N1", ["L1"])


async def delayed(o: OrderDemo) -> None:
    await o.take_in(lines=2)
    await o.promise(timedelta(days=10))
    await o.send("production", "notify_order_delay", "pmc", kind="delay",
                 reason="liner film late 离型膜来料延迟",
                 new_promised_at=(datetime.now(UTC) + timedelta(days=12)).isoformat())
    await o.send("sales", "notify_customer_of_delivery", "assistant", channel="email")


async def missed(o: OrderDemo) -> None:
    """R-S7 for orders: the promise passes with nothing completed and no notice."""
    await o.take_in()
    await o.promise(timedelta(seconds=2))
    deadline = time.monotonic() + o.demo.patience
    while not await o.penalty_seen():
        if time.monotonic() > deadline:
            raise DemoFailed(f"no penalty request for order {o.no} after its promised time")
        await asyncio.sleep(0.5)
    o.demo.out(f"  order {o.no}: promise missed, penalty requested against production (R-S7)")


async def rework(o: OrderDemo) -> None:
    await o.take_in()
    await o.promise(timedelta(days=7))
    await o.lot("L1", 5000, result="fail")
    await o.lot("L1", 5000)  # the reworked lot, once production has it back
    await o.ship("N1", ["L1"])


async def exception(o: OrderDemo) -> None:
    """R-O3: a machine breakdown reported once, delivered to its three recipients."""
    await o.take_in()
    await o.promise(timedelta(days=5))
    await o.send("sales", "report_order_exception", "production", exception_no="E1",
                 kind="machine_breakdown", description="die cutter down, repair by tomorrow 模切机故障")
    for recipient, to, channel in (("customer_contact", "Mr. Chen 陈先生", "phone"),
                                   ("salesperson", "bob", "wechat"), ("cs_supervisor", "sue", "email")):
        await o.send("sales", "record_exception_delivered", "assistant", exception_no="E1",
                     recipient=recipient, to=to, channel=channel)


async def partial(o: OrderDemo) -> None:
    await o.take_in()
    await o.promise(timedelta(days=10))
    await o.lot("L1", 3000)
    await o.ship("N1", ["L1"])
    await o.send("production", "complete_lot", "production", lot_no="L2", quantity=2000)


async def awaiting_price(o: OrderDemo, quotation: str) -> None:
    """R-O1: an order needing the price of a quotation still with the customer: received, and
    its archiving refused until the price is approved."""
    drawing = hashlib.sha256(f"drawing of {o.customer}".encode()).hexdigest()
    await o.send("sales", "receive_order", "assistant", po_no=f"PO-{o.no}", customer=o.customer,
                 customer_no=o.customer_no, lines=[PRODUCTS[0]], salesperson="bob",
                 assistant="amy", requested_date=(o.demo.today() + timedelta(days=30)).isoformat(),
                 files=[drawing], quotation_request_no=quotation)
    reply = await o.demo.client.command("sales", "archive_order", {
        "actor": {"user": "amy", "role": "sales_assistant"}, "order_no": o.no})
    if reply.error:
        o.demo.out(f"  order {o.no}: refused as expected: {reply.error.sentence()}")


SCENARIOS = (
    ("on time: promise, instructions, inspection, shipped", on_time),
    ("delay notice in time, customer told the new date", delayed),
    ("promise missed: penalty request", missed),
    ("inspection failed, reworked, passed, shipped", rework),
    ("machine breakdown reported to all three", exception),
    ("partial shipment", partial),
)
# The status each scenario leaves its order in (the demo and its tests agree on this).
FINAL_STATUS = ("shipped", "customer_notified", "customer_notified", "shipped", "customer_notified",
                "partly_shipped", "received")


async def run(demo: Demo, prefix: str, customers: list[tuple[str, str]], quotation: str) -> list[str]:
    """Every scenario once, for the demo's customers in turn; returns the order numbers."""
    jobs, numbers = [], []
    for i, (title, scenario) in enumerate(SCENARIOS):
        no = f"{prefix}-O{i + 1:02d}"
        customer_no, customer = customers[i % len(customers)]
        demo.out(f"order {no} for {customer}: {title}")
        numbers.append(no)
        jobs.append(scenario(OrderDemo(demo, no, customer, customer_no)))
    no = f"{prefix}-O{len(SCENARIOS) + 1:02d}"
    customer_no, customer = customers[0]
    demo.out(f"order {no} for {customer}: needs the price of quotation {quotation}")
    numbers.append(no)
    jobs.append(awaiting_price(OrderDemo(demo, no, customer, customer_no), quotation))
    await asyncio.gather(*jobs)
    return numbers
