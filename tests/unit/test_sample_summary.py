"""The Sample Record Summary fold: complete rows, the same whatever order the streams arrive in."""
from __future__ import annotations

import itertools

from events.envelope import Role
from projections import sample_summary
from services.engineering.sampling_job import SamplingJob, job_id
from services.production.sample_work_order import SampleWorkOrder, work_order_id
from tests.unit.builders import ctx, later, sample_at


def whole_path() -> dict[str, list]:  # type: ignore[type-arg]
    record = sample_at("application_approved")
    sales = record.collect_events()
    job = SamplingJob(id=job_id("S-1"))
    job.open(ctx(Role.SYSTEM), sales[-1])  # type: ignore[arg-type]
    job.schedule(ctx(Role.ENGINEER, at=later(1)), later(2))
    order = SampleWorkOrder(id=work_order_id("S-1"))
    engineering = job.collect_events()
    order.receive_documents(ctx(Role.SYSTEM, at=later(1)), engineering[-1])  # type: ignore[arg-type]
    order.promise(ctx(Role.PMC_PLANNER, at=later(1)), later(20))
    order.complete(ctx(Role.PRODUCTION_SUPERVISOR, at=later(21)))
    production = order.collect_events()
    return {"sales": sales, "engineering": engineering, "production": production}


def fold(events: list) -> dict:  # type: ignore[type-arg]
    row = sample_summary.new_row("S-1")
    for event in events:
        sample_summary.apply(row, event)
    return row


def test_every_interleaving_of_the_department_streams_gives_the_same_row() -> None:
    """rule: R-S5 — the summary registers the sample and its production status."""
    streams = whole_path()
    rows = []
    for order in itertools.permutations(streams):
        rows.append(fold([e for name in order for e in streams[name]]))
    assert all(r == rows[0] for r in rows)
    row = rows[0]
    assert row["status"] == "completed" and row["status_zh"] == "样品完成"
    assert (row["customer"], row["quotation_no"], row["price_status"]) == ("ACME", "Q-1", "approved")
    assert row["application_status"] == "approved" and row["die_difficulty"] == "normal"
    assert row["promised_at"] == later(20).isoformat() and row["late"] is True


def test_events_outside_the_table_leave_the_row_alone() -> None:
    """rule: R-S5"""
    row = sample_summary.new_row("S-1")
    record = sample_at("application_approved")
    record.record_progress(ctx(Role.SYSTEM), "scheduled", later(1), record.id)
    progress = record.collect_events()[-1]
    assert sample_summary.apply(row, progress) is False and row["status"] is None
