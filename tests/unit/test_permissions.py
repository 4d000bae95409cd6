"""The role → command permission table (issue 10): one entry for every command of every
service, and every command bus refuses a role outside it before the command reaches a record."""
from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime

from contracts.commands import ALL
from contracts.permissions import PERMISSIONS, allowed_roles, by_role, rule_of
from events.envelope import Role
from services.runtime.commands import CommandBus
from tests.unit.commands_catalogue import valid


def test_the_table_names_every_command_of_every_service_and_nothing_else() -> None:
    assert {d: set(c) for d, c in PERMISSIONS.items()} == {d: set(c) for d, c in ALL.items()}
    for commands in PERMISSIONS.values():
        for rule, roles in commands.values():
            assert roles and Role.SYSTEM not in roles
            assert rule is None or rule.startswith("R-")


def test_read_by_role_the_table_gives_each_person_role_something_to_do() -> None:
    table = by_role()
    assert all(table[role] for role in table), {r: c for r, c in table.items() if not c}
    assert "sales.request_sample" in table[Role.SALES_ASSISTANT]
    assert "sla.add_user" in table[Role.ADMIN] and "sla.add_user" not in table[Role.SALES_MANAGER]


async def test_every_bus_refuses_each_role_outside_the_table_and_stores_nothing() -> None:
    bodies = valid(datetime.now(UTC))
    refused = 0
    for department, commands in ALL.items():
        spec = importlib.import_module(f"services.{department}.wiring").SPEC
        app = spec.application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        bus = CommandBus(app, spec.commands, department=department)
        for name in commands:
            for role in (r for r in Role if r not in allowed_roles(department, name)):
                body = {"actor": {"user": "mallory", "role": role.value}, **bodies[name]}
                reply = await bus.handle(name, json.dumps(body).encode())
                error = reply.error
                assert error is not None and (error.kind, error.field, error.rule) == (
                    "forbidden", "actor.role", rule_of(department, name)), (name, role, reply)
                assert "只有" in error.message_zh
                refused += 1
        assert (app.recorder.max_notification_id() or 0) == 0, department
    assert refused > 800, refused
