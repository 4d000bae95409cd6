"""The sales sample record enforces R-S3's order of steps and who may take each one."""
from __future__ import annotations

from decimal import Decimal

import pytest

from events import sales as ev
from events.envelope import DieDifficulty, Role
from events.sales import MaterialSet
from services.domain import Forbidden, RuleBroken
from services.sales.sample import SampleRecord, sample_id
from tests.unit.builders import FULL, ctx, sample_at


def test_a_complete_request_walks_every_step_to_an_approved_application() -> None:
    """rule: R-S3 — request, costing/BOM, quotation, sign-off, price approval, application, review."""
    record = sample_at("application_approved")
    kinds = [type(e) for e in record.collect_events()]
    assert kinds == [ev.SampleRequested, ev.SampleCosted, ev.QuotationPrepared, ev.QuotationSigned,
                     ev.QuotationSent, ev.PriceApproved, ev.SampleApplicationOpened,
                     ev.SampleApplicationApproved]
    assert record.status == "application_approved" and record.version == 8


def test_costing_is_refused_while_the_material_set_is_incomplete() -> None:
    """rule: R-S3 — no costing while the material set is incomplete."""
    record = sample_at("requested", materials=MaterialSet(drawings=True))
    record.collect_events()
    with pytest.raises(RuleBroken) as refused:
        record.cost(ctx(Role.TECHNICAL_SUPPORT), bom_ref="B", material_cost=Decimal(1),
                    process_cost=Decimal(1), die_difficulty=DieDifficulty.SIMPLE)
    assert refused.value.rule == "R-S3"
    assert "original_sample" in refused.value.en and "缺少" in refused.value.zh
    assert record.collect_events() == [] and record.status == "requested"


def test_completing_the_material_set_allows_costing() -> None:
    """rule: R-S3"""
    record = sample_at("requested", materials=MaterialSet())
    record.update_materials(ctx(Role.SALES_ASSISTANT), FULL)
    record.cost(ctx(Role.TECHNICAL_SUPPORT), bom_ref="B", material_cost=Decimal(1),
                process_cost=Decimal(1), die_difficulty=DieDifficulty.COMPLEX)
    assert record.status == "costed" and record.die_difficulty is DieDifficulty.COMPLEX


def test_a_sample_application_before_the_price_is_approved_is_refused() -> None:
    """rule: R-S3 — no sample application before the price is approved."""
    record = sample_at("signed")
    record.collect_events()
    with pytest.raises(RuleBroken, match="approved price") as refused:
        record.open_application(ctx(Role.SALES_ASSISTANT), "A-9")
    assert refused.value.rule == "R-S3" and "价格未经客户确认" in refused.value.zh
    assert record.collect_events() == []


@pytest.mark.parametrize("step, command", [
    ("requested", lambda r: r.prepare_quotation(ctx(Role.QUOTATION_SPECIALIST), quotation_no="Q",
                                                unit_price=Decimal(1), currency="CNY")),
    ("costed", lambda r: r.sign_quotation(ctx(Role.CS_SUPERVISOR))),
    ("quoted", lambda r: r.send_quotation(ctx(Role.SALES_ASSISTANT))),
    ("signed", lambda r: r.approve_price(ctx(Role.SALESPERSON))),
    ("price_approved", lambda r: r.approve_application(ctx(Role.CS_SUPERVISOR))),
])
def test_no_step_happens_before_the_step_it_depends_on(step: str, command) -> None:  # type: ignore[no-untyped-def]
    """rule: R-S3"""
    record = sample_at(step)
    with pytest.raises(RuleBroken) as refused:
        command(record)
    assert refused.value.rule == "R-S3" and record.status == step


@pytest.mark.parametrize("role", [Role.SALESPERSON, Role.SALES_MANAGER, Role.TECHNICAL_SUPPORT])
def test_only_the_cs_supervisor_signs_a_quotation_off(role: Role) -> None:
    """rule: R-S3 — printed and signed off by the CS supervisor."""
    record = sample_at("quoted")
    with pytest.raises(Forbidden) as refused:
        record.sign_quotation(ctx(role, "mallory"))
    assert refused.value.kind == "forbidden" and "mallory" in refused.value.en


@pytest.mark.parametrize("role", [Role.CS_SUPERVISOR, Role.SALES_MANAGER, Role.MARKETING_MANAGER])
def test_the_cs_supervisor_or_a_manager_reviews_the_application(role: Role) -> None:
    """rule: R-S3 — the application is reviewed by the CS supervisor or the manager."""
    record = sample_at("application_opened")
    record.approve_application(ctx(role))
    assert record.status == "application_approved"


def test_a_request_number_is_used_once() -> None:
    """rule: R-S3"""
    record = sample_at("requested")
    with pytest.raises(RuleBroken, match="already exists"):
        record.request(ctx(Role.SALES_ASSISTANT), request_no="S-1", customer="X", product="p",
                       part_no="q", salesperson="s", materials=FULL)


def test_replaying_the_events_rebuilds_the_same_record() -> None:
    """rule: R-S3"""
    record = sample_at("price_approved")
    events = record.collect_events()
    rebuilt = SampleRecord.project(None, events)
    assert rebuilt is not None and rebuilt.id == sample_id("S-1")
    assert (rebuilt.status, rebuilt.version, rebuilt.quotation_no) == ("price_approved", 6, "Q-1")
