"""What a department service is made of: its application, its commands and its reactions."""
from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from eventsourcing.persistence import IntegrityError, Tracking

from contracts.commands.base import Command
from events.envelope import Department, DomainEvent
from services.runtime.commands import UseCase
from services.runtime.consumer import Delivery
from services.runtime.settings import Settings
from services.runtime.store import Capture, DepartmentApplication

log = logging.getLogger(__name__)

Reaction = Callable[[Any, Any, Tracking], None]
Preparer = Callable[[Any, Any], Awaitable[Any]]


@dataclass(frozen=True)
class ServiceSpec:
    """The explicit routing tables of one department (see each department's ``wiring.py``)."""

    department: Department
    application: type[DepartmentApplication]
    commands: Mapping[type[Command], UseCase]
    reactions: Mapping[type[DomainEvent], Reaction] = field(default_factory=dict)
    # Async steps run before a command's use case, given the JetStream context (e.g. storing a
    # document's content in the object store); each returns the command to go on with.
    preparers: Mapping[type[Command], Preparer] = field(default_factory=dict)
    # Timer name -> reaction to ``contracts.timers.TimerDue`` (JetStream message schedules).
    timers: Mapping[str, Reaction] = field(default_factory=dict)
    # Given the settings once the application is open (e.g. the SLA service's overrides).
    configure: Callable[[Any, Settings], None] | None = None
    # Given the service's NATS connection and settings once connected, in its event loop (e.g.
    # the sla service's daily pack asks the projections and stores the workbook).
    attach: Callable[[Any, Any, Settings], None] | None = None
    # Run in a thread each time this copy becomes the active one, its relay and consumers
    # started; what it stores is relayed (e.g. the SLA service's catch-up of missed reports).
    on_active: Callable[[Any], None] | None = None
    # The service's clock honours ``Settings.clock_offset_seconds``, so its timers are shifted.
    clock_offset: bool = False

    def sources(self) -> dict[Department, list[str]]:
        """Other departments' streams this service reads, with the subjects it needs."""
        wanted: dict[Department, list[str]] = {}
        for event_cls in self.reactions:
            wanted.setdefault(event_cls.department, []).append(event_cls.subject())
        return wanted


# Marks a reaction that must not be captured (see ``runs_alone``).
ALONE = "salesflow_runs_alone"
# The most deliveries written in one transaction; a fetched batch (``Settings.fetch_batch``,
# 500 by default) is split into runs of at most this many.
RUN_SIZE = 500
R = TypeVar("R", bound=Callable[..., Any])


def runs_alone(reaction: R) -> R:
    """Mark a reaction that does I/O besides the store (NATS, object store, e-mail) or writes
    by itself: it runs uncaptured, after the run before it is written, as one transaction."""
    setattr(reaction, ALONE, True)
    return reaction


@dataclass
class Run:
    """Deliveries whose reactions ran captured, waiting to be written in one transaction."""

    start: int  # the index of its first delivery in the batch
    trackings: list[Tracking] = field(default_factory=list)
    captures: list[Capture] = field(default_factory=list)
    written: set[uuid.UUID] = field(default_factory=set)

    def add(self, tracking: Tracking, capture: Capture) -> None:
        self.trackings.append(tracking)
        self.captures.append(capture)
        self.written |= capture.written


def reaction_handler(app: DepartmentApplication, reactions: Mapping[Any, Reaction],
                     on_stored: Callable[[], None], key: Callable[[Any], Any] = type,
                     run_size: int = RUN_SIZE) -> Callable[[Sequence[Delivery]], Any]:
    """Batch handler for ``StreamConsumer``: a run of deliveries, one transaction.

    Each reaction runs with its saves captured (``DepartmentApplication.capturing``); the run's
    events are written with the tracking of its last delivery (a delivery without a reaction
    only adds its tracking). One commit per event capped an import near 1,800 events/s.
    A reaction that reads or writes a record the run changes is run again after the run is
    written, on the stored state. The consumer's contract is kept: ``(applied, error)``, where
    nothing of the delivery at ``applied`` is stored and tracking is not past it.

    ``key`` picks the reaction: the event's class by default, a timer's name for timers."""
    run_size = max(run_size, 1)

    def captured(reaction: Reaction, event: Any, tracking: Tracking) -> Capture:
        with app.capturing(tracked=True) as capture:
            reaction(app, event, tracking)
        return capture

    def write(run: Run) -> tuple[int, Exception | None]:
        """How many deliveries of the run were stored, and why not the next one."""
        if not run.trackings:
            return 0, None
        first, last = run.trackings[0], run.trackings[-1]
        try:
            # Single-row tracking refuses only a position not past the stored one: the run's
            # last is, also when another writer passed the run's first; so the run's first is
            # checked too, in the run's transaction (``run_from``). That writer's tracking
            # conflict is then judged by the consumer per delivery, as before.
            app.record_run(run.captures, last, run_from=first)
        except IntegrityError:
            # Another writer changed a record (a command of this service), or the tracking:
            # one transaction per delivery, so the one in conflict is found and judged.
            log.info("%s: a run of %d deliveries conflicted; writing them one by one",
                     first.application_name, len(run.trackings))
            for offset, (tracking, capture) in enumerate(zip(run.trackings, run.captures,
                                                             strict=True)):
                try:
                    app.record_run([capture], tracking)
                except Exception as error:  # noqa: BLE001 - the consumer judges it
                    return offset, error
        except Exception as error:  # noqa: BLE001 - an outage: nothing stored, waited out
            return 0, error
        return len(run.trackings), None

    def apply_all(items: Sequence[Delivery]) -> tuple[int, Exception | None]:
        run = Run(0)
        for index, (event, tracking, _) in enumerate(items):
            reaction = reactions.get(key(event))
            alone = reaction is not None and getattr(reaction, ALONE, False)
            if alone or len(run.trackings) >= run_size:
                stored, failure = write(run)
                if failure is not None:
                    return run.start + stored, failure
                run = Run(index)
            try:
                if reaction is None:
                    capture = Capture()
                elif alone:
                    reaction(app, event, tracking)  # stores its own tracking
                    run = Run(index + 1)
                    continue
                else:
                    capture = captured(reaction, event, tracking)
                    if (capture.loaded | capture.written) & run.written:
                        # Decided on a state the run changes: write the run, decide again.
                        stored, failure = write(run)
                        if failure is not None:
                            return run.start + stored, failure
                        run = Run(index)
                        capture = captured(reaction, event, tracking)
            except Exception as error:  # noqa: BLE001 - the consumer judges it: an aggregate
                # changed under us (retried), tracking moved past us (another writer: an
                # error), the store is away (waited out), or the reaction failed (retried).
                stored, failure = write(run)
                return (run.start + stored, failure) if failure is not None else (index, error)
            run.add(tracking, capture)
        stored, failure = write(run)
        return run.start + stored, failure

    async def handle(items: Sequence[Delivery]) -> tuple[int, Exception | None]:
        result = await asyncio.to_thread(apply_all, items)
        if result[0]:
            on_stored()
        return result

    return handle
