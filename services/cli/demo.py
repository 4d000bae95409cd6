"""``salesflow demo``: walks sample requests of several customers through all departments.

It talks to the system only through the command subjects, as the staff's tools would. Steps
that depend on another department's reaction are retried until that reaction has arrived.
"""
from __future__ import annotations

import asyncio
import os
import time
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from contracts.calendar import WorkingCalendar
from contracts.replies import CommandReply
from contracts.subjects import QUERY_SAMPLES
from services.cli import demo_complaints, demo_orders, demo_sla
from services.cli.client import Client
from services.cli.demo_customers import CUSTOMERS, DemoFailed, actor, onboard
from services.cli.tables import visible

FULL_MATERIALS = {k: True for k in ("drawings", "technical_requirements", "original_sample",
                                    "quality_requirements", "key_notes")}


def company_zone() -> ZoneInfo:
    """The company's zone, as the services' calendar has it (business dates are local)."""
    return ZoneInfo(WorkingCalendar.from_env(os.environ).zone)


@dataclass
class Demo:
    client: Client
    out: Any = print
    patience: float = 30.0
    zone: ZoneInfo = field(default_factory=company_zone)

    def today(self) -> date:
        return datetime.now(self.zone).date()

    async def send(self, department: str, name: str, who: str, /, **fields: Any) -> CommandReply:
        """Send until accepted; a rule/not-found refusal may just mean a reaction is on its way.

        One command id for every try: a try whose reply was lost is answered with its first
        reply when sent again, so a refusal always means the command was not applied."""
        deadline = time.monotonic() + self.patience
        payload = {"actor": actor(who), "command_id": str(uuid.uuid4()), **fields}
        while True:
            reply = await self.client.command(department, name, payload)
            if reply.ok:
                return reply
            assert reply.error is not None
            if reply.error.kind not in ("unavailable", "not_found", "rule") or time.monotonic() > deadline:
                record = (fields.get("request_no") or fields.get("order_no")
                          or fields.get("complaint_no") or "")
                raise DemoFailed(visible(f"{name} {record}: "
                                         f"{reply.error.sentence()}"))
            await asyncio.sleep(0.1)

    async def quote(self, no: str, customer: str, purpose: str = "sample") -> None:
        """R-S3 / R-S4: request with an incomplete checklist, completed, costed, quoted, signed, sent."""
        await self.send("sales", "request_sample", "assistant", request_no=no, customer=customer,
                        product="EMI gasket 屏蔽垫片", part_no=f"P-{no}", salesperson="bob",
                        purpose=purpose, materials={**FULL_MATERIALS, "key_notes": False})
        await self.send("sales", "update_sample_materials", "assistant", request_no=no,
                        materials=FULL_MATERIALS)
        await self.send("sales", "complete_costing", "tech", request_no=no, bom_ref=f"BOM-{no}",
                        material_cost="1.20", process_cost="0.80",
                        die_difficulty=("simple", "normal", "complex")[zlib.crc32(no.encode()) % 3])
        await self.requote(no, f"Q-{no}")

    async def requote(self, no: str, quotation_no: str) -> None:
        await self.send("sales", "prepare_quotation", "quoter", request_no=no,
                        quotation_no=quotation_no, unit_price="2.60")
        await self.send("sales", "sign_quotation", "supervisor", request_no=no)
        await self.send("sales", "send_quotation", "assistant", request_no=no)

    async def make(self, no: str, round_no: int = 1, promise_in: timedelta = timedelta(hours=24),
                   until: str = "return_sample") -> None:
        """R-S3: application, review, scheduling, promise, completion, return to sales."""
        now = datetime.now(UTC)
        steps: list[tuple[str, str, str, dict[str, Any]]] = [
            ("sales", "open_sample_application", "assistant", {"application_no": f"A-{no}-{round_no}"}),
            ("sales", "approve_sample_application", "supervisor", {}),
            ("engineering", "schedule_sampling", "engineer",
             {"scheduled_for": (now + timedelta(hours=1)).isoformat()}),
            ("production", "promise_delivery", "pmc", {"promise_in": promise_in}),
            ("production", "complete_sample", "production", {}),
            ("engineering", "return_sample", "engineer", {}),
        ]
        for department, name, who, fields in steps:
            if "promise_in" in fields:  # counted from when the promise is given
                await self.promise(no, fields["promise_in"])
            else:
                await self.send(department, name, who, request_no=no, **fields)
            if name == until:
                return

    async def promise(self, no: str, promise_in: timedelta) -> None:
        """PMC's promise; the time is taken afresh on each try, so a retry is never in the past."""
        deadline = time.monotonic() + self.patience
        while True:
            reply = await self.client.command("production", "promise_delivery", {
                "actor": actor("pmc"), "request_no": no,
                "promised_at": (datetime.now(UTC) + promise_in).isoformat()})
            if reply.ok or time.monotonic() > deadline:
                if not reply.ok and reply.error:
                    raise DemoFailed(visible(f"promise_delivery {no}: {reply.error.sentence()}"))
                return
            if reply.error and f"{no} is promised" in reply.error.message_en:
                return  # an earlier try was stored but its reply was lost
            await asyncio.sleep(0.1)

    async def trial(self, no: str, result: str, shipped_by: str) -> None:
        """R-S6: shipment, receipt, trial three days later (recorded now in the demo)."""
        if shipped_by == "courier":
            await self.send("sales", "ship_sample", "assistant", request_no=no, method="courier",
                            courier="SF Express 顺丰", tracking_no=f"SF{zlib.crc32(no.encode())}")
        else:
            await self.send("sales", "ship_sample", "salesperson", request_no=no, method="salesperson")
        await self.send("sales", "confirm_sample_receipt", "salesperson", request_no=no,
                        received_on=self.today().isoformat())
        await self.send("sales", "record_trial", "salesperson", request_no=no, result=result,
                        cause="burr on the die-cut edge 冲切边毛刺" if result == "ng" else None)

    async def ok_trial(self, no: str, customer: str) -> None:
        await self.quote(no, customer)
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.make(no)
        await self.trial(no, "ok", "courier")
        await self.send("sales", "record_sample_approval", "salesperson", request_no=no,
                        document_ref=f"SA-{no}")
        await self.send("sales", "chase_order", "salesperson", request_no=no, note="first order")

    async def ng_trial(self, no: str, customer: str) -> None:
        await self.quote(no, customer)
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.make(no)
        await self.trial(no, "ng", "salesperson")
        await self.send("sales", "agree_ng_fix", "salesperson", request_no=no,
                        cause="die blade worn 刀模磨损", fix="new die, deburr 更换刀模并去毛刺",
                        departments=["engineering", "production"],
                        customer_reply="second sample within 3 days 三天内重新送样")
        await self.send("sales", "start_new_sample_round", "assistant", request_no=no)
        await self.make(no, round_no=2)

    async def quotation_only(self, no: str, customer: str) -> None:
        await self.quote(no, customer, purpose="quotation")
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.show_refusal("open_sample_application", no, {"application_no": f"A-{no}"})
        await self.send("sales", "chase_order", "salesperson", request_no=no)

    async def rejected_price(self, no: str, customer: str) -> None:
        await self.quote(no, customer)
        await self.show_refusal("open_sample_application", no, {"application_no": f"A-{no}"})
        await self.send("sales", "reject_price", "salesperson", request_no=no,
                        reason="target price 2.20 目标价2.20")
        await self.send("sales", "resolve_price_escalation", "supervisor", request_no=no,
                        decision="requote", note="cheaper liner material 改用较便宜的离型膜")
        await self.requote(no, f"Q-{no}-2")
        await self.send("sales", "approve_price", "salesperson", request_no=no)

    async def delayed(self, no: str, customer: str) -> None:
        await self.quote(no, customer)
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.make(no, promise_in=timedelta(hours=48), until="promise_delivery")
        await self.send("production", "notify_delay", "pmc", request_no=no, kind="quality",
                        reason="die steel out of stock 刀模钢材缺料",
                        new_promised_at=(datetime.now(UTC) + timedelta(hours=72)).isoformat())
        await self.send("production", "complete_sample", "production", request_no=no)
        await self.send("engineering", "return_sample", "engineer", request_no=no)

    async def missed_promise(self, no: str, customer: str) -> None:
        """R-S7: the promised time passes with no notice: production records the miss when its
        timer fires, and sales requests a penalty for it."""
        await self.quote(no, customer)
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.make(no, promise_in=timedelta(seconds=2), until="promise_delivery")
        self.out(f"  {no}: waiting for its promised time to pass without notice ...")
        deadline = time.monotonic() + self.patience
        while not await self.penalty_seen(no):
            if time.monotonic() > deadline:
                raise DemoFailed(f"no penalty request for {no} after its promised time")
            await asyncio.sleep(0.5)
        self.out(f"  {no}: penalty requested against production (R-S7)")
        await self.send("production", "complete_sample", "production", request_no=no)
        await self.send("engineering", "return_sample", "engineer", request_no=no)

    # -- samples left part-way, so the table shows the process's other statuses ------------
    async def awaiting_trial(self, no: str, customer: str) -> None:
        await self.quote(no, customer)
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.make(no)
        await self.send("sales", "ship_sample", "salesperson", request_no=no, method="salesperson")
        await self.send("sales", "confirm_sample_receipt", "salesperson", request_no=no,
                        received_on=self.today().isoformat())

    async def ng_fix_agreed(self, no: str, customer: str) -> None:
        await self.quote(no, customer)
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.make(no)
        await self.trial(no, "ng", "courier")
        await self.send("sales", "agree_ng_fix", "salesperson", request_no=no, cause="size",
                        fix="die re-cut 刀模重开", customer_reply="new sample next week 下周重新送样")

    async def awaiting_customer(self, no: str, customer: str) -> None:
        await self.quote(no, customer)

    async def with_the_manager(self, no: str, customer: str) -> None:
        await self.quote(no, customer)
        await self.send("sales", "reject_price", "salesperson", request_no=no, reason="competitor")

    async def in_production(self, no: str, customer: str) -> None:
        await self.quote(no, customer)
        await self.send("sales", "approve_price", "salesperson", request_no=no)
        await self.make(no, until="promise_delivery")

    async def materials_missing(self, no: str, customer: str) -> None:
        await self.send("sales", "request_sample", "assistant", request_no=no, customer=customer,
                        product="foam pad 泡棉垫", part_no=f"P-{no}", salesperson="bob",
                        materials={"drawings": True})

    async def penalty_seen(self, no: str) -> bool:
        rows = await self.client.query(QUERY_SAMPLES, {})
        return any(r["request_no"] == no and r.get("penalty_requested_at") for r in rows)

    async def show_refusal(self, name: str, no: str, fields: dict[str, Any]) -> None:
        """A step out of order is refused with its rule and stores nothing."""
        reply = await self.client.command("sales", name, {"actor": actor("assistant"),
                                                          "request_no": no, **fields})
        if reply.error:
            self.out(visible(f"  {no}: refused as expected: {reply.error.sentence()}"))




SCENARIOS = (
    ("OK trial, sample approval, order chase", Demo.ok_trial),
    ("NG trial, agreed fix, second round", Demo.ng_trial),
    ("quotation without a sample", Demo.quotation_only),
    ("price refused, escalated, quoted again", Demo.rejected_price),
    ("timely delay notice", Demo.delayed),
    ("promised time missed: penalty request", Demo.missed_promise),
    ("shipped, received, trial due in three days", Demo.awaiting_trial),
    ("NG trial, fix agreed", Demo.ng_fix_agreed),
    ("quotation sent, awaiting the customer", Demo.awaiting_customer),
    ("price refused, with the manager", Demo.with_the_manager),
    ("in production, delivery promised", Demo.in_production),
    ("material set incomplete, awaiting costing", Demo.materials_missing),
)
# The status each scenario leaves its sample in (the demo and its tests agree on this).
FINAL_STATUS = ("order_chasing", "returned", "order_chasing", "price_approved", "returned",
                "returned", "received", "ng_fix_agreed", "sent", "price_rejected", "promised",
                "requested")


async def run(client: Client, customers: int, prefix: str, out: Any = print) -> list[str]:
    demo = Demo(client, out)
    names = CUSTOMERS[:min(customers, len(CUSTOMERS))]
    await asyncio.gather(*(onboard(demo, f"{prefix}-C{i + 1}", name) for i, name in enumerate(names)))
    out(f"{len(names)} customers onboarded (R-S1) with a drawing on file (R-S2); "
        "see `salesflow customers`")
    numbers, jobs = [], []
    for i in range(customers):
        no, customer = f"{prefix}-{i + 1:03d}", CUSTOMERS[i % len(CUSTOMERS)]
        title, scenario = SCENARIOS[i % len(SCENARIOS)]
        numbers.append(no)
        out(f"sample {no} for {customer}: {title}")
        jobs.append(scenario(demo, no, customer))
    await asyncio.gather(*jobs)
    onboarded = [(f"{prefix}-C{i + 1}", name) for i, name in enumerate(names)]
    # The order that waits for a price names the quotation still with the customer, if any.
    waiting = [n for i, n in enumerate(numbers) if SCENARIOS[i % len(SCENARIOS)][1]
               is Demo.awaiting_customer]
    orders, complaints = await asyncio.gather(
        demo_orders.run(demo, prefix, onboarded, waiting[0] if waiting else numbers[0]),
        demo_complaints.run(demo, prefix, [name for _, name in onboarded]))
    out(f"{len(orders)} orders taken in (R-O1 to R-O4); see `salesflow orders`")
    out(f"{len(complaints)} complaints handled (R-C1 to R-C7); see `salesflow complaints`")
    late = await demo_sla.run(demo, prefix, onboarded)
    out(f"{len(late)} records left late or nearly late; see `salesflow sla`")
    month = datetime.now(demo.zone).strftime("%Y-%m")
    await demo.send("sales", "note_sample_month", "assistant", month=month,
                    text=f"{customers} demo samples; NG on the die edge: new die steel ordered. "
                         f"{customers}个演示打样；刀口NG已订新刀模钢材。")
    await demo.send("sales", "note_order_month", "assistant", month=month,
                    text="one order reworked after a burr finding; one promise missed. "
                         "一单因毛刺返工；一单未达成承诺交期。")
    await demo.send("sales", "note_complaint_month", "tech", month=month,
                    text="burrs twice: die blade life now tracked. 两次毛刺：刀模寿命已纳入管控。")
    out(f"month-end notes written under {month}; see `salesflow sample-month {month}`, "
        f"`salesflow order-month {month}` and `salesflow complaint-month {month}`")
    return numbers
