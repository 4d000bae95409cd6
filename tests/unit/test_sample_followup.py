"""After the quotation: refusals and escalation, quotation-only requests (R-S4), shipment, trial,
approval and the NG loop (R-S6), delay notices and penalties (R-S7), month notes (R-S8)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from contracts.calendar import WorkingCalendar
from events import sales as ev
from events.envelope import Role
from events.production import DelayNotified
from projections import sample_month, sample_summary
from services.domain import Forbidden, RuleBroken
from services.production.sample_work_order import SampleWorkOrder, work_order_id
from services.sales.month import SampleMonth, month_id
from services.sales.sample import SampleRecord
from tests.unit.builders import FULL, T0, ctx, later, sample_at


def returned(record: SampleRecord) -> SampleRecord:
    """Production progress as sales records it, up to the sample's return to sales."""
    for hours, stage in enumerate(("scheduled", "in_production", "promised", "completed", "returned")):
        record.record_progress(ctx(Role.SYSTEM), stage, later(hours + 1), uuid.uuid4(), record.round)
    return record


def test_a_refused_price_is_escalated_and_a_manager_can_have_it_quoted_again() -> None:
    """rule: R-S4 — not approved: the sales manager or CS supervisor finds a solution."""
    record = sample_at("sent")
    record.reject_price(ctx(Role.SALESPERSON), "too dear")
    with pytest.raises(Forbidden):
        record.resolve_escalation(ctx(Role.SALESPERSON), "requote", "cheaper liner")
    record.resolve_escalation(ctx(Role.CS_SUPERVISOR), "requote", "cheaper liner")
    assert record.status == "costed"
    record.prepare_quotation(ctx(Role.QUOTATION_SPECIALIST), quotation_no="Q-2", unit_price=2,  # type: ignore[arg-type]
                             currency="CNY")
    assert record.status == "quoted" and record.quotation_no == "Q-2"


def test_a_closed_escalation_ends_the_request() -> None:
    """rule: R-S4"""
    record = sample_at("sent")
    record.reject_price(ctx(Role.SALESPERSON), "no budget")
    record.resolve_escalation(ctx(Role.SALES_MANAGER), "close", "customer left")
    with pytest.raises(RuleBroken):
        record.approve_price(ctx(Role.SALESPERSON))
    assert record.status == "closed"


def test_a_quotation_without_sample_chases_the_order_and_never_opens_an_application() -> None:
    """rule: R-S4 — once the price is approved the salesperson chases the order."""
    record = SampleRecord(id=uuid.uuid4())
    record.request(ctx(Role.SALES_ASSISTANT), request_no="Q-1", customer="ACME", product="p",
                   part_no="x", salesperson="bob", materials=FULL, purpose="quotation")
    record.cost(ctx(Role.TECHNICAL_SUPPORT), bom_ref="B", material_cost=1, process_cost=1,  # type: ignore[arg-type]
                die_difficulty="simple")  # type: ignore[arg-type]
    record.prepare_quotation(ctx(Role.QUOTATION_SPECIALIST), quotation_no="Q", unit_price=1,  # type: ignore[arg-type]
                             currency="CNY")
    record.sign_quotation(ctx(Role.CS_SUPERVISOR))
    record.send_quotation(ctx(Role.SALES_ASSISTANT))
    record.approve_price(ctx(Role.SALESPERSON))
    with pytest.raises(RuleBroken) as refused:
        record.open_application(ctx(Role.SALES_ASSISTANT), "A")
    assert refused.value.rule == "R-S4"
    record.chase_order(ctx(Role.SALESPERSON), "call weekly")
    assert record.status == "order_chasing"


def test_the_quotation_goes_to_the_customer_before_the_price_can_be_approved() -> None:
    """rule: R-S3 — it goes to the customer and the salesperson is informed."""
    record = sample_at("signed")
    with pytest.raises(RuleBroken):
        record.approve_price(ctx(Role.SALESPERSON))
    record.send_quotation(ctx(Role.SALES_ASSISTANT))
    record.approve_price(ctx(Role.SALESPERSON))


def test_an_ok_trial_leads_to_the_approval_sign_off_and_the_order_chase() -> None:
    """rule: R-S6 — OK: chase the sample approval sign-off and the order."""
    record = returned(sample_at("application_approved"))
    with pytest.raises(RuleBroken):
        record.confirm_receipt(ctx(Role.SALESPERSON), T0.date(), today=T0.date())
    record.ship(ctx(Role.SALES_ASSISTANT), "courier", "SF", "SF123")
    record.confirm_receipt(ctx(Role.SALESPERSON), T0.date(), today=T0.date())
    with pytest.raises(RuleBroken):
        record.record_approval(ctx(Role.SALESPERSON), "SA-1")
    record.record_trial(ctx(Role.SALESPERSON), "ok", None, "")
    record.record_approval(ctx(Role.SALESPERSON), "SA-1")
    record.chase_order(ctx(Role.SALESPERSON), "")
    assert record.status == "order_chasing"


def test_a_receipt_date_in_the_future_is_refused() -> None:
    """rule: R-S6"""
    record = returned(sample_at("application_approved"))
    record.ship(ctx(Role.SALESPERSON), "salesperson", None, None)
    with pytest.raises(RuleBroken) as future:
        record.confirm_receipt(ctx(Role.SALESPERSON), T0.date() + timedelta(days=1),
                              today=T0.date())
    assert future.value.field == "received_on"


def test_an_ng_trial_needs_an_agreed_fix_before_a_second_round() -> None:
    """rule: R-S6 — NG: find the cause, agree a fix, reply; a new sample round is possible."""
    record = returned(sample_at("application_approved"))
    record.ship(ctx(Role.SALESPERSON), "salesperson", None, None)
    record.confirm_receipt(ctx(Role.SALESPERSON), T0.date(), today=T0.date())
    record.record_trial(ctx(Role.SALESPERSON), "ng", "burr", "")
    with pytest.raises(RuleBroken):
        record.start_new_round(ctx(Role.SALES_ASSISTANT))
    record.agree_ng_fix(ctx(Role.SALESPERSON), "burr", "new die", ["engineering"], "resend")
    record.start_new_round(ctx(Role.SALES_ASSISTANT))
    record.open_application(ctx(Role.SALES_ASSISTANT), "A-2")
    record.approve_application(ctx(Role.CS_SUPERVISOR))
    approved = record.collect_events()[-1]
    assert isinstance(approved, ev.SampleApplicationApproved) and approved.round == 2
    record.record_progress(ctx(Role.SYSTEM), "returned", later(1), uuid.uuid4(), round=1)
    assert record.status == "application_approved"  # a report of round 1 changes nothing now


def promised_order(promised_hours: float) -> SampleWorkOrder:
    order = SampleWorkOrder(id=work_order_id("S-1"), request_no="S-1", status="received", round=1)
    order.promise(ctx(Role.PMC_PLANNER), later(promised_hours))
    return order


def test_a_delay_notice_four_working_hours_ahead_is_timely_and_a_later_one_is_not() -> None:
    """rule: R-S7 — production tells the assistant at least 4 hours before the promised time."""
    calendar = WorkingCalendar()  # T0 is Monday 2026-11-02 09:00 UTC = 17:00 in Shanghai
    early = promised_order(48)
    early.notify_delay(ctx(Role.PMC_PLANNER), kind="quality", reason="burr",
                       new_promised_at=later(72), calendar=calendar)
    late = promised_order(2)
    late.notify_delay(ctx(Role.PMC_PLANNER), kind="delay", reason="machine down",
                      new_promised_at=later(30), calendar=calendar)
    timely, tardy = early.collect_events()[-1], late.collect_events()[-1]
    assert isinstance(timely, DelayNotified) and timely.timely and timely.working_hours_before >= 4
    assert isinstance(tardy, DelayNotified) and not tardy.timely
    with pytest.raises(RuleBroken) as again:
        early.promise(ctx(Role.PMC_PLANNER), later(80))
    assert again.value.rule == "R-S7"


def test_the_month_end_analysis_counts_status_customers_trials_hours_and_late_samples() -> None:
    """rule: R-S8 — month-end analysis of the Sample Record Summary, with notes."""
    calendar = WorkingCalendar()
    base = sample_summary.new_row("S-1")
    rows = [
        {**base, "request_no": "S-1", "customer": "ACME", "status": "order_chasing",
         "trial_result": "ok", "trials": [{"round": 1, "result": "ok", "cause": None}],
         "documents_received_at": "2026-11-02T01:00:00+00:00",
         "completed_at": "2026-11-02T05:00:00+00:00", "late": False},
        {**base, "request_no": "S-2", "customer": "ACME", "status": "trial_ng", "trial_result": "ng",
         "trials": [{"round": 1, "result": "ng", "cause": "burr"}], "late": True},
        {**base, "request_no": "S-3", "customer": "Beta", "status": "returned",
         "penalty_requested_at": "2026-11-03T00:00:00+00:00"},
    ]
    report = sample_month.analyse("2026-11", rows, calendar)
    assert report["by_status"] == {"order_chasing": 1, "returned": 1, "trial_ng": 1}
    assert report["by_customer"] == {"ACME": 2, "Beta": 1}
    assert report["trials"] == {"ok": 1, "ng": 1, "ok_rate": 0.5}
    assert report["average_working_hours_to_make"] == 3.0  # 09:00-13:00 Shanghai, lunch excluded
    assert report["late"] == ["S-2", "S-3"] and report["penalties"] == ["S-3"]


def test_a_month_note_is_written_by_the_assistant_or_the_cs_supervisor() -> None:
    """rule: R-S8 — the assistant writes a summary under that month's table."""
    month = SampleMonth(id=month_id("2026-11"))
    with pytest.raises(Forbidden):
        month.note(ctx(Role.ENGINEER), "2026-11", "x")
    month.note(ctx(Role.SALES_ASSISTANT), "2026-11", "NG rate fell")
    [noted] = month.collect_events()
    assert isinstance(noted, ev.SampleMonthNoted) and noted.record_no == "2026-11"
