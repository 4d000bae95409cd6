"""The Sample Record Summary import (issue 12): the sales record a row brings to its stage
(R-S5), the other departments taking an open one over, and the summary row it folds into.
A row's cells as the command: test_import_sample_cells.py."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.calendar import WorkingCalendar
from events.engineering import SamplingJobImported
from events.envelope import Actor, DieDifficulty, DomainEvent, Role
from events.imports import ImportSource
from events.production import SampleCompleted, SampleWorkImported
from events.sales import MaterialSet, SampleImported
from events.sales.sample_import import IMPORTED_FACTS
from projections import sample_month, sample_summary
from services.domain import Conflict, Forbidden, RuleBroken
from services.engineering.sampling_job import SamplingJob
from services.imports import cells
from services.imports.samples import STATUSES, TABLE
from services.production.sample_work_order import SampleWorkOrder
from services.sales.sample import SampleRecord, sample_id
from tests.unit.builders import ctx
from tests.unit.company import Company

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
AMY = Actor(user="amy", role=Role.SALES_ASSISTANT)
SOURCE = ImportSource(file_name="打样记录2025.xlsx", file_sha256="a" * 64, sheet="2025", row=7)
ROW: dict[str, Any] = {"request_no": "S-2025-001", "requested_at": "2025-03-04",
                       "customer": "ACME", "salesperson": "bob", "status": "已寄样",
                       "die_difficulty": "一般", "quotation_no": "Q-9", "shipped": "SF1234567",
                       "completed_at": "2025/3/6 15:30"}


def command(row: dict[str, Any], source: ImportSource = SOURCE) -> Any:
    return TABLE.to_command(row, source, AMY, ZONE, NOW)


def refusal(row: dict[str, Any]) -> cells.CellRefused:
    with pytest.raises(cells.CellRefused) as refused:
        command(row)
    return refused.value


# -- the sales record -----------------------------------------------------------------------
def imported(row: dict[str, Any], source: ImportSource = SOURCE) -> SampleRecord:
    record = SampleRecord(id=sample_id(row["request_no"]))
    import_into(record, row, source)
    return record


def import_into(record: SampleRecord, row: dict[str, Any], source: ImportSource = SOURCE,
                actor: Actor = AMY) -> None:
    c = command(row, source)
    facts = {k: getattr(c, k) for k in IMPORTED_FACTS if k != "timestamp"}  # as the use case
    record.import_row(ctx(actor.role, actor.user, c.requested_at), c.source, **facts)


def test_a_row_is_one_event_at_the_request_date_by_the_importer() -> None:
    """rule: R-S5 — the assistant registers the sample in the Sample Record Summary."""
    record = imported(ROW)
    [event] = record.collect_events()
    assert isinstance(event, SampleImported) and event.source == SOURCE
    assert event.timestamp == datetime(2025, 3, 4, tzinfo=ZONE) and event.actor.user == "amy"
    assert record.status == "shipped" and record.price_approved


def test_only_the_sales_assistant_imports() -> None:
    """rule: R-S5"""
    with pytest.raises(Forbidden):
        import_into(SampleRecord(id=uuid.uuid4()), ROW, actor=Actor(user="bob",
                                                                    role=Role.SALESPERSON))


def test_the_same_row_again_stores_nothing_from_the_same_file_or_with_the_same_facts() -> None:
    """rule: R-S5 — importing the same table twice keeps one record."""
    record = imported(ROW)
    record.collect_events()
    import_into(record, ROW)
    import_into(record, ROW, SOURCE.model_copy(update={"file_sha256": "b" * 64, "row": 9}))
    assert record.collect_events() == []


def test_another_row_with_the_same_number_is_refused_as_a_conflict() -> None:
    """rule: R-S5 — one record per request number."""
    record = imported(ROW)
    other = SOURCE.model_copy(update={"file_sha256": "b" * 64})
    with pytest.raises(Conflict) as refused:
        import_into(record, {**ROW, "customer": "Globex"}, other)
    assert refused.value.field == "request_no" and refused.value.zh


def test_a_live_record_is_not_overwritten_by_an_import() -> None:
    """rule: R-S5"""
    record = SampleRecord(id=sample_id("S-2025-001"))
    record.request(ctx(Role.SALES_ASSISTANT), request_no="S-2025-001", customer="ACME",
                   product="p", part_no="x", salesperson="bob",
                   materials=MaterialSet())
    with pytest.raises(Conflict):
        import_into(record, ROW)


def test_an_imported_shipped_sample_continues_with_receipt_trial_and_approval() -> None:
    """rule: R-S6 — the live follow-up accepts the imported record's next step."""
    record = imported(ROW)
    record.confirm_receipt(ctx(Role.SALESPERSON), date(2026, 11, 1), today=date(2026, 11, 2))
    record.record_trial(ctx(Role.SALESPERSON), "ok", None, "")
    record.record_approval(ctx(Role.SALES_ASSISTANT), "AP-1")
    assert record.status == "approval_signed"


def test_an_imported_price_approved_request_opens_its_application() -> None:
    """rule: R-S3 — the application follows an approved price, imported or live."""
    record = imported({**ROW, "status": "价格已确认", "shipped": None})
    record.open_application(ctx(Role.SALES_ASSISTANT), "A-1")
    record.approve_application(ctx(Role.CS_SUPERVISOR))
    assert record.status == "application_approved"


def test_an_imported_requested_sample_still_needs_its_materials_before_costing() -> None:
    """rule: R-S3 — no costing while the material set is incomplete."""
    record = imported({**ROW, "status": "已申请", "shipped": None})
    with pytest.raises(RuleBroken):
        record.cost(ctx(Role.TECHNICAL_SUPPORT), bom_ref="B", material_cost=1,  # type: ignore[arg-type]
                    process_cost=1, die_difficulty=DieDifficulty.SIMPLE)  # type: ignore[arg-type]


def test_an_imported_sample_in_production_is_completed_by_production_and_engineering() -> None:
    """rule: R-S3 — production completes the sample, engineering receives and returns it."""
    record = imported({**ROW, "status": "已承诺交期", "promised_at": "2026-11-03 17:00",
                       "shipped": None, "completed_at": None})
    [event] = record.collect_events()
    order, job = SampleWorkOrder(id=uuid.uuid4()), SamplingJob(id=uuid.uuid4())
    order.import_stage(ctx(Role.SYSTEM), event)
    job.import_stage(ctx(Role.SYSTEM), event)
    order.import_stage(ctx(Role.SYSTEM), event)  # a redelivery changes nothing
    assert (order.status, order.promised_at, job.status) == (
        "promised", datetime(2026, 11, 3, 17, tzinfo=ZONE), "scheduled")
    order.complete(ctx(Role.PRODUCTION_SUPERVISOR))
    [done] = [e for e in order.collect_events() if isinstance(e, SampleCompleted)]
    job.receive_finished(ctx(Role.SYSTEM), done)
    job.return_sample(ctx(Role.ENGINEER))
    record.record_progress(ctx(Role.SYSTEM), "completed", done.timestamp, done.event_id, 1)
    assert (job.status, record.status) == ("returned", "completed")


def test_no_other_department_acts_on_a_closed_imported_sample() -> None:
    event = imported(ROW).collect_events()[0]
    assert isinstance(event, SampleImported)
    order, job = SampleWorkOrder(id=uuid.uuid4()), SamplingJob(id=uuid.uuid4())
    order.import_stage(ctx(Role.SYSTEM), event)
    job.import_stage(ctx(Role.SYSTEM), event)
    assert order.collect_events() == [] and job.collect_events() == []


# -- the summary row ------------------------------------------------------------------------
def test_the_summary_row_holds_the_source_rows_values_and_its_source() -> None:
    """rule: R-S8 — the imported month is analysed like any other."""
    event = imported({**ROW, "status": "试用NG", "trial": "ng burr", "received_on": "2025-03-08",
                      "promised_at": "2025-03-06 12:00"}).collect_events()[0]
    row = sample_summary.new_row("S-2025-001")
    assert sample_summary.apply(row, event)
    assert (row["customer"], row["salesperson"], row["status"], row["quotation_no"]) == (
        "ACME", "bob", "trial_ng", "Q-9")
    assert row["requested_at"] == "2025-03-03T16:00:00+00:00" and row["price_status"] == "approved"
    assert row["late"] and row["tracking_no"] == "SF1234567"
    assert row["imported"] == {"file_name": SOURCE.file_name, "sheet": "2025", "row": 7}
    report = sample_month.analyse("2025-03", [row], WorkingCalendar())
    assert report["samples"] == 1 and report["trials"]["ng"] == 1
    assert report["late"] == ["S-2025-001"]


# -- the other departments' reactions, through the applications ------------------------------
REACTIONS_COVERED: dict[str, set[type[DomainEvent] | str]] = {
    "engineering": {SampleImported}, "production": {SampleImported}}


def test_an_imported_open_sample_reaches_engineering_and_production_once() -> None:
    """rule: R-S5 — a redelivered import, also after the record moved on, changes nothing."""
    company = Company(now=NOW)
    c = command({**ROW, "status": "生产中", "shipped": None, "completed_at": None})
    company.sales.import_sample(c, ctx(Role.SALES_ASSISTANT, "amy", NOW))
    assert company.sales.import_sample(c, ctx(Role.SALES_ASSISTANT, "amy", NOW)) == []
    [imported_event] = company.of_type(company.sales, SampleImported)
    assert imported_event.timestamp == c.requested_at and imported_event.recorded_at == NOW
    [job] = company.deliver(company.engineering.on_sample_imported, imported_event)
    [work] = company.deliver(company.production.on_sample_imported, imported_event)
    assert isinstance(job, SamplingJobImported) and isinstance(work, SampleWorkImported)
    assert job.causation_id == work.causation_id == imported_event.event_id
    completed = company.complete("S-2025-001")
    company.deliver(company.engineering.on_sample_completed, completed)
    for reaction in (company.engineering.on_sample_imported,
                     company.production.on_sample_imported):
        assert company.deliver(reaction, imported_event) == []
    assert company.engineering.job("S-2025-001").status == "completed"


@pytest.mark.parametrize("stage", sorted(STATUSES))
def test_a_department_skips_loading_only_what_it_would_not_take_over(stage: str) -> None:
    """The reactions load the job or work order only when ``takes_over`` says so (an import of
    closed history then costs them no read): it must never pass over a stage they act on."""
    base = imported({**ROW, "status": "已承诺交期", "promised_at": "2026-11-03 17:00",
                     "shipped": None, "completed_at": None}).collect_events()[0]
    event = base.model_copy(update={"status": stage})
    order, job = SampleWorkOrder(id=uuid.uuid4()), SamplingJob(id=uuid.uuid4())
    order.import_stage(ctx(Role.SYSTEM), event)
    job.import_stage(ctx(Role.SYSTEM), event)
    assert SampleWorkOrder.takes_over(event) or order.collect_events() == []
    assert SamplingJob.takes_over(event) or job.collect_events() == []
