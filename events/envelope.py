"""The envelope every domain event carries, and the vocabulary shared by all departments."""
from __future__ import annotations

import functools
import re
from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class Department(StrEnum):
    """A department service; each owns one event store and one JetStream stream."""

    SALES = "sales"
    ENGINEERING = "engineering"
    PRODUCTION = "production"
    QUALITY = "quality"
    # Not a department of the company: the SLA engine (clocks, alerts, the company calendar, the
    # 16:00 reports) runs as a fifth service of the same shape, with its own store and stream.
    SLA = "sla"


class Role(StrEnum):
    """The roles of DOMAIN.md; a command is given by a person acting in one of them."""

    MARKETING_MANAGER = "marketing_manager"
    SALES_MANAGER = "sales_manager"
    CS_SUPERVISOR = "cs_supervisor"
    SALESPERSON = "salesperson"
    SALES_ASSISTANT = "sales_assistant"
    TECHNICAL_SUPPORT = "technical_support"
    QUOTATION_SPECIALIST = "quotation_specialist"
    ENGINEER = "engineer"
    PMC_PLANNER = "pmc_planner"
    PRODUCTION_SUPERVISOR = "production_supervisor"
    QC_INSPECTOR = "qc_inspector"
    QUALITY_ENGINEER = "quality_engineer"
    ADMIN = "admin"  # keeps the company calendar (and, later, the users)
    SYSTEM = "system"


class DieDifficulty(StrEnum):
    """How hard the cutting die is; it decides the 12 / 24 / 48 working-hour allowance (R-S3)."""

    SIMPLE = "simple"
    NORMAL = "normal"
    COMPLEX = "complex"


class Frozen(BaseModel):
    """Base of every value on the wire: immutable, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class OrderLine(Frozen):
    """One product of a customer order."""

    product: str = Field(min_length=1, max_length=120, description="Product / 产品")
    part_no: str = Field(min_length=1, max_length=60, description="Part number / 料号")
    quantity: int = Field(ge=1, le=10_000_000, description="Ordered quantity / 数量")
    unit: str = Field(default="pcs", min_length=1, max_length=10, description="Unit / 单位")


class Actor(Frozen):
    """Who did it: a named person acting in a role (or the system, for automatic reactions)."""

    user: str = Field(min_length=1, max_length=80, description="User name of the person / 用户名")
    role: Role = Field(description="Role the person acted in / 角色")


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Timer(Frozen):
    """Something an event makes fall due later, e.g. a promised time (R-S7).

    A later timer with the same name and key replaces the earlier one."""

    name: str = Field(pattern=r"^[a-z_]+$", description="What falls due, e.g. promise_due")
    key: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Which thing (subject-safe)")
    due_at: datetime
    exact: bool = Field(default=False, description="Fires at due_at itself, without the relay's "
                        "grace (an SLA alert, decided from the record's own clock marks)")


class DomainEvent(Frozen):
    """Envelope fields shared by every event; subclasses add the facts of one business event."""

    department: ClassVar[Department]
    aggregate: ClassVar[str]
    version: ClassVar[int] = 1
    record_field: ClassVar[str | None] = None
    # Facts kept in the store and on the wire but never shown (the audit trail leaves them out):
    # a password's or an API token's hash.
    secret_fields: ClassVar[frozenset[str]] = frozenset()

    originator_id: UUID = Field(description="Aggregate id")
    originator_version: int = Field(ge=1, description="Aggregate version after this event")
    timestamp: datetime = Field(description="When it happened on the floor (business time, "
                                "timezone aware): the command's occurred_at, else when recorded")
    event_id: UUID = Field(description="Unique id of this event")
    actor: Actor = Field(description="Who caused it")
    correlation_id: UUID = Field(description="Id shared by every event of one business conversation")
    causation_id: UUID | None = Field(default=None, description="Event id that caused this one")
    recorded_at: datetime | None = Field(
        default=None, description="When salesflow recorded it; absent in events from before "
                                  "business time, which were recorded at their timestamp")

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__

    @classmethod
    @functools.cache
    def type_key(cls) -> str:
        """Registry key and stored topic, e.g. ``SampleRequested.v1``."""
        return f"{cls.__name__}.v{cls.version}"

    @classmethod
    @functools.cache
    def subject(cls) -> str:
        """JetStream subject: ``salesflow.<department>.<aggregate>.<event>``."""
        return f"salesflow.{cls.department.value}.{cls.aggregate}.{_snake(cls.__name__)}"

    @property
    def recorded(self) -> datetime:
        """When salesflow recorded the event (``timestamp`` is when it happened)."""
        return self.recorded_at or self.timestamp

    def timers(self) -> list[Timer]:
        """Timers this event starts; the relay schedules them on JetStream."""
        return []

    @property
    def record_no(self) -> str | None:
        """The business record number (e.g. sample request no.) this event belongs to."""
        if self.record_field is None:
            return None
        value = getattr(self, self.record_field)
        return str(value) if value is not None else None
