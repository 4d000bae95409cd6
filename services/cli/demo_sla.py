"""The demo's late and nearly-late work, for ``salesflow sla``: steps recorded after they happened
(business time, ``occurred_at``), so clocks have run for hours when the demo ends.

- a complaint taken by phone 3 working hours ago and still not registered: SLA-COMPLAINT-INTAKE
  (2 h) breached; one taken 1.8 working hours ago: at risk (80 % of 2 h used);
- an internal order handed to PMC 2.5 working hours ago without a reply: SLA-PMC-REPLY breached;
  one handed over 1.7 working hours ago: at risk.
"""
from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from contracts.calendar import WorkingCalendar
from services.cli.demo_orders import OrderDemo

if TYPE_CHECKING:
    from services.cli.demo import Demo


def worked_ago(hours: float) -> str:
    """The moment ``hours`` working hours before now (company calendar), as sent in
    ``occurred_at``: clocks count working time, so the scenario holds at any time of day."""
    calendar = WorkingCalendar.from_env(os.environ)
    return calendar.subtract_working_hours(datetime.now(UTC), hours).isoformat()


async def complaint_taken(demo: Demo, no: str, customer: str, hours_ago: float) -> None:
    await demo.send("sales", "receive_complaint", "salesperson", complaint_no=no, channel="phone",
                    customer=customer, summary="parts stick together 产品粘连",
                    salesperson="bob", occurred_at=worked_ago(hours_ago))


async def order_handed_to_pmc(order: OrderDemo, hours_ago: float) -> None:
    """Received, archived and handed to PMC ``hours_ago`` working hours ago (a minute apart)."""
    await order.take_in(at=[worked_ago(hours_ago + 0.1), worked_ago(hours_ago + 0.05),
                            worked_ago(hours_ago)])


async def run(demo: Demo, prefix: str, customers: list[tuple[str, str]]) -> list[str]:
    """The four late / at-risk records; returns their numbers."""
    (first_no, first), (second_no, second) = customers[0], customers[1 % len(customers)]
    numbers = [f"{prefix}-K11", f"{prefix}-K12", f"{prefix}-O11", f"{prefix}-O12"]
    demo.out(f"complaint {numbers[0]} for {first}: taken by phone 3 working hours ago, not yet "
             "registered (SLA-COMPLAINT-INTAKE breached)")
    await complaint_taken(demo, numbers[0], first, 3.0)
    demo.out(f"complaint {numbers[1]} for {second}: taken 1.8 working hours ago (at risk)")
    await complaint_taken(demo, numbers[1], second, 1.8)
    demo.out(f"order {numbers[2]} for {first}: with PMC for 2.5 working hours, no reply "
             "(SLA-PMC-REPLY breached)")
    await order_handed_to_pmc(OrderDemo(demo, numbers[2], first, first_no), 2.5)
    demo.out(f"order {numbers[3]} for {second}: with PMC for 1.7 working hours (at risk)")
    await order_handed_to_pmc(OrderDemo(demo, numbers[3], second, second_no), 1.7)
    return numbers
