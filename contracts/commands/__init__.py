"""Commands each department service accepts, one module per department."""
from __future__ import annotations

from contracts.commands import (
    calendar,
    complaint_desk,
    complaints,
    customers,
    engineering,
    imports_complaints,
    imports_orders,
    imports_samples,
    meetings,
    orders,
    production,
    quality,
    sales,
    sales_followup,
    users,
)
from contracts.commands.base import Command

ALL: dict[str, dict[str, type[Command]]] = {
    "sales": {c.name: c for c in sales.COMMANDS + sales_followup.COMMANDS + customers.COMMANDS
              + orders.COMMANDS + complaints.COMMANDS + meetings.COMMANDS
              + imports_orders.COMMANDS
              + imports_complaints.COMMANDS
              + imports_samples.COMMANDS},
    "engineering": {c.name: c for c in engineering.COMMANDS + engineering.ORDER_COMMANDS
                    + complaint_desk.COMMANDS},
    "production": {c.name: c for c in production.COMMANDS + production.ORDER_COMMANDS
                   + complaint_desk.COMMANDS},
    "quality": {c.name: c for c in quality.COMMANDS + complaint_desk.COMMANDS},
    "sla": {c.name: c for c in calendar.COMMANDS + users.COMMANDS},
}

__all__ = ["ALL", "Command"]
