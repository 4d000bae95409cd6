"""Quality's inspection of the lots production completes: pass, or fail with findings and
inspect the reworked lot again (R-O4)."""
from __future__ import annotations

import json

import pytest

from events import production as prod
from events import quality as qual
from events.envelope import Role
from services.domain import Forbidden, RuleBroken
from services.quality.inspection import Inspection, inspection_id
from services.quality.wiring import SPEC
from services.runtime.commands import CommandBus
from tests.unit.builders import ctx
from tests.unit.company import Company


def awaiting(quantity: int = 2000) -> tuple[Company, prod.LotCompleted]:
    """Order O-1 received; lot L-1 completed and reported to quality."""
    company = Company()
    company.production_receives()
    completed = company.lot_completed("L-1", quantity)
    company.deliver(company.quality.on_lot_completed, completed)
    return company, completed


def inspection(company: Company) -> Inspection:
    return company.quality.inspection("O-1", "L-1")


def test_a_completed_lot_waits_for_quality_once_per_attempt() -> None:
    """rule: R-O4 — production's completion goes to quality's inspection."""
    company = Company()
    company.production_receives()
    completed = company.lot_completed("L-1", 2000)
    [requested] = company.deliver(company.quality.on_lot_completed, completed)
    assert isinstance(requested, qual.InspectionRequested)
    assert (requested.order_no, requested.lot_no, requested.attempt, requested.quantity) == \
        ("O-1", "L-1", 1, 2000)
    assert requested.source_event_id == requested.causation_id == completed.event_id
    assert requested.originator_id == inspection_id("O-1", "L-1")
    assert company.deliver(company.quality.on_lot_completed, completed) == []
    assert inspection(company).status == "awaiting"


def test_the_inspector_passes_a_lot() -> None:
    """rule: R-O4 — quality inspection passes: the lot may go on a shipping note."""
    company, _ = awaiting()
    record = inspection(company)
    record.inspect(ctx(Role.QC_INSPECTOR, at=company.now), "pass", None, "clean edges")
    [passed] = record.collect_events()
    assert isinstance(passed, qual.InspectionPassed)
    assert (passed.order_no, passed.lot_no, passed.attempt, passed.quantity, passed.note) == \
        ("O-1", "L-1", 1, 2000, "clean edges")


def test_a_quality_engineer_may_fail_a_lot_with_findings() -> None:
    """rule: R-O4 — a failed lot goes back to production for rework."""
    company, _ = awaiting()
    record = inspection(company)
    record.inspect(ctx(Role.QUALITY_ENGINEER, at=company.now), "fail", "burr on edge", None)
    [failed] = record.collect_events()
    assert isinstance(failed, qual.InspectionFailed)
    assert (failed.findings, failed.attempt, failed.quantity) == ("burr on edge", 1, 2000)


def test_only_quality_inspects_a_lot() -> None:
    """rule: R-O4"""
    company, _ = awaiting()
    for role in (Role.PRODUCTION_SUPERVISOR, Role.PMC_PLANNER, Role.SALES_ASSISTANT):
        with pytest.raises(Forbidden) as refused:
            inspection(company).inspect(ctx(role, at=company.now), "pass", None, None)
        assert refused.value.rule == "R-O4"


def test_a_failed_lot_needs_findings_and_a_passed_one_has_none() -> None:
    """rule: R-O4 — fail with findings."""
    company, _ = awaiting()
    record = inspection(company)
    with pytest.raises(RuleBroken) as bare:
        record.inspect(ctx(Role.QC_INSPECTOR, at=company.now), "fail", None, "see photo")
    assert (bare.value.rule, bare.value.field) == ("R-O4", "findings")
    with pytest.raises(RuleBroken) as contradicting:
        record.inspect(ctx(Role.QC_INSPECTOR, at=company.now), "pass", "burr", None)
    assert (contradicting.value.rule, contradicting.value.field) == ("R-O4", "findings")
    assert record.collect_events() == []


def test_no_inspection_before_production_reports_the_lot() -> None:
    """rule: R-O4 — quality inspects what production finished."""
    company = Company()
    company.production_receives()
    company.lot_completed("L-1", 2000)  # not yet delivered to quality
    with pytest.raises(RuleBroken) as early:
        company.lot_inspected("pass")
    assert (early.value.rule, early.value.field) == ("R-O4", "lot_no")


def test_a_lot_is_inspected_once_per_attempt() -> None:
    """rule: R-O4"""
    company, _ = awaiting()
    company.lot_inspected("pass")
    with pytest.raises(RuleBroken) as again:
        company.lot_inspected("fail")
    assert again.value.rule == "R-O4" and "passed" in again.value.en


def test_a_reworked_lot_is_inspected_again_and_may_pass() -> None:
    """rule: R-O4 — a failed lot goes back for rework and must pass before shipping."""
    company, _ = awaiting()
    company.lot_inspected("fail")
    with pytest.raises(RuleBroken) as failed_already:
        company.lot_inspected("pass")  # the rework has not come back yet
    assert failed_already.value.rule == "R-O4"
    company.deliver(company.production.on_inspection_failed,
                    company.of_type(company.quality, qual.InspectionFailed)[-1])
    again = company.lot_completed("L-1", 2000)
    [requested] = company.deliver(company.quality.on_lot_completed, again)
    assert isinstance(requested, qual.InspectionRequested) and requested.attempt == 2
    passed = company.lot_inspected("pass")
    assert isinstance(passed, qual.InspectionPassed) and passed.attempt == 2


def test_an_earlier_attempts_completion_arriving_late_changes_nothing() -> None:
    """rule: R-O4"""
    company, first = awaiting()
    company.lot_inspected("fail")
    company.deliver(company.production.on_inspection_failed,
                    company.of_type(company.quality, qual.InspectionFailed)[-1])
    company.deliver(company.quality.on_lot_completed, company.lot_completed("L-1", 2000))
    assert company.deliver(company.quality.on_lot_completed, first) == []
    assert inspection(company).attempt == 2


async def test_inspect_lot_through_quality_command_bus() -> None:
    """rule: R-O4 — refused by the rule before the lot awaits inspection, stored after."""
    company = Company()
    bus = CommandBus(company.quality, SPEC.commands)
    body = {"actor": {"user": "quinn", "role": "qc_inspector"}, "order_no": "O-1",
            "lot_no": "L-1", "result": "fail", "findings": "burr"}
    early = await bus.handle("inspect_lot", json.dumps(body).encode())
    assert early.error is not None and (early.error.kind, early.error.rule) == ("rule", "R-O4")
    assert company.events(company.quality) == []
    company.production_receives()
    company.deliver(company.quality.on_lot_completed, company.lot_completed("L-1", 2000))
    reply = await bus.handle("inspect_lot", json.dumps(body).encode())
    assert reply.ok and [e.type for e in reply.events] == ["InspectionFailed"]
