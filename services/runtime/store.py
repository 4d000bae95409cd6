"""The eventsourcing wiring shared by every department: pydantic mapper and base application."""
from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar, TypeVar

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.persistence import (
    IntegrityError,
    Mapper,
    ProcessRecorder,
    StoredEvent,
    Tracking,
)
from eventsourcing.utils import get_topic

from contracts.calendar import WorkingCalendar
from contracts.replies import CommandReply, EventRef
from events.envelope import Actor, DomainEvent, Role
from events.registry import REGISTRY
from services.domain import Aggregate, Context, NotFound
from services.runtime.command_log import (
    HANDLED,
    RUN_FROM,
    CommandLog,
    HandledCommand,
    command_log_recorder,
)
from services.runtime.faults import is_outage

A = TypeVar("A", bound=Aggregate)
SYSTEM = Actor(user="salesflow", role=Role.SYSTEM)


@dataclass
class CommandKey:
    """A command being handled under a client-chosen id; ``store()`` remembers it once."""

    command_id: str
    command: str
    digest: str
    remembered: bool = False


@dataclass
class Capture:
    """A use case run inside a group commit: what it loaded, and the saves it asked for, which
    ``store()`` keeps here instead of writing (the batch writes them all in one transaction)."""

    loaded: set[uuid.UUID] = field(default_factory=set)
    saved: list[ProcessingEvent[uuid.UUID]] = field(default_factory=list)
    # A consumer's run of reactions (``services.runtime.spec``) keeps the saves that carry
    # tracking too: the run writes them with the tracking of its last delivery.
    tracked: bool = False

    @property
    def written(self) -> set[uuid.UUID]:
        return {e.originator_id for p in self.saved for e in p.events}


# Set by the command bus around a use case (in the use case's thread), read by ``store()``: the
# use cases keep their three lines and never see command ids.
_HANDLING: ContextVar[CommandKey | None] = ContextVar("salesflow_command", default=None)
_CAPTURE: ContextVar[Capture | None] = ContextVar("salesflow_capture", default=None)


class WatchedRepository(Repository):  # type: ignore[type-arg]
    """The repository, noting each aggregate a captured use case loads (``Capture.loaded``)."""

    def get(self, aggregate_id: Any, **kwargs: Any) -> Any:
        capture = _CAPTURE.get()
        if capture is not None:
            capture.loaded.add(aggregate_id)
        return super().get(aggregate_id, **kwargs)


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
    # A repeat of a command id within this time gets the first reply; later it is a new command.
    command_ids_kept: ClassVar[timedelta] = timedelta(days=1)
    # The running service points ``calendar_source`` at the company calendar's records read
    # from the SLA stream (``services.runtime.calendar_feed``); off where the store holds them.
    calendar_from_feed: ClassVar[bool] = True

    def __init__(self, env: dict[str, str], clock: Callable[[], datetime] | None = None,
                 calendar: WorkingCalendar | None = None) -> None:
        super().__init__(env)
        self.clock = clock or (lambda: datetime.now(UTC))
        # The environment's calendar (or the one a test injects); the company's entries go on it.
        self.base_calendar = calendar or WorkingCalendar.from_env(os.environ)
        self.calendar_source: Callable[[], WorkingCalendar] = lambda: self.base_calendar

    @property
    def calendar(self) -> WorkingCalendar:
        """The working-time calendar the use cases count in, as it stands now."""
        return self.calendar_source()

    def construct_repository(self) -> Repository:  # type: ignore[type-arg]
        repository = super().construct_repository()
        repository.__class__ = WatchedRepository  # the library's own construction, watched
        return repository

    def construct_recorder(self) -> ProcessRecorder:
        return command_log_recorder(self.factory)

    @property
    def process_recorder(self) -> ProcessRecorder:
        recorder = self.recorder
        assert isinstance(recorder, ProcessRecorder)
        return recorder

    def context(self, actor: Actor, correlation_id: uuid.UUID | None,
                occurred_at: datetime | None = None) -> Context:
        """A command's context: its business time is ``occurred_at`` when the person gave one
        (explicit: checked against the record's previous step), else the clock."""
        now = self.clock()
        return Context(actor=actor, now=occurred_at or now, recorded_at=now,
                       explicit=occurred_at is not None,
                       correlation_id=correlation_id or uuid.uuid4())

    def reaction_context(self, cause: DomainEvent) -> Context:
        """Context of an automatic reaction: the system acts, in the cause's conversation, at
        the cause's business time (production received the documents when sales handed them
        over), raised to the record's latest step if that is later; recorded by the clock."""
        return Context(actor=SYSTEM, now=cause.timestamp, recorded_at=self.clock(),
                       correlation_id=cause.correlation_id, causation_id=cause.event_id)

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
        """Save the aggregates' new events atomically, with the consumer's tracking if given,
        or with the reply of the command id being handled (see ``handling``)."""
        processing: ProcessingEvent[uuid.UUID] = ProcessingEvent(tracking=tracking)
        # What ProcessingEvent.collect_events does, without its isinstance checks against
        # runtime protocols: they cost a fifth of a command's time.
        for aggregate in aggregates:
            processing.events.extend(aggregate.collect_events())
            processing.aggregates[aggregate.id] = aggregate
        refs = [EventRef(event_id=e.event_id, type=type(e).__name__,  # type: ignore[attr-defined]
                         aggregate_id=e.originator_id, version=e.originator_version)
                for e in processing.events]
        capture = _CAPTURE.get()
        if capture is not None and (tracking is None or capture.tracked):
            # a group commit (or a consumer's run) writes it with the rest of its batch
            capture.saved.append(processing)
            return refs
        key = _HANDLING.get() if tracking is None and refs else None
        if key is not None:
            if key.remembered:  # a second save would leave the remembered reply partial
                raise RuntimeError(f"{key.command} saved twice; a use case saves once")
            processing.collect_events(**{HANDLED: (self.handled_row(key, refs),)})
        self._record(processing)
        if key is not None:
            key.remembered = True
        return refs

    def handled_row(self, key: CommandKey, refs: list[EventRef]) -> HandledCommand:
        """The command log row of ``key``, answered with ``refs``."""
        now = self.clock()
        return HandledCommand(
            command_id=key.command_id, command=key.command, digest=key.digest,
            reply=CommandReply(ok=True, events=refs).model_dump_json(exclude_none=True),
            handled_at=now.timestamp(), forget_before=(now - self.command_ids_kept).timestamp())

    @contextmanager
    def capturing(self, tracked: bool = False) -> Iterator[Capture]:
        """Within this block, ``store()`` keeps the saves in the yielded ``Capture`` (group
        commit) and the repository notes what is loaded; ``tracked``: also the saves given a
        consumer's tracking (a run of reactions)."""
        capture = Capture(tracked=tracked)
        token = _CAPTURE.set(capture)
        try:
            yield capture
        finally:
            _CAPTURE.reset(token)

    def record_captured(self, captures: list[Capture], handled: tuple[HandledCommand, ...]) -> None:
        """Write the captured saves of several use cases, with their command log rows, in one
        transaction: all of it or, on any error, nothing."""
        processing: ProcessingEvent[uuid.UUID] = ProcessingEvent()
        for capture in captures:
            for saved in capture.saved:
                processing.events.extend(saved.events)
                processing.aggregates.update(saved.aggregates)
        if handled:
            processing.collect_events(**{HANDLED: handled})
        if processing.events:
            self._record(processing)

    def record_run(self, captures: Sequence[Capture], tracking: Tracking,
                   run_from: Tracking | None = None) -> None:
        """Write the captured saves of a consumer's run of deliveries with ``tracking`` (its
        last delivery's) in one transaction: all of it or, on any error, nothing. Single-row
        tracking keeps only the latest position, so the last one stands for the whole run;
        ``run_from`` (its first delivery's): ``IntegrityError`` when the stored position is
        already there, checked in the same transaction (``command_log.RUN_FROM``)."""
        processing: ProcessingEvent[uuid.UUID] = ProcessingEvent(tracking=tracking)
        if run_from is not None:
            processing.collect_events(**{RUN_FROM: run_from})
        for capture in captures:
            for saved in capture.saved:
                processing.events.extend(saved.events)
                processing.aggregates.update(saved.aggregates)
        self._record(processing)

    @contextmanager
    def handling(self, key: CommandKey | None) -> Iterator[None]:
        """Within this block, ``store()`` records ``key`` with the events, in one transaction."""
        token = _HANDLING.set(key)
        try:
            yield
        finally:
            _HANDLING.reset(token)

    def handled(self, command_id: str) -> HandledCommand | None:
        """The command id's first handling, if it is younger than ``command_ids_kept``."""
        log: CommandLog = self.recorder  # type: ignore[assignment]
        return log.handled_command(command_id, (self.clock() - self.command_ids_kept).timestamp())

    def tracked_position(self, source: str) -> int:
        return self.process_recorder.max_tracking_id(source) or 0


def store_unavailable(error: BaseException) -> bool:
    """Whether ``error`` is an outage of the event store rather than a bug (one rule for the
    command bus and the consumers: ``services.runtime.faults``)."""
    return is_outage(error)


__all__ = [
    "SYSTEM",
    "Capture",
    "CommandKey",
    "DepartmentApplication",
    "IntegrityError",
    "PydanticMapper",
    "store_unavailable",
]
