"""Commands each department service accepts, one module per department."""
from __future__ import annotations

from contracts.commands import customers, engineering, production, sales, sales_followup
from contracts.commands.base import Command

ALL: dict[str, dict[str, type[Command]]] = {
    "sales": {c.name: c for c in sales.COMMANDS + sales_followup.COMMANDS + customers.COMMANDS},
    "engineering": {c.name: c for c in engineering.COMMANDS},
    "production": {c.name: c for c in production.COMMANDS},
    "quality": {},
}

__all__ = ["ALL", "Command"]
