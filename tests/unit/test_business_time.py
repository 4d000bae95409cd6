"""Business time (issue 9): a command may say when its step happened on the floor
(``occurred_at``); events keep that time (``timestamp``) and when salesflow recorded them
(``recorded_at``). Not in the future, not before the record's previous step; reactions happen at
their cause's time; the audit trail shows both; as-of reads what was recorded by then."""
from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any

import pytest

from contracts.replies import CommandReply
from events import engineering as eng
from events import production as prod
from events import sales
from events.envelope import Actor, DieDifficulty, DomainEvent, Role
from projections import as_of
from projections.projector import Projector
from projections.store import ViewStore
from services.cli import tables
from services.engineering.wiring import SPEC as ENGINEERING
from services.production.sample_work_order import SampleWorkOrder, work_order_id
from services.runtime.commands import CommandBus
from services.sales.wiring import SPEC as SALES
from tests.projection_events import by_stream
from tests.unit.builders import T0
from tests.unit.company import Company

ASSISTANT = {"user": "amy", "role": "sales_assistant"}
REQUEST = {"actor": ASSISTANT, "request_no": "S-1", "customer": "ACME", "product": "gasket",
           "part_no": "P-1", "salesperson": "bob"}
CALL = T0 + timedelta(minutes=10)  # 09:10 UTC: when the customer's request came in
ENTERED = T0 + timedelta(hours=2, minutes=2)  # 11:02 UTC: when the assistant typed it


@pytest.fixture
def company() -> Company:
    return Company(now=ENTERED)


async def send(company: Company, name: str, **fields: Any) -> CommandReply:
    bus = CommandBus(company.sales, SALES.commands)
    return await bus.handle(name, json.dumps({"actor": ASSISTANT, "request_no": "S-1",
                                              **fields}).encode())


def request(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in {**REQUEST, **fields}.items() if k not in ("actor", "request_no")}


def validation(reply: CommandReply) -> tuple[str, str, str]:
    error = reply.error
    assert not reply.ok and error is not None, reply
    assert (error.kind, error.field) == ("validation", "occurred_at"), error.sentence()
    return error.message_en, error.message_zh, error.sentence()


async def test_a_command_without_a_business_time_happened_when_it_was_recorded(
        company: Company) -> None:
    """rule: R-S3 — the default business time is now (the application's clock)."""
    assert (await send(company, "request_sample", **request())).ok
    [requested] = company.events(company.sales)
    assert requested.timestamp == requested.recorded_at == ENTERED


async def test_an_earlier_business_time_is_kept_with_the_time_it_was_recorded(
        company: Company) -> None:
    """rule: R-S3 — the customer's request at 09:10, typed in at 11:02."""
    reply = await send(company, "request_sample", **request(occurred_at=CALL.isoformat()))
    assert reply.ok, reply
    [requested] = company.events(company.sales)
    assert (requested.timestamp, requested.recorded_at) == (CALL, ENTERED)
    assert requested.recorded == ENTERED


@pytest.mark.parametrize("ahead, refused", [(timedelta(seconds=4), False),
                                            (timedelta(seconds=6), True),
                                            (timedelta(hours=1), True)])
async def test_a_business_time_in_the_future_is_refused_beyond_a_few_seconds_of_clock_skew(
        company: Company, ahead: timedelta, refused: bool) -> None:
    """rule: R-S3"""
    reply = await send(company, "request_sample",
                       **request(occurred_at=(ENTERED + ahead).isoformat()))
    if not refused:
        assert reply.ok
        return
    en, zh, _ = validation(reply)
    assert "must not be in the future" in en and "不能晚于当前时间" in zh
    assert company.events(company.sales) == []


async def test_a_business_time_more_than_31_days_back_is_refused_as_a_typo(
        company: Company) -> None:
    """rule: R-S3 — 2025 typed for 2026."""
    reply = await send(company, "request_sample",
                       **request(occurred_at=(CALL - timedelta(days=365)).isoformat()))
    en, zh, _ = validation(reply)
    assert "31 days before now" in en and "31 天以前" in zh
    assert company.events(company.sales) == []


async def test_a_business_time_before_the_records_previous_step_is_refused_and_nothing_stored(
        company: Company) -> None:
    """rule: R-S3 — the checklist cannot be completed before the request was made."""
    assert (await send(company, "request_sample", **request(occurred_at=CALL.isoformat()))).ok
    reply = await send(company, "update_sample_materials", materials={"key_notes": True},
                       occurred_at=(CALL - timedelta(minutes=5)).isoformat())
    en, zh, sentence = validation(reply)
    assert "occurred_at" in en and "occurred_at" in zh
    assert "previous step, SampleRequested at 2026-11-02T09:10:00+00:00" in en, sentence
    assert "上一步（SampleRequested，2026-11-02T09:10:00+00:00）" in zh, sentence
    assert len(company.events(company.sales)) == 1
    same = await send(company, "update_sample_materials", materials={"key_notes": True},
                      occurred_at=CALL.isoformat())  # the same minute is not before it
    assert same.ok


async def test_without_a_given_time_a_clock_behind_the_records_last_step_is_raised_to_it(
        company: Company) -> None:
    """rule: R-S3 — two processes' clocks never agree exactly; that refuses nothing."""
    assert (await send(company, "request_sample", **request())).ok
    company.now = ENTERED - timedelta(seconds=3)  # another process, its clock a little behind
    assert (await send(company, "update_sample_materials", materials={"key_notes": True})).ok
    first, second = company.events(company.sales)
    assert second.timestamp == first.timestamp == ENTERED
    assert second.recorded_at == ENTERED - timedelta(seconds=3)


async def test_reactions_in_other_departments_happen_at_their_causes_business_time(
        company: Company) -> None:
    """rule: R-S3 — production receives the documents when engineering handed them over,
    whenever its consumer gets to them; recorded by its own clock."""
    company.now = T0
    approved = company.approve()
    company.now = T0 + timedelta(hours=3)
    [opened] = company.deliver(company.engineering.on_application_approved, approved)
    assert isinstance(opened, eng.SamplingJobOpened)
    assert (opened.timestamp, opened.recorded_at) == (approved.timestamp, T0 + timedelta(hours=3))
    scheduled_at = T0 + timedelta(hours=3, minutes=30)
    company.now = T0 + timedelta(hours=5)
    bus = CommandBus(company.engineering, ENGINEERING.commands)
    reply = await bus.handle("schedule_sampling", json.dumps({
        "actor": {"user": "eric", "role": "engineer"}, "request_no": "S-1",
        "scheduled_for": (T0 + timedelta(hours=6)).isoformat(),
        "occurred_at": scheduled_at.isoformat()}).encode())
    assert reply.ok, reply
    scheduled = company.of_type(company.engineering, eng.SamplingScheduled)[-1]
    company.now = T0 + timedelta(hours=7)
    [received] = company.deliver(company.production.on_sampling_scheduled, scheduled)
    assert isinstance(received, prod.SampleDocumentsReceived)
    assert (received.timestamp, received.recorded_at) == (scheduled_at, T0 + timedelta(hours=7))


def test_a_reaction_whose_cause_is_older_than_the_records_last_step_is_raised_to_it(
        company: Company) -> None:
    """rule: R-S3 — a reaction is never refused for its time."""
    order = SampleWorkOrder(id=work_order_id("S-1"))
    documents = eng.SamplingScheduled(
        originator_id=work_order_id("S-1"), originator_version=2, timestamp=T0 + timedelta(hours=5),
        event_id=work_order_id("x"), actor=Actor(user="eric", role=Role.ENGINEER),
        correlation_id=work_order_id("c"), request_no="S-1", scheduled_for=T0,
        die_difficulty=DieDifficulty.NORMAL, round=1)
    order.receive_documents(company.production.reaction_context(documents), documents)
    older = documents.model_copy(update={"timestamp": T0, "round": 2})
    order.receive_documents(company.production.reaction_context(older), older)
    first, second = order.collect_events()
    assert first.timestamp == second.timestamp == T0 + timedelta(hours=5)
    assert second.recorded_at == company.now


def test_a_timer_reaction_happens_at_the_clock_not_at_its_causes_time(company: Company) -> None:
    """rule: R-S7 — a missed promise is decided when its time has passed."""
    company.now = T0
    company.in_production()
    promised = company.promise(T0 + timedelta(hours=4))
    company.now = T0 + timedelta(hours=9)
    [missed] = company.deliver(company.production.on_promise_due, company.fired(promised))
    assert isinstance(missed, prod.DeliveryPromiseMissed)
    assert missed.timestamp == missed.recorded_at == T0 + timedelta(hours=9)


def projected(store: ViewStore, events: list[DomainEvent]) -> Projector:
    projector = Projector(store)
    for items in by_stream(events).values():
        projector.apply(items)
    return projector


async def test_the_audit_trail_shows_both_times_where_they_differ(company: Company,
                                                                   store: ViewStore) -> None:
    """rule: R-S5 — "09:10 (recorded 11:02)"; a step recorded as it happened shows one time."""
    assert (await send(company, "request_sample", **request(occurred_at=CALL.isoformat()))).ok
    assert (await send(company, "update_sample_materials", materials={"key_notes": True})).ok
    projector = projected(store, company.events(company.sales))
    trail = projector.models.audit.history(store, "S-1")
    assert [(e["occurred_at"], e["recorded_at"]) for e in trail] == [
        (CALL.isoformat(), ENTERED.isoformat()), (ENTERED.isoformat(), ENTERED.isoformat())]
    assert "recorded_at" not in trail[0]["facts"]
    shown = tables.history(trail, UTC)
    assert "2026-11-02 09:10:00 (recorded 11:02 录入)" in shown
    assert "2026-11-02 11:02:00 " in shown and shown.count("recorded") == 1
    next_day = dict(trail[0], recorded_at=(CALL + timedelta(days=1)).isoformat())
    assert tables.when(next_day, UTC) == "2026-11-02 09:10:00 (recorded 2026-11-03 09:10 录入)"


async def test_as_of_a_moment_reads_what_was_recorded_by_then_not_what_had_happened(
        company: Company, store: ViewStore) -> None:
    """rule: R-S5 — the 10:00 table does not hold the 09:10 call typed in at 11:02; the 11:02
    table does, dated 09:10."""
    assert (await send(company, "request_sample", **request(occurred_at=CALL.isoformat()))).ok
    fold = projected(store, company.events(company.sales)).models.samples.fold()
    assert as_of.rows(store, fold, T0 + timedelta(hours=1)) == []
    [row] = as_of.rows(store, fold, ENTERED)
    assert row["request_no"] == "S-1" and row["requested_at"] == CALL.isoformat()
    requested = company.of_type(company.sales, sales.SampleRequested)[0]
    assert requested.timestamp < T0 + timedelta(hours=1) < requested.recorded


class Recorder:
    """Stands in for the CLI's NATS client: keeps the command it was given, accepts it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []

    async def command(self, department: str, name: str, payload: dict[str, Any]) -> CommandReply:
        self.sent.append((department, name, payload))
        return CommandReply(ok=True)


@pytest.mark.parametrize("given, sent", [
    ("2026-11-02 09:10", "2026-11-02T09:10:00+08:00"),  # the company's zone
    ("2026-11-02T09:10+00:00", "2026-11-02T09:10:00+00:00"),
    (None, None),
])
async def test_the_cli_sends_occurred_at_in_the_company_zone_unless_an_offset_is_given(
        given: str | None, sent: str | None) -> None:
    """rule: R-S8 — `salesflow note-month 2026-11 "..." --occurred-at "2026-11-02 09:10"`."""
    from zoneinfo import ZoneInfo

    from services.cli import main, months

    words = ["note-month", "2026-11", "all on time", "--user", "amy"]
    args = main.parser().parse_args(words + (["--occurred-at", given] if given else []))
    client = Recorder()
    assert await months.write_note(client, "note_sample_month", args,
                                   ZoneInfo("Asia/Shanghai")) == 0
    [(_, name, payload)] = client.sent
    assert name == "note_sample_month" and payload.get("occurred_at") == sent
