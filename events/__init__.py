"""Every domain event of salesflow, defined once, as frozen pydantic models."""
from __future__ import annotations

from events import customers, engineering, production, quality, sales, sla, users
from events.envelope import Actor, Department, DieDifficulty, DomainEvent, Role
from events.registry import REGISTRY, EventRegistry

__all__ = [
    "REGISTRY",
    "Actor",
    "Department",
    "DieDifficulty",
    "DomainEvent",
    "EventRegistry",
    "Role",
    "customers",
    "engineering",
    "production",
    "quality",
    "sales",
    "sla",
    "users",
]
