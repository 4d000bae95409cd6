"""The audit trail: every event of every department, who did it and when, by record number."""
from __future__ import annotations

import json
from datetime import UTC
from typing import Any

from eventsourcing.persistence import Tracking

from events.envelope import DomainEvent

ENVELOPE = {"originator_id", "originator_version", "timestamp", "event_id", "actor",
            "correlation_id", "causation_id"}


def entry(event: DomainEvent, tracking: Tracking) -> dict[str, Any]:
    facts = event.model_dump(mode="json", exclude=ENVELOPE)
    return {
        "stream": tracking.application_name,
        "seq": tracking.notification_id,
        "event_id": str(event.event_id),
        "type": type(event).__name__,
        "department": event.department.value,
        "record_no": event.record_no,
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "occurred_at": event.timestamp.astimezone(UTC).isoformat(),
        "actor_user": event.actor.user,
        "actor_role": event.actor.role.value,
        "correlation_id": str(event.correlation_id),
        "causation_id": str(event.causation_id) if event.causation_id else None,
        "data_json": _json(facts),
    }


def _json(facts: dict[str, Any]) -> str:
    return json.dumps(facts, sort_keys=True, ensure_ascii=False)
