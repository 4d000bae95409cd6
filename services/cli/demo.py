"""``salesflow demo``: walks sample requests of several customers through all departments.

It talks to the system only through the command subjects, as the staff's tools would. Steps
that depend on another department's reaction are retried until that reaction has arrived.
"""
from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.replies import CommandReply
from services.cli.client import Client

CUSTOMERS = ("Huaxin Electronics 华信电子", "Dongguan Precision 东莞精密", "Shenzhen Tape 深圳胶带",
             "Suzhou Display 苏州显示", "Ningbo Auto Parts 宁波汽配", "Xiamen Optics 厦门光学")
PEOPLE = {
    "assistant": ("amy", "sales_assistant"), "salesperson": ("bob", "salesperson"),
    "tech": ("tina", "technical_support"), "quoter": ("quinn", "quotation_specialist"),
    "supervisor": ("sue", "cs_supervisor"), "engineer": ("eric", "engineer"),
    "pmc": ("pam", "pmc_planner"), "production": ("pete", "production_supervisor"),
}
FULL_MATERIALS = {k: True for k in ("drawings", "technical_requirements", "original_sample",
                                    "quality_requirements", "key_notes")}


def actor(who: str) -> dict[str, str]:
    user, role = PEOPLE[who]
    return {"user": user, "role": role}


@dataclass
class Demo:
    client: Client
    out: Any = print
    patience: float = 30.0

    async def send(self, department: str, name: str, who: str, **fields: Any) -> CommandReply:
        """Send until accepted; a rule/not-found refusal may just mean a reaction is on its way."""
        deadline = time.monotonic() + self.patience
        payload = {"actor": actor(who), **fields}
        lost_reply = False
        while True:
            reply = await self.client.command(department, name, payload)
            if reply.ok:
                return reply
            assert reply.error is not None
            if reply.error.kind == "rule" and lost_reply:
                return reply  # an earlier attempt was stored but its reply was lost
            if reply.error.kind == "unavailable":
                lost_reply = True
            if reply.error.kind not in ("unavailable", "not_found", "rule") or time.monotonic() > deadline:
                raise DemoFailed(f"{name} {fields.get('request_no', '')}: {reply.error.sentence()}")
            await asyncio.sleep(0.1)

    async def sample(self, no: str, customer: str, stop_after: str | None = None) -> None:
        now = datetime.now(UTC)
        steps: list[tuple[str, str, str, dict[str, Any]]] = [
            ("sales", "request_sample", "assistant", dict(
                customer=customer, product="EMI gasket 屏蔽垫片", part_no=f"P-{no}",
                salesperson="bob", materials={**FULL_MATERIALS, "key_notes": False})),
            ("sales", "update_sample_materials", "assistant", dict(materials=FULL_MATERIALS)),
            ("sales", "complete_costing", "tech", dict(
                bom_ref=f"BOM-{no}", material_cost="1.20", process_cost="0.80",
                die_difficulty=("simple", "normal", "complex")[zlib.crc32(no.encode()) % 3])),
            ("sales", "prepare_quotation", "quoter", dict(quotation_no=f"Q-{no}", unit_price="2.60")),
            ("sales", "sign_quotation", "supervisor", {}),
            ("sales", "approve_price", "salesperson", {}),
            ("sales", "open_sample_application", "assistant", dict(application_no=f"A-{no}")),
            ("sales", "approve_sample_application", "supervisor", {}),
            ("engineering", "schedule_sampling", "engineer", dict(
                scheduled_for=(now + timedelta(hours=1)).isoformat())),
            ("production", "promise_delivery", "pmc", dict(
                promised_at=(now + timedelta(hours=24)).isoformat())),
            ("production", "complete_sample", "production", {}),
            ("engineering", "return_sample", "engineer", {}),
        ]
        for department, name, who, fields in steps:
            await self.send(department, name, who, request_no=no, **fields)
            if name == stop_after:
                break

    async def show_refusal(self, no: str) -> None:
        """An application before the price is approved is refused with R-S3 and stores nothing."""
        reply = await self.client.command("sales", "open_sample_application",
                                          {"actor": actor("assistant"), "request_no": no,
                                           "application_no": f"A-{no}-early"})
        if reply.error:
            self.out(f"  refused as expected: {reply.error.sentence()}")


class DemoFailed(RuntimeError):
    """A demo step was refused for a reason waiting cannot fix."""


async def run(client: Client, customers: int, prefix: str, out: Any = print) -> list[str]:
    demo = Demo(client, out)
    stops = (None, None, "sign_quotation", None, "promise_delivery", "approve_sample_application")
    numbers = []
    jobs = []
    for i in range(customers):
        no = f"{prefix}-{i + 1:03d}"
        numbers.append(no)
        stop = stops[i % len(stops)]
        out(f"sample {no} for {CUSTOMERS[i % len(CUSTOMERS)]}: "
            f"{'through to return to sales' if stop is None else 'up to ' + stop}")
        jobs.append(demo.sample(no, CUSTOMERS[i % len(CUSTOMERS)], stop))
    await asyncio.gather(*jobs)
    if customers > 2:
        await demo.show_refusal(numbers[2])
    return numbers
