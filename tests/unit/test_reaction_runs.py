"""The reaction handler's runs, in memory: bounded, used by timers too, and each place the run is
written (before a reaction that fails, one that must decide again, one that runs alone, a full
run) reports a failed write at the run's first delivery with nothing of the run stored."""
from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, Tracking

from contracts.timers import TimerDue
from events import sales
from services.engineering.wiring import SPEC as ENGINEERING
from services.production.wiring import SPEC as PRODUCTION
from services.runtime.consumer import Delivery
from services.runtime.spec import ALONE, reaction_handler, runs_alone
from services.runtime.store import Capture, DepartmentApplication
from tests.unit.company import Company

STREAM = "SALESFLOW_SALES@1"
REAL = ENGINEERING.reactions[sales.SampleApplicationApproved]


def approvals(company: Company, count: int) -> list[Delivery]:
    return [(company.approve(f"S-{i}"), Tracking(STREAM, 10 * (i + 1)), b"")
            for i in range(count)]


def apply(app: DepartmentApplication, reactions: Any, items: Sequence[Delivery],
          **options: Any) -> tuple[int, Exception | None]:
    return asyncio.run(reaction_handler(app, reactions, lambda: None, **options)(items))  # type: ignore[no-any-return]


def watch_runs(app: DepartmentApplication, monkeypatch: pytest.MonkeyPatch,
               fail_at: int | None = None) -> list[int]:
    """Sizes of the runs written; the ``fail_at``-th write (from 1) meets a locked store."""
    sizes: list[int] = []
    real = app.record_run

    def record_run(captures: Sequence[Capture], tracking: Tracking,
                   run_from: Tracking | None = None) -> None:
        if len(sizes) + 1 == fail_at:
            sizes.append(-len(captures))
            raise OperationalError("database is locked")
        real(captures, tracking, run_from=run_from)
        sizes.append(len(captures))

    monkeypatch.setattr(app, "record_run", record_run)
    return sizes


def stored(app: DepartmentApplication) -> int:
    return app.recorder.max_notification_id() or 0


def test_a_run_is_at_most_run_size_deliveries(monkeypatch: pytest.MonkeyPatch) -> None:
    company = Company()
    app = company.engineering
    sizes = watch_runs(app, monkeypatch)
    assert apply(app, ENGINEERING.reactions, approvals(company, 5), run_size=2) == (5, None)
    assert sizes == [2, 2, 1] and stored(app) == 5 and app.tracked_position(STREAM) == 50


def test_timers_keyed_by_name_are_written_as_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """rule: R-S7 — a promise falling due is decided by production; an unknown timer name
    only moves the tracking, in the same transaction."""
    company = Company()
    company.in_production()
    promised = company.promise(company.at(2))
    company.now = company.at(3)
    due: TimerDue = company.fired(promised)
    other = due.model_copy(update={"name": "nobody-handles-this"})
    items: list[Any] = [(due, Tracking("SALESFLOW_TIMERS", 1), b""),
                        (other, Tracking("SALESFLOW_TIMERS", 2), b"")]
    app = company.production
    sizes = watch_runs(app, monkeypatch)
    assert apply(app, PRODUCTION.timers, items, key=lambda d: d.name) == (2, None)
    assert sizes == [2] and app.tracked_position("SALESFLOW_TIMERS") == 2
    assert [type(e).__name__ for e in company.events(app)][-1] == "DeliveryPromiseMissed"


def test_a_failed_write_of_a_full_run_is_reported_at_its_first_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    company = Company()
    app = company.engineering
    sizes = watch_runs(app, monkeypatch, fail_at=2)
    applied, error = apply(app, ENGINEERING.reactions, approvals(company, 5), run_size=2)
    assert (applied, sizes) == (2, [2, -2]) and isinstance(error, OperationalError)
    assert stored(app) == 2 and app.tracked_position(STREAM) == 20


def test_a_failed_write_before_a_failing_reaction_is_reported_not_the_reaction(monkeypatch: pytest.MonkeyPatch) -> None:
    company = Company()
    app = company.engineering

    def fails_on_s2(app_: Any, event: Any, tracking: Tracking) -> None:
        if event.request_no == "S-2":
            raise RuntimeError("S-2")
        REAL(app_, event, tracking)

    sizes = watch_runs(app, monkeypatch, fail_at=1)
    applied, error = apply(app, {sales.SampleApplicationApproved: fails_on_s2},
                           approvals(company, 3))
    assert (applied, sizes) == (0, [-2]) and isinstance(error, OperationalError)
    assert stored(app) == 0 and app.tracked_position(STREAM) == 0


def test_a_failed_write_before_a_reaction_decided_again_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """S-1's delivery touches S-0's job, which the run holds: the run is written first; that
    write fails, so nothing is stored and S-1 is not decided again."""
    company = Company()
    app = company.engineering
    decided: list[str] = []

    def reopens_s0(app_: Any, event: Any, tracking: Tracking) -> None:
        decided.append(event.request_no)
        if event.request_no == "S-1":
            event = event.model_copy(update={"request_no": "S-0", "round": 2})
        REAL(app_, event, tracking)

    sizes = watch_runs(app, monkeypatch, fail_at=1)
    applied, error = apply(app, {sales.SampleApplicationApproved: reopens_s0},
                           approvals(company, 3))
    assert (applied, sizes, decided) == (0, [-1], ["S-0", "S-1"])
    assert isinstance(error, OperationalError) and stored(app) == 0


def test_a_failed_write_before_a_reaction_run_alone_is_reported_and_it_does_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    company = Company()
    app = company.engineering
    ran: list[str] = []

    @runs_alone
    def alone(app_: Any, event: Any, tracking: Tracking) -> None:
        ran.append(event.request_no)

    sizes = watch_runs(app, monkeypatch, fail_at=1)
    reactions = {sales.SampleApplicationApproved: REAL, "S-2": alone}
    applied, error = apply(app, reactions, approvals(company, 3),
                           key=lambda e: "S-2" if e.request_no == "S-2" else type(e))
    assert (applied, sizes, ran) == (0, [-2], []) and isinstance(error, OperationalError)


def test_only_the_daily_pack_reaction_runs_alone() -> None:
    """Every reaction is captured but the daily pack's, which asks the projections over NATS,
    stores the workbook and e-mails it (``services.sla.daily_pack``)."""
    from events.sla import DailyReportIssued
    from services.quality.wiring import SPEC as QUALITY
    from services.sales.wiring import SPEC as SALES
    from services.sla.wiring import SPEC as SLA

    routes = [(spec.department.value, kind, reaction)
              for spec in (SALES, ENGINEERING, PRODUCTION, QUALITY, SLA)
              for table in (spec.reactions, spec.timers) for kind, reaction in table.items()]
    alone = {(department, getattr(kind, "__name__", kind))
             for department, kind, reaction in routes if getattr(reaction, ALONE, False)}
    assert alone == {("sla", DailyReportIssued.__name__)}


def test_the_in_memory_store_also_refuses_a_run_another_writer_passed_into() -> None:
    """As SQLite and PostgreSQL do (tests/integration/test_reaction_batches.py)."""
    app = Company().engineering
    name = "SALESFLOW_SALES@1"
    app.process_recorder.insert_tracking(Tracking(name, 7))
    with app.capturing(tracked=True) as capture:
        app.store(tracking=Tracking(name, 9))
    with pytest.raises(IntegrityError, match="past 6"):
        app.record_run([capture], Tracking(name, 9), run_from=Tracking(name, 6))
    assert app.tracked_position(name) == 7
    app.record_run([capture], Tracking(name, 9), run_from=Tracking(name, 8))
    assert app.tracked_position(name) == 9
