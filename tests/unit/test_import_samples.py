"""The Sample Record Summary import (issue 12): a row's cells as the ``import_sample`` command,
the sales record it brings to the row's stage (R-S5), and the summary row it folds into."""
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
from services.cli.tables import SAMPLE_COLUMNS
from services.domain import Conflict, Forbidden, RuleBroken
from services.engineering.sampling_job import SamplingJob
from services.imports import cells
from services.imports.samples import STATUSES, TABLE, TRIALS
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


# -- cells ----------------------------------------------------------------------------------
def test_a_clean_row_becomes_the_command_with_its_values() -> None:
    c = command(ROW)
    assert (c.request_no, c.customer, c.salesperson, c.status) == (
        "S-2025-001", "ACME", "bob", "shipped")
    assert c.requested_at == datetime(2025, 3, 4, tzinfo=ZONE)
    assert c.completed_at == datetime(2025, 3, 6, 15, 30, tzinfo=ZONE)
    assert (c.die_difficulty, c.shipped_method, c.tracking_no) == (
        DieDifficulty.NORMAL, "courier", "SF1234567")
    assert c.source == SOURCE and c.actor == AMY


@pytest.mark.parametrize("cell", [45720, 45720.0, "2025-03-04", "2025/3/4", "2025.3.4",
                                  "2025年3月4日", "20250304", "２０２５－０３－０４",
                                  datetime(2025, 3, 4), date(2025, 3, 4)])
def test_dates_as_excel_serials_text_full_width_or_excel_dates(cell: Any) -> None:
    assert command({**ROW, "requested_at": cell}).requested_at == datetime(2025, 3, 4, tzinfo=ZONE)


@pytest.mark.parametrize(("cell", "status"), [
    ("生产中", "in_production"), ("in production", "in_production"), ("IN_PRODUCTION", "in_production"),
    ("promised 已承诺交期", "promised"), ("trial_ok 试用OK", "trial_ok"), ("试用ＯＫ", "trial_ok"),
    ("Trial NG", "trial_ng"), ("客户拒价（已上报）", "price_rejected"), (" 已结案 ", "closed"),
    ("order_chasing 跟催订单", "order_chasing"), ("Shipped", "shipped")])
def test_statuses_in_chinese_english_mixed_and_the_exports_form(cell: str, status: str) -> None:
    row = {**ROW, "status": cell, "promised_at": "2025-03-07 17:00"}
    assert command(row).status == status


def test_every_status_of_the_summary_has_its_chinese_and_export_spellings() -> None:
    for stage, zh in sample_summary.STATUS_ZH.items():
        assert cells.choice(zh, "status", TABLE.statuses) == stage
        assert cells.choice(f"{stage} {zh}", "status", TABLE.statuses) == stage


def test_the_exports_headers_each_half_and_no_spelling_for_two_fields() -> None:
    owners = [{cells.normalize(h) for h in spellings} for spellings in TABLE.headers.values()]
    spelled = [h for own in owners for h in own]
    assert len(spelled) == len(set(spelled))
    for _, label in SAMPLE_COLUMNS:
        if label.startswith(("Price", "Flags")):
            continue  # worked out again, not read
        english, chinese = label.split(" ")
        for spelling in (label, english, chinese):
            assert cells.normalize(spelling) in spelled


def test_full_width_digits_in_numbers_and_texts() -> None:
    c = command({**ROW, "request_no": "Ｓ－００１", "round": "２"})
    assert (c.request_no, c.round) == ("S-001", 2)


def test_number_cells_as_calamine_gives_them_keep_every_bound() -> None:
    """A whole number comes as a float (14.0): read at once when in range, and refused as
    before, with the number as typed, when not."""
    assert cells.integer(14.0, "round", low=1, high=99) == 14
    assert type(cells.integer(14.0, "round", low=1, high=99)) is int
    with pytest.raises(cells.CellRefused, match=r"^round: 100 is not between 1 and 99"):
        cells.integer(100.0, "round", low=1, high=99)
    with pytest.raises(cells.CellRefused, match="14.5 is not a whole number"):
        cells.integer(14.5, "round", low=1, high=99)
    with pytest.raises(cells.CellRefused, match="not a number"):
        cells.integer(True, "round", low=0, high=99)
    assert command({**ROW, "round": 3.0}).round == 3


def test_a_choice_read_again_gives_the_same_answer_and_tables_do_not_mix() -> None:
    """``choice`` remembers the texts it found, per spellings table: "OK" is a status in one
    table and a trial result in another; each table made anew has its own answers."""
    statuses = dict(STATUSES)
    for _ in range(3):
        assert cells.choice("试用OK", "status", statuses) == "trial_ok"
        assert cells.choice("OK", "status", statuses) == "trial_ok"
        assert cells.choice("OK", "trial", TRIALS) == "ok"
    for index in range(20):
        assert cells.choice("x", "field", {f"v{index}": ("x",)}) == f"v{index}"
    with pytest.raises(cells.CellRefused, match="is not one of"):
        cells.choice("OKAY", "status", statuses)


def test_the_exports_trial_cell_holds_the_result_and_the_cause() -> None:
    c = command({**ROW, "status": "试用NG", "received_on": 45723, "trial": "ng burr on edge"})
    assert (c.trial_result, c.trial_cause, c.received_on) == ("ng", "burr on edge", date(2025, 3, 7))


@pytest.mark.parametrize(("row", "field", "zh"), [
    ({**ROW, "requested_at": "next tuesday"}, "requested_at", "不是日期"),
    ({**ROW, "requested_at": "2025-02-30"}, "requested_at", "不是有效日期"),
    ({**ROW, "requested_at": "1999-12-31"}, "requested_at", "早于"),
    ({**ROW, "requested_at": "2027-01-05"}, "requested_at", "将来"),
    ({**ROW, "status": "lost in the post"}, "status", "不是以下之一"),
    ({**ROW, "status": None}, "status", "不能为空"),
    ({**ROW, "customer": "  "}, "customer", "不能为空"),
    ({**ROW, "request_no": "S 1"}, "request_no", "只能包含"),
    ({**ROW, "die_difficulty": "very"}, "die_difficulty", "不是以下之一"),
    ({**ROW, "round": "1.5"}, "round", "不是整数"),
    ({**ROW, "status": "生产中", "die_difficulty": None}, "die_difficulty", "刀模难度"),
    ({**ROW, "status": "已承诺交期"}, "promised_at", "承诺"),
])
def test_a_bad_cell_is_refused_naming_its_field_in_both_languages(
        row: dict[str, Any], field: str, zh: str) -> None:
    refused = refusal(row)
    assert refused.field == field and zh in refused.zh and refused.en


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
