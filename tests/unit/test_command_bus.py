"""Commands are parsed, checked and either stored whole or refused with nothing stored."""
from __future__ import annotations

import json

import pytest

from services.runtime.commands import CommandBus
from services.sales.application import SalesApplication
from services.sales.wiring import SPEC

ASSISTANT = {"user": "amy", "role": "sales_assistant"}
REQUEST = {"actor": ASSISTANT, "request_no": "S-1", "customer": "ACME", "product": "gasket",
           "part_no": "P-1", "salesperson": "bob"}


@pytest.fixture
def bus() -> CommandBus:
    app = SalesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return CommandBus(app, SPEC.commands)


def stored(bus: CommandBus) -> int:
    return bus.app.recorder.max_notification_id() or 0  # type: ignore[attr-defined]


async def test_an_accepted_command_answers_with_the_stored_events(bus: CommandBus) -> None:
    """rule: R-S3"""
    reply = await bus.handle("request_sample", json.dumps(REQUEST).encode())
    assert reply.ok and [e.type for e in reply.events] == ["SampleRequested"]
    assert reply.events[0].version == 1 and stored(bus) == 1


@pytest.mark.parametrize("payload, field, zh", [
    ({**REQUEST, "customer": ""}, "customer", "过短"),
    ({k: v for k, v in REQUEST.items() if k != "part_no"}, "part_no", "缺少必填字段"),
    ({**REQUEST, "colour": "red"}, "colour", "不允许的字段"),
    ({**REQUEST, "actor": {"user": "amy", "role": "janitor"}}, "actor.role", "取值"),
])
async def test_a_malformed_command_is_refused_naming_the_field_in_english_and_chinese(
        bus: CommandBus, payload: dict, field: str, zh: str) -> None:  # type: ignore[type-arg]
    reply = await bus.handle("request_sample", json.dumps(payload).encode())
    assert not reply.ok and reply.error is not None
    assert reply.error.kind == "validation" and reply.error.field == field
    assert field in reply.error.message_en and zh in reply.error.message_zh
    assert stored(bus) == 0


async def test_a_rule_refusal_names_the_rule_and_stores_nothing(bus: CommandBus) -> None:
    """rule: R-S3"""
    await bus.handle("request_sample", json.dumps(REQUEST).encode())
    before = stored(bus)
    reply = await bus.handle("open_sample_application", json.dumps(
        {"actor": ASSISTANT, "request_no": "S-1", "application_no": "A-1"}).encode())
    assert reply.error is not None and reply.error.kind == "rule" and reply.error.rule == "R-S3"
    assert reply.error.message_zh and stored(bus) == before
    assert bus.app.sample("S-1").status == "requested"  # type: ignore[attr-defined]


async def test_a_command_on_a_missing_record_is_not_found(bus: CommandBus) -> None:
    reply = await bus.handle("sign_quotation", json.dumps(
        {"actor": {"user": "sue", "role": "cs_supervisor"}, "request_no": "NOPE"}).encode())
    assert reply.error is not None and reply.error.kind == "not_found"
    assert reply.error.field == "request_no" and "NOPE" in reply.error.message_en


async def test_a_wrong_role_is_forbidden(bus: CommandBus) -> None:
    """rule: R-S3"""
    reply = await bus.handle("request_sample", json.dumps(
        {**REQUEST, "actor": {"user": "bob", "role": "salesperson"}}).encode())
    assert reply.error is not None and reply.error.kind == "forbidden" and stored(bus) == 0


async def test_an_unknown_command_lists_the_known_ones(bus: CommandBus) -> None:
    reply = await bus.handle("launch_rocket", b"{}")
    assert reply.error is not None and reply.error.kind == "not_found"
    assert "request_sample" in reply.error.message_en


async def test_a_concurrent_save_is_retried_then_reported_as_a_conflict(bus: CommandBus) -> None:
    from eventsourcing.persistence import IntegrityError

    calls = []

    def always_conflicts(app, command, ctx):  # type: ignore[no-untyped-def]
        calls.append(1)
        raise IntegrityError("version taken")

    from contracts.commands.sales import RequestSample

    bus.routes["request_sample"] = (RequestSample, always_conflicts)
    reply = await bus.handle("request_sample", json.dumps(REQUEST).encode())
    assert reply.error is not None and reply.error.kind == "conflict" and len(calls) == 3
