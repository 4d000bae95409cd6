"""Sample making paused while production waits for the customer, and resumed (R-S3: the
12-48 working-hour clock stops meanwhile)."""
from __future__ import annotations

import json
from typing import Any

import pytest

from contracts.replies import CommandReply
from events import production as prod
from services.production.wiring import SPEC
from services.runtime.commands import CommandBus
from tests.unit.company import Company

PMC = {"user": "pam", "role": "pmc_planner"}
SUPERVISOR = {"user": "pete", "role": "production_supervisor"}


@pytest.fixture
def company() -> Company:
    return Company()


async def send(company: Company, name: str, actor: dict[str, str] = PMC, /,
               **fields: Any) -> CommandReply:
    bus = CommandBus(company.production, SPEC.commands)
    body = {"actor": actor, "request_no": "S-1", **fields}
    return await bus.handle(name, json.dumps(body).encode())


def refused(reply: CommandReply, en: str, zh: str) -> None:
    error = reply.error
    assert not reply.ok and error is not None, reply
    assert (error.kind, error.rule) == ("rule", "R-S3"), error.sentence()
    assert en in error.message_en and zh in error.message_zh, error.sentence()


async def test_pmc_pauses_for_customer_material_and_the_supervisor_resumes(
        company: Company) -> None:
    """rule: R-S3 — the making clock pauses while the customer's material is awaited."""
    company.in_production()
    paused = await send(company, "pause_sample_work", reason="customer_material",
                        note="liner film from the customer")
    assert paused.ok and [e.type for e in paused.events] == ["SampleWorkPaused"]
    assert company.production.work_order("S-1").paused
    resumed = await send(company, "resume_sample_work", SUPERVISOR, note="film arrived")
    assert resumed.ok and [e.type for e in resumed.events] == ["SampleWorkResumed"]
    [pause] = company.of_type(company.production, prod.SampleWorkPaused)
    [resume] = company.of_type(company.production, prod.SampleWorkResumed)
    assert (pause.reason, pause.note, resume.note) == ("customer_material",
                                                      "liner film from the customer", "film arrived")
    assert not company.production.work_order("S-1").paused
    again = await send(company, "pause_sample_work", reason="customer_confirmation")
    assert again.ok  # a second wait in the same round, note optional
    assert company.of_type(company.production, prod.SampleWorkPaused)[-1].note == ""


async def test_work_whose_documents_have_not_arrived_cannot_be_paused_or_resumed(
        company: Company) -> None:
    """rule: R-S3 — production's clock starts when it receives the documents."""
    for name, fields in (("pause_sample_work", {"reason": "other"}), ("resume_sample_work", {})):
        reply = await send(company, name, **fields)
        refused(reply, "has not received the documents of sample S-1", "尚未收到打样 S-1 的资料")
    assert company.events(company.production) == []


async def test_a_paused_sample_cannot_be_paused_again_nor_a_running_one_resumed(
        company: Company) -> None:
    """rule: R-S3"""
    company.in_production()
    refused(await send(company, "resume_sample_work"), "is not paused", "未暂停")
    assert (await send(company, "pause_sample_work", reason="other", note="waiting")).ok
    before = len(company.events(company.production))
    refused(await send(company, "pause_sample_work", reason="customer_material"),
            "already paused", "已暂停")
    assert len(company.events(company.production)) == before


async def test_a_completed_sample_cannot_be_paused_or_resumed(company: Company) -> None:
    """rule: R-S3 — completion stops the clock for good (a pause ends with it)."""
    company.in_production()
    assert (await send(company, "pause_sample_work", reason="other")).ok
    company.complete()
    assert not company.production.work_order("S-1").paused
    for name, fields in (("pause_sample_work", {"reason": "other"}), ("resume_sample_work", {})):
        refused(await send(company, name, **fields), "is completed", "已完成")


async def test_only_pmc_or_the_production_supervisor_pause_sample_work(company: Company) -> None:
    """rule: R-S3"""
    company.in_production()
    reply = await send(company, "pause_sample_work", {"user": "eric", "role": "engineer"},
                       reason="other")
    assert reply.error is not None and (reply.error.kind, reply.error.rule) == ("forbidden",
                                                                                "R-S3")
    assert "pmc_planner" in reply.error.message_en and "只有" in reply.error.message_zh


async def test_a_new_round_starts_unpaused(company: Company) -> None:
    """rule: R-S3 — the documents of a new round restart the clock, running."""
    company.in_production()
    assert (await send(company, "pause_sample_work", reason="customer_confirmation")).ok
    order = company.production.work_order("S-1")
    received = company.of_type(company.production, prod.SampleDocumentsReceived)[-1]
    order.apply(received.model_copy(update={"round": 2,
                                            "originator_version": order.version + 1}))
    assert not order.paused and order.status == "received"
