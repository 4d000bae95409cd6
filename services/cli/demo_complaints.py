"""The demo's complaints (R-C1 to R-C7), run after the orders: one of each severity, one that
reached production first, one escalated to quality with an on-site visit, and one reopened after
a dissatisfied follow-up."""
from __future__ import annotations

import asyncio
import base64
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.cli.demo import Demo


class ComplaintDemo:
    """One complaint's steps, each sent through the command subjects as the staff would."""

    def __init__(self, demo: Demo, no: str, customer: str) -> None:
        self.demo, self.no, self.customer = demo, no, customer

    async def send(self, department: str, name: str, who: str, /, **fields: Any) -> None:
        await self.demo.send(department, name, who, complaint_no=self.no, **fields)

    async def register(self, severity: str, responsible: str | None = None,
                       category: str = "burr 毛刺", order_no: str | None = None) -> None:
        """R-C2: passed to technical support, registered with a photo, the customer called,
        severity judged, the handling form filled and signed."""
        await self.send("sales", "forward_complaint", "salesperson", to="tina")
        await self.send("sales", "register_complaint", "tech", customer=self.customer,
                        salesperson="bob", product_model="EMI gasket G-7 屏蔽垫片",
                        shipping_date=(self.demo.today() - timedelta(days=12)).isoformat(),
                        batch=f"B-{self.no}", problem="burr on the die-cut edge 冲切边毛刺",
                        category=category, **({"order_no": order_no} if order_no else {}))
        await self.send("sales", "attach_complaint_file", "tech", filename="burr.jpg",
                        media_type="image/jpeg",
                        content_base64=base64.b64encode(f"photo of {self.no}".encode()).decode())
        await self.send("sales", "record_customer_contact", "tech",
                        note="called Mr. Chen, samples of the lot requested 已电话联系陈先生")
        await self.send("sales", "judge_complaint_severity", "tech", severity=severity,
                        **({"responsible": responsible} if responsible else {}))
        await self.send("sales", "fill_complaint_form", "tech", form_no=f"F-{self.no}",
                        handling="contain the lot, find the cause 隔离批次并分析原因")
        await self.send("sales", "sign_complaint_form", "supervisor")

    async def escalate(self, department: str, who: str) -> None:
        """R-C2: the form goes to the responsible department; its analysis comes back; technical
        support replies to the customer."""
        await self.send("sales", "escalate_complaint", "tech")
        await self.send(department, "record_complaint_analysis", who,
                        cause="die blade worn past its life 刀模超寿命磨损",
                        measures="new die, blade life tracked, 100% edge check 更换刀模并全检")
        await self.send("sales", "reply_to_complaint", "tech",
                        reply="cause found and corrected; replacement lot shipped 已改善并补货")

    async def follow_up(self, satisfied: bool, note: str) -> None:
        await self.send("sales", "record_complaint_follow_up", "tech", satisfied=satisfied,
                        note=note)

    async def close(self) -> None:
        """R-C3: satisfaction verified by the CS supervisor, then closed."""
        await self.send("sales", "verify_satisfaction", "supervisor")
        await self.send("sales", "close_complaint", "supervisor")


async def minor(c: ComplaintDemo) -> None:
    # The customer phoned two hours ago; the salesperson writes the call down now (business
    # time): the audit trail shows both times, and the intake clock starts at the call.
    called = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    await c.send("sales", "receive_complaint", "salesperson", channel="phone",
                 customer=c.customer, summary="labels printed upside down 标签贴反", salesperson="bob",
                 occurred_at=called.isoformat())
    await c.register("minor", category="labels 标签")
    await c.send("sales", "answer_minor_complaint", "salesperson",
                 reply="relabelled at our cost 免费重贴标签")
    await c.follow_up(True, "customer satisfied 客户满意")
    await c.close()


async def needs_data(c: ComplaintDemo) -> None:
    await c.send("sales", "receive_complaint", "assistant", channel="email", customer=c.customer,
                 summary="thickness at the top of the tolerance 厚度偏上限", salesperson="bob")
    await c.register("needs_data", "engineering", category="dimension 尺寸")
    await c.escalate("engineering", "engineer")


async def from_production(c: ComplaintDemo) -> None:
    """R-C4: the customer called production first: the caller is told the process, sales takes it
    in, technical support handles it (left registered)."""
    await c.send("production", "redirect_complaint", "pmc", channel="phone", customer=c.customer,
                 summary="pieces stick together 产品粘连", how="caller_told_process")
    await c.register("complex", "production", category="adhesion 粘连")


async def with_visit(c: ComplaintDemo) -> None:
    """R-C7: serious: quality goes with technical support and the salesperson; follow-ups until
    the CS supervisor closes it."""
    await c.send("sales", "receive_complaint", "salesperson", channel="sales_visit",
                 customer=c.customer, summary="line stopped by burrs 毛刺导致客户停线", salesperson="bob")
    await c.register("complex", "quality")
    await c.send("sales", "schedule_complaint_visit", "tech",
                 visit_on=(c.demo.today() + timedelta(days=1)).isoformat(),
                 technical_support="tina", salesperson="bob", quality="qiu")
    await c.send("sales", "record_complaint_visit", "tech",
                 findings="burrs on 3 of 50 pieces, lot B-7 only 抽检50片3片毛刺")
    await c.escalate("quality", "inspector")
    await c.send("sales", "archive_complaint_form", "tech")
    await c.follow_up(True, "first week without burrs 一周无毛刺")
    await c.follow_up(True, "second week without burrs 两周无毛刺")
    await c.close()


async def reopened(c: ComplaintDemo) -> None:
    """R-C3: not satisfied after the first measures: handling again, then satisfied, verified."""
    await c.send("sales", "receive_complaint", "assistant", channel="fax", customer=c.customer,
                 summary="adhesive too weak 背胶粘性不足", salesperson="bob")
    await c.register("complex", "quality", category="adhesion 粘连")
    await c.escalate("quality", "inspector")
    await c.follow_up(False, "still peeling after a week 一周后仍脱落")
    await c.escalate("quality", "inspector")
    await c.follow_up(True, "new adhesive holds 新背胶合格")
    await c.send("sales", "verify_satisfaction", "supervisor")


SCENARIOS = (
    ("minor: answered by sales, closed", minor),
    ("needs engineering's data", needs_data),
    ("reached production first, redirected into sales", from_production),
    ("serious: on-site visit with quality, follow-ups, closed", with_visit),
    ("reopened after a dissatisfied follow-up, then verified", reopened),
)
# The status each scenario leaves its complaint in (the demo and its tests agree on this).
FINAL_STATUS = ("closed", "replied", "form_signed", "closed", "verified")


async def run(demo: Demo, prefix: str, customers: list[str]) -> list[str]:
    """Every scenario once, for the demo's customers in turn; returns the complaint numbers."""
    jobs, numbers = [], []
    for i, (title, scenario) in enumerate(SCENARIOS):
        no = f"{prefix}-K{i + 1:02d}"
        customer = customers[i % len(customers)]
        demo.out(f"complaint {no} from {customer}: {title}")
        numbers.append(no)
        jobs.append(scenario(ComplaintDemo(demo, no, customer)))
    await asyncio.gather(*jobs)
    return numbers
