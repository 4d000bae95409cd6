"""The audit trail: every event of every department, who did it and when, by record number.

Each row keeps the event exactly as it travelled (its JSON), plus the columns it is looked up
and ordered by.
"""
from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from eventsourcing.persistence import Tracking

from events.envelope import DomainEvent

COLUMNS = ("stream", "seq", "record_no", "occurred_at", "type", "department", "actor_user",
           "actor_role", "event_json")
ENVELOPE = ("originator_id", "originator_version", "timestamp", "event_id", "actor",
            "correlation_id", "causation_id")


def row(event: DomainEvent, tracking: Tracking, data: bytes) -> tuple[Any, ...]:
    return (tracking.application_name, tracking.notification_id, event.record_no,
            event.timestamp.astimezone(UTC).isoformat(), type(event).__name__,
            event.department.value, event.actor.user, event.actor.role.value, data.decode())


def entry(stored: dict[str, Any]) -> dict[str, Any]:
    """One audit row as the history query answers it: envelope fields, and the facts apart."""
    event = json.loads(stored.pop("event_json"))
    envelope = {key: event.pop(key, None) for key in ENVELOPE}
    return {**stored, "event_id": envelope["event_id"], "aggregate_id": envelope["originator_id"],
            "version": envelope["originator_version"], "correlation_id": envelope["correlation_id"],
            "causation_id": envelope["causation_id"], "facts": event}
