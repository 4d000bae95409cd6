"""What a department service is made of: its application, its commands and its reactions."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking

from contracts.commands.base import Command
from events.envelope import Department, DomainEvent
from services.runtime.commands import UseCase
from services.runtime.consumer import Delivery
from services.runtime.settings import Settings
from services.runtime.store import DepartmentApplication

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


def reaction_handler(app: DepartmentApplication, reactions: Mapping[Any, Reaction],
                     on_stored: Callable[[], None],
                     key: Callable[[Any], Any] = type) -> Callable[[Sequence[Delivery]], Any]:
    """Batch handler for ``StreamConsumer``: one transaction (events + tracking) per message.

    ``key`` picks the reaction: the event's class by default, a timer's name for timers."""

    def apply_all(items: Sequence[Delivery]) -> tuple[int, Exception | None]:
        for index, (event, tracking, _) in enumerate(items):
            reaction = reactions.get(key(event))
            try:
                if reaction is None:
                    app.process_recorder.insert_tracking(tracking)
                else:
                    reaction(app, event, tracking)
            except Exception as error:  # noqa: BLE001 - the consumer judges it: an aggregate
                # changed under us (retried), tracking moved past us (another writer: an
                # error), the store is away (waited out), or the reaction failed (retried).
                return index, error
        return len(items), None

    async def handle(items: Sequence[Delivery]) -> tuple[int, Exception | None]:
        result = await asyncio.to_thread(apply_all, items)
        if result[0]:
            on_stored()
        return result

    return handle
