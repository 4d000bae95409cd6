"""User accounts are admin commands stored as events in the ``sla`` service (issue 10): who may
change what, and what the audit trail shows of them."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.replies import CommandReply
from events import users as ev
from events.envelope import Actor, Role
from projections.audit import row
from services.runtime.commands import CommandBus
from services.sla.wiring import SPEC
from tests.unit.commands_catalogue_workflow import HASH

ADMIN = {"user": "ada", "role": "admin"}


class Desk:
    """The sla service's command bus on an in-memory store."""

    def __init__(self) -> None:
        self.app = SPEC.application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
        self.bus = CommandBus(self.app, SPEC.commands, department="sla")

    async def send(self, name: str, actor: dict[str, str], **fields: Any) -> CommandReply:
        body = {"actor": actor, **fields}
        return await self.bus.handle(name, json.dumps(body, default=str).encode())

    def stored(self) -> int:
        return self.app.recorder.max_notification_id() or 0  # type: ignore[attr-defined]

    async def add(self, username: str, *roles: str) -> CommandReply:
        return await self.send("add_user", ADMIN, username=username, display_name=username,
                               user_department="sales", roles=list(roles), password_hash=HASH)


async def test_an_admin_adds_a_user_once_and_a_second_add_is_a_conflict() -> None:
    desk = Desk()
    assert (await desk.add("amy", "sales_assistant")).ok
    again = await desk.add("amy", "salesperson")
    assert again.error is not None and (again.error.kind, again.error.field) == ("conflict",
                                                                                  "username")
    assert desk.stored() == 1


async def test_only_an_admin_manages_accounts_and_nothing_is_stored_on_a_refusal() -> None:
    desk = Desk()
    for role in ("sales_manager", "salesperson", "engineer"):
        reply = await desk.send("add_user", {"user": "mallory", "role": role}, username="eve",
                                display_name="Eve", user_department="sales",
                                roles=["admin"], password_hash=HASH)
        assert reply.error is not None and reply.error.kind == "forbidden"
        assert reply.error.field == "actor.role" and "admin" in reply.error.message_zh
    assert desk.stored() == 0


async def test_a_person_changes_their_own_password_but_not_another_persons() -> None:
    desk = Desk()
    await desk.add("amy", "sales_assistant")
    await desk.add("bob", "salesperson")
    own = await desk.send("change_password", {"user": "amy", "role": "sales_assistant"},
                          username="amy", password_hash=HASH)
    other = await desk.send("change_password", {"user": "bob", "role": "salesperson"},
                            username="amy", password_hash=HASH)
    by_admin = await desk.send("change_password", ADMIN, username="bob", password_hash=HASH)
    assert own.ok and by_admin.ok
    assert other.error is not None and other.error.kind == "forbidden"


async def test_an_admin_can_neither_disable_themselves_nor_drop_their_own_admin_role() -> None:
    desk = Desk()
    await desk.add("ada", "admin")
    disable = await desk.send("disable_user", ADMIN, username="ada")
    demote = await desk.send("change_user_roles", ADMIN, username="ada",
                             user_department="administration", roles=["salesperson"])
    assert disable.error is not None and disable.error.kind == "forbidden"
    assert demote.error is not None and demote.error.kind == "forbidden"
    assert desk.stored() == 1


async def test_tokens_are_issued_once_revoked_once_and_unknown_ones_are_not_found() -> None:
    desk = Desk()
    await desk.add("erp", "sales_assistant")
    expires = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    token = {"username": "erp", "token_id": "t0k3n0001", "token_hash": "a" * 64}
    assert (await desk.send("issue_api_token", ADMIN, label="ERP", expires_at=expires,
                            **token)).ok
    twice = await desk.send("issue_api_token", ADMIN, label="ERP", expires_at=expires, **token)
    assert twice.error is not None and twice.error.kind == "conflict"
    assert (await desk.send("revoke_api_token", ADMIN, username="erp",
                            token_id="t0k3n0001")).ok
    again = await desk.send("revoke_api_token", ADMIN, username="erp", token_id="t0k3n0001")
    unknown = await desk.send("revoke_api_token", ADMIN, username="erp", token_id="n0t0k3n00")
    assert again.error is not None and again.error.kind == "conflict"
    assert unknown.error is not None and (unknown.error.kind, unknown.error.field) == (
        "not_found", "token_id")


async def test_a_disabled_user_gets_no_token_until_enabled_again() -> None:
    desk = Desk()
    await desk.add("bob", "salesperson")
    assert (await desk.send("disable_user", ADMIN, username="bob", reason="left")).ok
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    refused = await desk.send("issue_api_token", ADMIN, username="bob", token_id="t0k3n0002",
                              token_hash="b" * 64, label="x", expires_at=expires)
    assert refused.error is not None and refused.error.kind == "conflict"
    assert (await desk.send("enable_user", ADMIN, username="bob")).ok


def test_the_audit_trail_never_shows_a_password_or_token_hash() -> None:
    import uuid

    added = ev.UserAdded(
        originator_id=uuid.uuid4(), originator_version=1, timestamp=datetime.now(UTC),
        event_id=uuid.uuid4(), actor=Actor(user="ada", role=Role.ADMIN),
        correlation_id=uuid.uuid4(), username="amy", display_name="Amy",
        user_department="sales", roles=(Role.SALES_ASSISTANT,), password_hash=HASH)
    shown = row(added, added.model_dump_json().encode())
    assert HASH not in json.dumps(shown) and "password_hash" not in shown[-1]
    assert json.loads(shown[-1])["username"] == "amy"
