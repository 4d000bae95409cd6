"""Every reaction of every department is idempotent by the cause's event id.

A recreated stream is consumed again from its start, and a restored backup can deliver an
event a second time under a new stream sequence: a reaction given an event it already reacted
to changes nothing, also after the record moved on. ``Company.deliver`` uses a new sequence
each time, as those repeats do, so tracking alone cannot hide them."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from events import engineering as eng
from events import production as prod
from events import sales
from events.envelope import DomainEvent
from tests.unit.company import Company


def path() -> tuple[Company, dict[str, Any]]:
    """One sample through every department: approved, scheduled, promised, delayed late,
    missed, completed late, returned."""
    company = Company()
    causes = company.in_production()
    causes["promised"] = company.promise(company.at(2))
    causes["delayed"] = company.notify_delay(company.at(30))
    company.now = company.at(3)
    [causes["missed"]] = company.deliver(company.production.on_promise_due,
                                         company.fired(causes["promised"]))
    company.now = company.at(4)
    causes["completed"] = company.complete()
    company.deliver(company.engineering.on_sample_completed, causes["completed"])
    causes["returned"] = company.return_sample()
    return company, causes


def twice(company: Company, reaction: Callable[..., None], cause: Any,
          later: Callable[[], object]) -> None:
    """The first delivery has an effect; a repeat, and a repeat after ``later``, have none."""
    assert company.deliver(reaction, cause) != []
    assert company.deliver(reaction, cause) == []
    later()
    assert company.deliver(reaction, cause) == []


# -- engineering ------------------------------------------------------------------------------
def test_engineering_opens_one_sampling_job_per_approval() -> None:
    """rule: R-S3 — the approved application goes to engineering, once."""
    company = Company()
    approved = company.approve()
    twice(company, company.engineering.on_application_approved, approved, company.schedule)
    assert len(company.of_type(company.engineering, eng.SamplingJobOpened)) == 1


def test_engineering_takes_over_each_finished_sample_once() -> None:
    """rule: R-S6 — engineering returns the finished sample to sales."""
    company = Company()
    company.in_production()
    completed = company.complete()
    twice(company, company.engineering.on_sample_completed, completed, company.return_sample)
    assert len(company.of_type(company.engineering, eng.FinishedSampleReceived)) == 1


# -- production -------------------------------------------------------------------------------
def test_production_receives_the_sample_documents_of_a_scheduling_once() -> None:
    """rule: R-S3 — production makes the sample after receiving the sample documents."""
    company = Company()
    company.deliver(company.engineering.on_application_approved, company.approve())
    scheduled = company.schedule()
    twice(company, company.production.on_sampling_scheduled, scheduled,
          lambda: company.promise(company.at(5)))
    assert len(company.of_type(company.production, prod.SampleDocumentsReceived)) == 1


def test_production_decides_each_promise_timer_once() -> None:
    """rule: R-S7"""
    company = Company()
    company.in_production()
    promised = company.promise(company.at(2))
    company.now = company.at(3)
    twice(company, company.production.on_promise_due, company.fired(promised), company.complete)
    assert len(company.of_type(company.production, prod.DeliveryPromiseMissed)) == 1


# -- sales ------------------------------------------------------------------------------------
PROGRESS = ("scheduled", "received", "promised", "completed", "returned")


@pytest.mark.parametrize("name", PROGRESS)
def test_sales_records_each_progress_report_once(name: str) -> None:
    """rule: R-S5 — the assistant keeps the sample's production status current."""
    company, causes = path()
    index = PROGRESS.index(name)
    company.report_to_sales(*(causes[n] for n in PROGRESS[:index]))

    def move_on() -> None:
        if name == "returned":
            company.ship()
        company.report_to_sales(*(causes[n] for n in PROGRESS[index + 1:]))

    twice(company, company.sales.on_progress, causes[name], move_on)
    recorded = company.of_type(company.sales, sales.SampleProgressRecorded)
    assert [e.source_event_id for e in recorded].count(causes[name].event_id) == 1


def test_sales_records_each_delay_notice_once() -> None:
    """rule: R-S7 — the assistant learns of the delay, to tell the customer."""
    company, causes = path()
    company.report_to_sales(causes["scheduled"], causes["received"], causes["promised"])
    twice(company, company.sales.on_delay_notified, causes["delayed"],
          lambda: company.report_to_sales(causes["completed"], causes["returned"]))
    assert len(company.of_type(company.sales, sales.DelayNoticeRecorded)) == 1


def test_sales_requests_one_penalty_per_missed_promise() -> None:
    """rule: R-S7 — a promised time missed without notice: one penalty request."""
    company, causes = path()
    company.report_to_sales(causes["scheduled"], causes["received"], causes["promised"])
    twice(company, company.sales.on_promise_missed, causes["missed"],
          lambda: company.report_to_sales(causes["completed"], causes["returned"]))
    assert len(company.of_type(company.sales, sales.PenaltyRequested)) == 1


def test_sales_old_promise_timers_never_have_an_effect_in_sales() -> None:
    """rule: R-S7 — production decides missed promises; sales' old timers only move on."""
    company, causes = path()
    company.report_to_sales(causes["scheduled"], causes["received"], causes["promised"])
    old = company.fired(causes["promised"]).model_copy(update={"name": prod.SALES_PROMISE_TIMER})
    company.now = company.at(3) + timedelta(hours=1)
    assert company.deliver(company.sales.on_promise_due, old) == []
    assert company.deliver(company.sales.on_promise_due, old) == []


def test_production_decides_an_old_sales_promise_timer_once() -> None:
    """rule: R-S7"""
    company = Company()
    company.in_production()
    promised = company.promise(company.at(2))
    old = company.fired(promised).model_copy(update={"name": prod.SALES_PROMISE_TIMER})
    company.now = company.at(3)
    twice(company, company.production.on_promise_due, old, company.complete)
    assert company.deliver(company.production.on_promise_due, company.fired(promised)) == []


def covered_elsewhere() -> dict[str, set[type[DomainEvent] | str]]:
    """Reactions whose idempotency tests live in another module of this folder, which names
    them in its ``REACTIONS_COVERED`` (e.g. ``test_order_reactions.py``)."""
    found: dict[str, set[type[DomainEvent] | str]] = {}
    for module in sorted(Path(__file__).parent.glob("test_*.py")):
        if "REACTIONS_COVERED" in module.read_text() and module.name != Path(__file__).name:
            named = importlib.import_module(f"tests.unit.{module.stem}").REACTIONS_COVERED
            for department, reactions in named.items():
                found.setdefault(department, set()).update(reactions)
    return found


def test_every_reaction_of_every_department_is_covered_here() -> None:
    """Names each department's reactions, so a new one cannot be added without its test."""
    from services.engineering.wiring import SPEC as ENGINEERING
    from services.production.wiring import SPEC as PRODUCTION
    from services.quality.wiring import SPEC as QUALITY
    from services.sales.wiring import SPEC as SALES

    covered: dict[str, set[type[DomainEvent] | str]] = {
        "engineering": {sales.SampleApplicationApproved, prod.SampleCompleted,
                        sales.InternalOrderIssued},  # tests/unit/test_process_instructions.py
        "production": {eng.SamplingScheduled, prod.PROMISE_TIMER, prod.SALES_PROMISE_TIMER},
        "sales": {eng.SamplingScheduled, prod.SampleDocumentsReceived, prod.DeliveryPromised,
                  prod.SampleCompleted, eng.SampleReturnedToSales, prod.DelayNotified,
                  prod.DeliveryPromiseMissed, prod.SALES_PROMISE_TIMER},
        "quality": set(),
    }
    elsewhere = covered_elsewhere()
    for spec in (ENGINEERING, PRODUCTION, QUALITY, SALES):
        department = spec.department.value
        expected = covered[department] | elsewhere.get(department, set())
        assert {*spec.reactions, *spec.timers} == expected
