"""Who sends and who receives each subject, read from the code that does it: the departments'
routing tables (``services.<department>.wiring.SPEC``), the calendar feed, the projections."""
from __future__ import annotations

import functools
import importlib

from contracts.subjects import (
    CALENDAR_SUBJECTS,
    DEPARTMENTS,
    GATEWAY,
    PROJECTIONS,
    USER_SUBJECTS,
)
from events.envelope import Department, DomainEvent
from services.runtime.spec import ServiceSpec

OPERATOR = "operator"
NATS_SERVER = "nats-server"
# Who sends commands and queries: the HTTP gateway, and the `salesflow` CLI on the machine.
CALLERS: tuple[str, ...] = (GATEWAY, OPERATOR)
# The gateway's account directory follows the user events (services.gateway.accounts), and so
# does `salesflow users list`.

DESCRIPTIONS: dict[str, str] = {
    **{d.value: f"The {d.value} service / {d.value} 服务" for d in DEPARTMENTS},
    PROJECTIONS: "The projections: read models, SLA picture, queries / 投影服务（读模型与查询）",
    GATEWAY: "The HTTP gateway (services/gateway) / HTTP 网关",
    OPERATOR: "The `salesflow` command line on the machine / 命令行（运维人员）",
    NATS_SERVER: "nats-server itself: JetStream message schedules fire timers / NATS 服务器",
}


@functools.cache
def specs() -> dict[Department, ServiceSpec]:
    """Each department's routing tables, as its service runs them."""
    return {d: importlib.import_module(f"services.{d.value}.wiring").SPEC for d in DEPARTMENTS}


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` one token, ``>`` the rest (one token at least)."""
    wanted, given = pattern.split("."), subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(given) > index
        if index >= len(given) or token not in ("*", given[index]):
            return False
    return len(wanted) == len(given)


def event_receivers(cls: type[DomainEvent]) -> list[str]:
    """Everyone who reads this event: the projections read every stream whole, a department
    the events its reactions name, the calendar feed the calendar entries, the gateway the
    accounts."""
    found = {PROJECTIONS}
    for department, spec in specs().items():
        if cls in spec.reactions:
            found.add(department.value)
        if spec.application.calendar_from_feed and matches(CALENDAR_SUBJECTS, cls.subject()):
            found.add(department.value)
    if matches(USER_SUBJECTS, cls.subject()):
        found.update(CALLERS)
    return sorted(found)


def durable_readers(cls: type[DomainEvent]) -> list[str]:
    """The receivers that read it with a durable consumer (the others follow it live)."""
    return sorted({PROJECTIONS} | {d.value for d, spec in specs().items()
                                   if cls in spec.reactions})


def starts_timers(cls: type[DomainEvent]) -> bool:
    return cls.timers is not DomainEvent.timers


def timer_receivers() -> dict[str, list[str]]:
    """Timer name -> the departments whose consumer of SALESFLOW_TIMERS reacts to it."""
    found: dict[str, set[str]] = {}
    for department, spec in specs().items():
        for name in spec.timers:
            found.setdefault(name, set()).add(department.value)
    return {name: sorted(found[name]) for name in sorted(found)}
