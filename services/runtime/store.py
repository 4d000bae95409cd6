"""The eventsourcing wiring shared by every department: pydantic mapper and base application."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import IntegrityError, Mapper, ProcessRecorder, StoredEvent, Tracking
from eventsourcing.utils import get_topic

from contracts.calendar import WorkingCalendar
from contracts.replies import EventRef
from events.envelope import Actor, DomainEvent, Role
from events.registry import REGISTRY
from services.domain import Aggregate, Context, NotFound

A = TypeVar("A", bound=Aggregate)
SYSTEM = Actor(user="salesflow", role=Role.SYSTEM)


class PydanticMapper(Mapper):  # type: ignore[type-arg]
    """Stores an event as its own JSON under its registry key (``Name.vN``); upcasts on read."""

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        event: DomainEvent = domain_event
        return StoredEvent(
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=type(event).type_key(),
            state=event.model_dump_json().encode(),
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return REGISTRY.decode_json(stored_event.topic, stored_event.state)


class DepartmentApplication(Application):  # type: ignore[type-arg]
    """One department's event store; a process recorder so consumers can store tracking."""

    env: ClassVar[dict[str, str]] = {"MAPPER_TOPIC": get_topic(PydanticMapper)}

    def __init__(self, env: dict[str, str], clock: Callable[[], datetime] | None = None,
                 calendar: WorkingCalendar | None = None) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.calendar = calendar or WorkingCalendar.from_env(os.environ)

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    @property
    def process_recorder(self) -> ProcessRecorder:
        recorder = self.recorder
        assert isinstance(recorder, ProcessRecorder)
        return recorder

    def context(self, actor: Actor, correlation_id: uuid.UUID | None) -> Context:
        return Context(actor=actor, now=self.clock(), correlation_id=correlation_id or uuid.uuid4())

    def reaction_context(self, cause: DomainEvent) -> Context:
        """Context of an automatic reaction: the system acts, in the cause's conversation."""
        return Context(actor=SYSTEM, now=self.clock(), correlation_id=cause.correlation_id,
                       causation_id=cause.event_id)

    def load(self, cls: type[A], aggregate_id: uuid.UUID, label: str) -> A:
        try:
            return self.repository.get(aggregate_id, projector_func=cls.project)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            raise NotFound(None, f"{label} does not exist", f"{label} 不存在", field="request_no") from None

    def load_or_new(self, cls: type[A], aggregate_id: uuid.UUID) -> A:
        try:
            return self.repository.get(aggregate_id, projector_func=cls.project)  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            return cls(id=aggregate_id)

    def store(self, *aggregates: Aggregate, tracking: Tracking | None = None) -> list[EventRef]:
        """Save the aggregates' new events atomically, with the consumer's tracking if given."""
        processing = ProcessingEvent(tracking=tracking)
        processing.collect_events(*aggregates)
        recordings = self._record(processing)
        return [
            EventRef(event_id=r.domain_event.event_id, type=type(r.domain_event).__name__,  # type: ignore[attr-defined]
                     aggregate_id=r.domain_event.originator_id, version=r.domain_event.originator_version)
            for r in recordings
        ]

    def tracked_position(self, source: str) -> int:
        return self.process_recorder.max_tracking_id(source) or 0


__all__ = ["DepartmentApplication", "IntegrityError", "PydanticMapper", "SYSTEM"]
