"""Timers: what a fired JetStream message schedule carries (see ``events.envelope.Timer``)."""
from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

TIMERS_STREAM = "SALESFLOW_TIMERS"
SCHEDULE_PREFIX = "salesflow.timers.schedule"
DUE_PREFIX = "salesflow.timers.due"
HEADER_TIMER = "Salesflow-Timer"


class TimerDue(BaseModel):
    """A timer fell due: ``name`` says what, ``key`` which thing, ``due_at`` for which time."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    department: ClassVar[str] = "timers"

    name: str
    key: str
    due_at: datetime
    record_no: str | None = None
    source_event_id: UUID = Field(description="The event that started the timer")
    correlation_id: UUID

    @classmethod
    def subject_for(cls, name: str) -> str:
        return f"{DUE_PREFIX}.{name}"

    def type_key(self) -> str:
        return f"TimerDue:{self.name}"


def schedule_subject(department: str, name: str, key: str) -> str:
    """One schedule per subject: a later timer with the same name and key replaces it."""
    return f"{SCHEDULE_PREFIX}.{department}.{name}.{key}"
