"""What every department's aggregates share: the base aggregate, the command context, the errors.

Standard library and ``events`` only: no framework code reaches the domain.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self, TypeVar

from events.envelope import Actor, DomainEvent, Role

NAMESPACE = uuid.UUID("6f1c2f7e-1f55-4c5e-9a2a-5a1e5f10a0de")


def record_id(kind: str, number: str) -> uuid.UUID:
    """Deterministic aggregate id from a business number, so a number can be used only once."""
    return uuid.uuid5(NAMESPACE, f"{kind}:{number}")


class DomainError(Exception):
    """A refusal with a sentence in English and in Chinese."""

    kind = "rule"

    def __init__(self, rule: str | None, en: str, zh: str, field: str | None = None) -> None:
        super().__init__(f"{rule or field}: {en}")
        self.rule, self.en, self.zh, self.field = rule, en, zh, field


class RuleBroken(DomainError):
    """The command breaks a DOMAIN.md rule (order of steps, missing material, ...)."""

    kind = "rule"


class Forbidden(DomainError):
    """The actor's role may not give this command."""

    kind = "forbidden"


class Conflict(DomainError):
    """The command clashes with the record as it stands (it already exists, is already so)."""

    kind = "conflict"


class NotFound(DomainError):
    """The record named by the command does not exist."""

    kind = "not_found"


class Invalid(DomainError):
    """A field's value cannot stand against the record (e.g. a business time before its
    previous step): answered like a contract's ``validation`` refusal, naming the field."""

    kind = "validation"


@dataclass(frozen=True)
class Context:
    """Who gives a command, when, and in which conversation; injected so replays are exact.

    ``now`` is the business time: when it happened on the floor (the command's ``occurred_at``,
    a reaction's cause's time, else the clock). ``recorded_at`` is the clock. ``explicit`` says
    the business time was given by a person: then a time before the record's previous step is
    refused; otherwise it is raised to that step's time (clocks of two processes never agree to
    the millisecond, and that must refuse nothing)."""

    actor: Actor
    now: datetime
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    recorded_at: datetime | None = None  # None: recorded at ``now``
    explicit: bool = False

    @property
    def recorded(self) -> datetime:
        return self.recorded_at or self.now

    def require(self, rule: str, allowed: Iterable[Role], en_action: str, zh_action: str) -> None:
        allowed = tuple(allowed)
        if self.actor.role not in allowed:
            names = ", ".join(r.value for r in allowed)
            raise Forbidden(
                rule,
                f"only {names} may {en_action}; {self.actor.user} acts as {self.actor.role.value}",
                f"只有 {names} 可以{zh_action}；{self.actor.user} 的角色是 {self.actor.role.value}",
            )


E = TypeVar("E", bound=DomainEvent)


@dataclass
class Aggregate:
    """Event-sourced aggregate: command methods check rules, then ``trigger`` an event."""

    id: uuid.UUID
    version: int = 0
    _pending: list[DomainEvent] = field(default_factory=list, repr=False)
    # The latest business time of the record's events, and the type of that step.
    occurred_until: datetime | None = field(default=None, repr=False)
    latest_step: str = field(default="", repr=False)

    def trigger(self, event_cls: type[E], ctx: Context, **facts: Any) -> E:
        event = event_cls(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=self.business_time(ctx),
            event_id=uuid.uuid4(),
            actor=ctx.actor,
            correlation_id=ctx.correlation_id,
            causation_id=ctx.causation_id,
            recorded_at=ctx.recorded,
            **facts,
        )
        self.apply(event)
        self._pending.append(event)
        return event

    def business_time(self, ctx: Context) -> datetime:
        """``ctx.now``, unless the record's previous step is later: then refused when a person
        gave the time (``occurred_at``), else raised to that step's time."""
        latest = self.occurred_until
        if latest is None or ctx.now >= latest:
            return ctx.now
        if not ctx.explicit:
            return latest
        raise Invalid(
            None, f"occurred_at ({ctx.now.isoformat()}) must not be before the record's previous "
                  f"step, {self.latest_step} at {latest.isoformat()}",
            f"occurred_at（{ctx.now.isoformat()}）不能早于该记录的上一步（{self.latest_step}，"
            f"{latest.isoformat()}）", field="occurred_at")

    def apply(self, event: DomainEvent) -> None:
        """Change state for one event; subclasses dispatch on the event type."""
        handler = getattr(self, f"when_{type(event).__name__}", None)
        if handler is not None:
            handler(event)
        self.version = event.originator_version
        if self.occurred_until is None or event.timestamp >= self.occurred_until:
            self.occurred_until, self.latest_step = event.timestamp, type(event).__name__

    def collect_events(self) -> list[DomainEvent]:
        pending, self._pending = self._pending, []
        return pending

    @classmethod
    def project(cls, aggregate: Self | None, events: Iterable[DomainEvent]) -> Self | None:
        """Rebuild from stored events (eventsourcing's ``projector_func``)."""
        for event in events:
            if aggregate is None:
                aggregate = cls(id=event.originator_id)
            aggregate.apply(event)
        return aggregate
