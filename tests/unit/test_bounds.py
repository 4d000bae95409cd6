"""Every field of every command is bounded: an out-of-range value is refused as a ``validation``
error naming the field, in English and Chinese, and nothing is stored (issue 6, bad input)."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from contracts.commands import ALL
from contracts.commands.bulk import Bulk
from contracts.commands.production import PromiseDelivery
from contracts.replies import CommandReply
from services.runtime.commands import CommandBus
from services.runtime.spec import ServiceSpec
from tests.unit.commands_catalogue import (
    PEOPLE,
    bad,
    common,
    text_paths,
    valid,
    value_at,
    with_value,
)

DEPARTMENT = {name: department for department, commands in ALL.items() for name in commands}


def spec(department: str) -> ServiceSpec:
    import importlib

    return importlib.import_module(f"services.{department}.wiring").SPEC  # type: ignore[no-any-return]


def payload(name: str, now: datetime) -> dict[str, Any]:
    user, role = PEOPLE[DEPARTMENT[name]]
    return {"actor": {"user": user, "role": role}, **valid(now)[name]}


async def send(name: str, body: dict[str, Any]) -> tuple[CommandReply, int]:
    """Through a fresh in-memory bus of the command's department: (reply, events stored)."""
    department = spec(DEPARTMENT[name])
    app = department.application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    bus = CommandBus(app, department.commands)
    reply = await bus.handle(name, json.dumps(body).encode())
    return reply, app.recorder.max_notification_id() or 0  # type: ignore[attr-defined]


def assert_refused(reply: CommandReply, field: str, zh: str | None = None) -> None:
    """A validation refusal naming ``field`` in both languages (and saying ``zh`` if given)."""
    error = reply.error
    assert not reply.ok and error is not None, reply
    assert (error.kind, error.field) == ("validation", field), error.sentence()
    assert field in error.message_en and field in error.message_zh
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh)
    if zh is not None:  # the bounds' own sentences carry both languages
        assert zh in error.message_zh + error.message_en, error.sentence()


def out_of_range() -> list[Any]:
    now = datetime.now(UTC)
    own = bad(now)
    return [pytest.param(name, path, value, zh, id=f"{name}:{path}={str(value)[:16]}")
            for name in DEPARTMENT for path, value, zh in [*common(name), *own.get(name, [])]]


def test_every_valid_payload_of_the_catalogue_is_accepted_by_its_contract() -> None:
    """The refusals below are then due to the one value each changes."""
    now = datetime.now(UTC)
    assert set(valid(now)) == set(DEPARTMENT)
    for name, department in DEPARTMENT.items():
        ALL[department][name].model_validate_json(json.dumps(payload(name, now)))


def test_the_catalogue_has_an_out_of_range_value_for_every_field_of_every_command() -> None:
    now = datetime.now(UTC)
    own = bad(now)
    for name, department in DEPARTMENT.items():
        covered = {path.split(".")[0] for path, _, _ in [*common(name), *own.get(name, [])]}
        assert set(ALL[department][name].model_fields) <= covered, name


@pytest.mark.parametrize("name, path, value, zh", out_of_range())
async def test_an_out_of_range_value_is_refused_naming_its_field_and_nothing_is_stored(
        name: str, path: str, value: Any, zh: str | None) -> None:
    """rule: R-S7 (promise windows) — and every other field of every command."""
    reply, stored = await send(name, with_value(payload(name, datetime.now(UTC)), path, value))
    assert_refused(reply, path, zh)
    assert stored == 0


@pytest.mark.parametrize("name", sorted(n for n in DEPARTMENT
                                          if not issubclass(ALL[DEPARTMENT[n]][n], Bulk)))
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x9b", "\u202e", "\u2028"])
async def test_a_control_character_in_any_text_of_any_command_is_refused(name: str,
                                                                         char: str) -> None:
    """NUL made PostgreSQL refuse the projection row; ESC, CSI and bidi overrides would be obeyed
    by a terminal. Every text counts, nested ones (contacts, the actor's user name) too. (A
    bulk's rows are refused one by one, as their row command: tests/unit/test_import_bulk.py.)"""
    body = payload(name, datetime.now(UTC))
    for path in text_paths(body):
        original = value_at(body, path)
        reply, stored = await send(name, with_value(body, path, original[:1] + char + original[1:]))
        assert_refused(reply, path)
        assert stored == 0


@pytest.mark.parametrize("name, field", [
    ("reject_price", "reason"), ("resolve_price_escalation", "note"), ("chase_order", "note"),
    ("record_trial", "cause"), ("record_trial", "note"), ("agree_ng_fix", "fix"),
    ("agree_ng_fix", "customer_reply"), ("note_sample_month", "text"), ("notify_delay", "reason"),
    ("pause_sample_work", "note"), ("resume_sample_work", "note"),
])
def test_multi_line_free_texts_keep_line_breaks_and_tabs_but_no_other_control(
        name: str, field: str) -> None:
    now = datetime.now(UTC)
    cls = ALL[DEPARTMENT[name]][name]
    kept = cls.model_validate_json(json.dumps(
        with_value(payload(name, now), field, "first line\n\tsecond line")))
    assert getattr(kept, field) == "first line\n\tsecond line"
    for char in ("\r", "\x00", "\x1b", "\x0b"):
        with pytest.raises(ValidationError) as refused:
            cls.model_validate_json(json.dumps(with_value(payload(name, now), field, f"a{char}b")))
        assert refused.value.errors()[0]["loc"] == (field,)


def test_a_single_line_text_refuses_a_line_break() -> None:
    body = with_value(payload("submit_customer", datetime.now(UTC)), "contact.person", "Wu\nX")
    with pytest.raises(ValidationError) as refused:
        ALL["sales"]["submit_customer"].model_validate_json(json.dumps(body))
    error = refused.value.errors()[0]
    assert error["loc"] == ("contact", "person") and error["type"] == "control_character"
    assert "U+000A" in error["ctx"]["en"] and "控制字符" in error["ctx"]["zh"]


def test_windows_are_counted_from_the_validation_context_now_when_given() -> None:
    """rule: R-S7 — decision 6: ``info.context["now"]`` (the app's clock), else the wall clock."""
    then = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    body = json.dumps({"actor": {"user": "pam", "role": "pmc_planner"}, "request_no": "S-1",
                       "promised_at": (then + timedelta(days=30)).isoformat()})
    promise = PromiseDelivery.model_validate_json(body, context={"now": then})
    assert promise.promised_at == then + timedelta(days=30)
    with pytest.raises(ValidationError) as refused:  # more than 366 days after the wall clock
        PromiseDelivery.model_validate_json(body)
    assert refused.value.errors()[0]["type"] == "datetime_too_late"
    with pytest.raises(ValidationError):  # three years after "now" is refused at any now
        PromiseDelivery.model_validate_json(body, context={
            "now": then - timedelta(days=3 * 365)})


def test_refusals_of_the_bounds_carry_each_language_apart_in_their_context() -> None:
    """So the command bus can put the English in ``message_en`` and the Chinese in
    ``message_zh`` (``ctx["en"]``, ``ctx["zh"]``)."""
    body = {**payload("promise_delivery", datetime.now(UTC)), "promised_at": "9999-12-31T00:00:00Z"}
    with pytest.raises(ValidationError) as refused:
        PromiseDelivery.model_validate_json(json.dumps(body))
    error = refused.value.errors()[0]
    assert error["loc"] == ("promised_at",) and error["type"] == "datetime_too_late"
    assert error["ctx"]["en"].startswith("must not be more than 366 days after now")
    assert error["ctx"]["zh"].startswith("不能晚于当前时间 366 天以后")
    assert error["msg"] == f"{error['ctx']['en']} / {error['ctx']['zh']}"


def test_costs_may_be_zero_one_at_a_time_but_not_both() -> None:
    """A customer-supplied material (客供料) costs nothing; a costing of nothing is no costing."""
    base = payload("complete_costing", datetime.now(UTC))
    cls = ALL["sales"]["complete_costing"]
    assert cls.model_validate_json(json.dumps({**base, "material_cost": "0"}))
    assert cls.model_validate_json(json.dumps({**base, "process_cost": "0.00"}))
    with pytest.raises(ValidationError) as refused:
        cls.model_validate_json(json.dumps({**base, "material_cost": "0", "process_cost": "0"}))
    assert refused.value.errors()[0]["loc"] == ("process_cost",)


@pytest.mark.parametrize("name", sorted(DEPARTMENT))
def test_every_command_accepts_a_business_time_from_a_month_ago_up_to_a_few_seconds_ahead(
        name: str) -> None:
    """Issue 9: ``occurred_at`` is on every command; the window counts from the context's now,
    with a few seconds of clock skew allowed ahead."""
    now = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)
    cls = ALL[DEPARTMENT[name]][name]
    for moment in (now - timedelta(days=30, hours=23), now, now + timedelta(seconds=4)):
        body = {**payload(name, now), "occurred_at": moment.isoformat()}
        assert cls.model_validate_json(json.dumps(body), context={"now": now}).occurred_at == moment
    assert cls.model_validate_json(json.dumps(payload(name, now)),
                                   context={"now": now}).occurred_at is None
    with pytest.raises(ValidationError) as refused:
        cls.model_validate_json(json.dumps({**payload(name, now), "occurred_at": (
            now + timedelta(seconds=6)).isoformat()}), context={"now": now})
    assert refused.value.errors()[0]["type"] == "datetime_in_future"
