"""Engineering's sampling job and production's work order, driven by the other departments' events."""
from __future__ import annotations

import uuid

import pytest

from events import engineering as eng
from events import production as prod
from events.envelope import Role
from events.sales import SampleProgressRecorded
from services.domain import Forbidden, RuleBroken
from services.engineering.sampling_job import SamplingJob, job_id
from services.production.sample_work_order import SampleWorkOrder, work_order_id
from services.sales.sample import SampleRecord
from tests.unit.builders import ctx, later, sample_at


def approved_job() -> tuple[SamplingJob, SampleRecord]:
    record = sample_at("application_approved")
    approval = record.collect_events()[-1]
    job = SamplingJob(id=job_id("S-1"))
    job.open(ctx(Role.SYSTEM), approval)  # type: ignore[arg-type]
    return job, record


def test_an_approved_application_opens_one_sampling_job_in_engineering() -> None:
    """rule: R-S3 — the approved application goes to engineering."""
    record = sample_at("application_approved")
    approval = record.collect_events()[-1]
    job = SamplingJob(id=job_id("S-1"))
    job.open(ctx(Role.SYSTEM), approval)  # type: ignore[arg-type]
    job.open(ctx(Role.SYSTEM), approval)  # type: ignore[arg-type]  # a repeat changes nothing
    opened = job.collect_events()
    assert [type(e) for e in opened] == [eng.SamplingJobOpened]
    assert opened[0].sample_id == record.id  # type: ignore[attr-defined]


def test_only_an_engineer_schedules_sampling_and_only_once() -> None:
    """rule: R-S3 — engineering schedules the sampling."""
    job, _ = approved_job()
    with pytest.raises(Forbidden):
        job.schedule(ctx(Role.SALES_ASSISTANT), later(2))
    job.schedule(ctx(Role.ENGINEER), later(2))
    with pytest.raises(RuleBroken) as again:
        job.schedule(ctx(Role.ENGINEER), later(3))
    assert again.value.rule == "R-S3"


def scheduled_order() -> SampleWorkOrder:
    job, _ = approved_job()
    job.schedule(ctx(Role.ENGINEER), later(1))
    scheduled = job.collect_events()[-1]
    order = SampleWorkOrder(id=work_order_id("S-1"))
    order.receive_documents(ctx(Role.SYSTEM), scheduled)  # type: ignore[arg-type]
    order.receive_documents(ctx(Role.SYSTEM), scheduled)  # type: ignore[arg-type]
    return order


def test_scheduling_hands_the_sample_documents_to_production_once() -> None:
    """rule: R-S3 — production makes the sample after receiving the sample documents."""
    order = scheduled_order()
    received = order.collect_events()
    assert [type(e) for e in received] == [prod.SampleDocumentsReceived]
    assert received[0].die_difficulty.value == "normal"  # type: ignore[attr-defined]


def test_pmc_promises_a_future_delivery_time() -> None:
    """rule: R-S7 — production confirms a delivery time with the assistant."""
    order = scheduled_order()
    with pytest.raises(RuleBroken) as past:
        order.promise(ctx(Role.PMC_PLANNER, at=later(5)), later(4))
    assert past.value.rule == "R-S7" and past.value.field == "promised_at"
    with pytest.raises(Forbidden):
        order.promise(ctx(Role.SALES_ASSISTANT, at=later(1)), later(20))
    order.promise(ctx(Role.PMC_PLANNER, at=later(1)), later(20))
    assert order.status == "promised" and order.promised_at == later(20)


def test_a_completed_sample_cannot_be_completed_or_promised_again() -> None:
    """rule: R-S3"""
    order = scheduled_order()
    order.complete(ctx(Role.PRODUCTION_SUPERVISOR))
    with pytest.raises(RuleBroken):
        order.complete(ctx(Role.PRODUCTION_SUPERVISOR))
    with pytest.raises(RuleBroken) as late_promise:
        order.promise(ctx(Role.PMC_PLANNER), later(30))
    assert late_promise.value.rule == "R-S7"


def test_engineering_returns_a_sample_only_after_production_completed_it() -> None:
    """rule: R-S6 — when the sample is done, engineering returns it to sales."""
    job, _ = approved_job()
    job.schedule(ctx(Role.ENGINEER), later(1))
    with pytest.raises(RuleBroken) as early:
        job.return_sample(ctx(Role.ENGINEER))
    assert early.value.rule == "R-S6"
    order = scheduled_order()
    order.complete(ctx(Role.PRODUCTION_SUPERVISOR))
    completed = order.collect_events()[-1]
    job.receive_finished(ctx(Role.SYSTEM), completed)  # type: ignore[arg-type]
    job.return_sample(ctx(Role.ENGINEER))
    assert [type(e) for e in job.collect_events()][-2:] == [eng.FinishedSampleReceived,
                                                            eng.SampleReturnedToSales]


def test_sales_keeps_production_status_current_and_ignores_stale_or_repeated_reports() -> None:
    """rule: R-S5 — the assistant keeps the sample's production status current."""
    record = sample_at("application_approved")
    record.collect_events()
    order = scheduled_order()
    order.promise(ctx(Role.PMC_PLANNER), later(20))
    received, promised = order.collect_events()
    record.record_progress(ctx(Role.SYSTEM), "promised", later(20), promised.event_id)
    record.record_progress(ctx(Role.SYSTEM), "promised", later(20), promised.event_id)
    record.record_progress(ctx(Role.SYSTEM), "in_production", later(1), received.event_id)
    recorded = record.collect_events()
    assert len(recorded) == 1 and record.status == "promised"


def test_a_completion_reported_after_the_return_still_records_its_completion_time() -> None:
    """rule: R-S5 — production's and engineering's streams reach sales independently, so the
    return can arrive first; the completion time is kept all the same, the status stays."""
    record = sample_at("application_approved")
    record.record_progress(ctx(Role.SYSTEM), "scheduled", later(1), uuid.uuid4())
    record.record_progress(ctx(Role.SYSTEM), "returned", later(9), uuid.uuid4())
    record.ship(ctx(Role.SALESPERSON), "salesperson", None, None)  # production's news still lags
    completion = uuid.uuid4()
    for stage, at, source in (("in_production", later(2), uuid.uuid4()),
                              ("promised", later(8), uuid.uuid4()),
                              ("completed", later(7), completion), ("completed", later(7), completion)):
        record.record_progress(ctx(Role.SYSTEM), stage, at, source)
    assert record.status == "shipped"
    assert (record.promised_at, record.completed_at) == (later(8), later(7))
    stages = [e.stage for e in record.collect_events() if isinstance(e, SampleProgressRecorded)]
    assert stages == ["scheduled", "returned", "promised", "completed"]
