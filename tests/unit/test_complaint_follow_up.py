"""After the reply: follow-up, a dissatisfied customer reopening the handling, the CS supervisor's
verification and closing (R-C3); every entry delivered to the responsible salesperson (R-C5);
a serious complaint with an on-site visit, the archived form and continuous follow-up (R-C7)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from events.envelope import Department, Role
from events.sales import complaint as ev
from events.sales.complaint import Severity
from services.sales.complaint import ComplaintRecord, complaint_id
from tests.unit.builders import T0, ctx
from tests.unit.complaint_steps import (
    SYSTEM,
    amy,
    analysed,
    bob,
    complaint_at,
    deliveries,
    entries,
    redirected,
    refused,
    register,
    sue,
    tina,
)

MINOR = Severity.MINOR


# -- R-C3 -------------------------------------------------------------------------------------
def test_an_escalated_complaint_is_reopened_by_a_dissatisfied_customer_then_closed() -> None:
    """rule: R-C3 — not satisfied: the handling starts again (new measures, a new reply);
    satisfied, verified by the CS supervisor, closed."""
    record = complaint_at("replied")
    record.follow_up(tina(), False, "burrs again on lot B-4", "100% inspection")
    assert record.status == "reopened"
    before = record.collect_events()  # ``refused`` starts from an empty list
    assert refused(record, lambda r: r.reply(tina(), "too early")).rule == "R-C2"
    assert refused(record, lambda r: r.follow_up(tina(), True, "?", None)).rule == "R-C3"
    record.record_measures(SYSTEM, analysed(measures="die replaced, lot B-4 sorted"))
    record.reply(tina(), "die replaced")
    record.follow_up(tina(), True, "no burrs since", "photos of each lot")
    record.verify(sue())
    record.close(sue())
    events = entries(before + record.collect_events())
    [reopened] = [e for e in events if isinstance(e, ev.ComplaintReopened)]
    assert reopened.reason == "burrs again on lot B-4"
    follow_ups = [e for e in events if isinstance(e, ev.ComplaintFollowUpRecorded)]
    assert [(f.satisfied, f.new_requirement) for f in follow_ups] == [
        (False, "100% inspection"), (True, "photos of each lot")]
    assert len([e for e in events if isinstance(e, ev.ComplaintMeasuresRecorded)]) == 2
    assert isinstance(events[-1], ev.ComplaintClosed) and record.status == "closed"


def test_a_reopened_complaint_may_be_escalated_again() -> None:
    """rule: R-C3 — technical support may send the form to the department again."""
    record = complaint_at("replied")
    record.follow_up(tina(), False, "still burrs", None)
    record.escalate(tina())
    assert record.status == "escalated"


def test_a_reopened_minor_complaint_is_answered_by_sales_again() -> None:
    """rule: R-C3 — with R-C2: a minor complaint is handled and answered by sales."""
    record = complaint_at("replied", MINOR)
    record.follow_up(tina(), False, "replacement also scratched", None)
    record.answer_minor(bob(), "second replacement sent")
    record.follow_up(tina(), True, "fine now", None)
    assert record.status == "satisfied"


@pytest.mark.parametrize("step", ["registered", "form_signed", "escalated", "measures_recorded",
                                  "replied", "satisfied"])
def test_a_complaint_is_closed_only_after_the_satisfaction_was_verified(step: str) -> None:
    """rule: R-C3 — the CS supervisor verifies the satisfaction; only then it can be closed."""
    error = refused(complaint_at(step), lambda r: r.close(sue()))
    assert error.rule == "R-C3" and "verified" in error.en and "确认客户满意" in error.zh


def test_a_reopened_complaint_cannot_be_verified_or_closed() -> None:
    """rule: R-C3"""
    record = complaint_at("satisfied")
    record.follow_up(tina(), False, "changed their mind", None)
    assert refused(record, lambda r: r.verify(sue())).rule == "R-C3"
    assert refused(record, lambda r: r.close(sue())).rule == "R-C3"


@pytest.mark.parametrize("step", ["form_signed", "escalated", "measures_recorded", "replied"])
def test_the_satisfaction_verified_is_the_one_a_follow_up_recorded(step: str) -> None:
    """rule: R-C3"""
    assert refused(complaint_at(step), lambda r: r.verify(sue())).rule == "R-C3"


@pytest.mark.parametrize("step", ["registered", "escalated", "measures_recorded", "closed"])
def test_a_follow_up_comes_after_a_reply(step: str) -> None:
    """rule: R-C3 — follow-up after the corrective measures were answered."""
    error = refused(complaint_at(step), lambda r: r.follow_up(tina(), True, "fine", None))
    assert error.rule == "R-C3"


def test_a_closed_complaint_takes_no_more_entries() -> None:
    """rule: R-C3 — closed by the CS supervisor; R-C7 — follow-up until then."""
    record = complaint_at("closed")
    for step in (lambda r: r.contact_customer(tina(), "hello"), lambda r: r.verify(sue()),
                 lambda r: r.close(sue()), lambda r: r.archive_form(tina()),
                 lambda r: r.record_measures(SYSTEM, analysed())):
        refused(record, step)


def test_new_measures_after_the_reply_ask_for_a_new_reply() -> None:
    """rule: R-C3 — a verification never stands for measures the customer was not told."""
    record = complaint_at("verified")
    record.record_measures(SYSTEM, analysed(measures="also a new supplier"))
    assert record.status == "measures_recorded"
    assert refused(record, lambda r: r.close(sue())).rule == "R-C3"


# -- R-C5 -------------------------------------------------------------------------------------
def test_every_entry_from_the_registration_on_goes_to_the_salesperson_at_once() -> None:
    """rule: R-C5 — the summary goes to the responsible salesperson as soon as an entry is made:
    every event from the one naming the salesperson on is followed by its delivery."""
    record = complaint_at("closed")
    events = record.collect_events()
    made = entries(events)
    assert [type(e) for e in made[:2]] == [ev.ComplaintReceived, ev.ComplaintForwarded]
    sent = deliveries(events)
    assert [d.entry_event_id for d in sent] == [e.event_id for e in made[2:]]
    assert [d.entry for d in sent] == [type(e).__name__ for e in made[2:]]
    assert {d.to for d in sent} == {"bob"} and len(sent) == 10
    for entry, delivery in zip(events[2::2], events[3::2], strict=True):  # at once: next event
        assert isinstance(delivery, ev.ComplaintEntryDelivered)
        assert delivery.entry_event_id == entry.event_id
        assert (delivery.timestamp, delivery.correlation_id) == (entry.timestamp,
                                                                 entry.correlation_id)


def test_an_intake_naming_the_salesperson_is_delivered_from_the_intake_on() -> None:
    """rule: R-C5"""
    record = ComplaintRecord(id=complaint_id("K-1"))
    record.receive(bob(), complaint_no="K-1", channel="sales_visit", customer="ACME",
                   summary="burrs", salesperson="bob")
    record.forward(bob(), "tina")
    register(record, salesperson="ben")  # the registration names the responsible one
    sent = deliveries(record.collect_events())
    assert [(d.entry, d.to) for d in sent] == [("ComplaintReceived", "bob"),
                                               ("ComplaintForwarded", "bob"),
                                               ("ComplaintRegistered", "ben")]


def test_a_dissatisfied_follow_up_delivers_the_follow_up_and_the_reopening() -> None:
    """rule: R-C5 — with R-C3."""
    record = complaint_at("replied")
    record.collect_events()
    record.follow_up(tina(), False, "burrs again", None)
    events = record.collect_events()
    assert [type(e) for e in events] == [ev.ComplaintFollowUpRecorded,
                                         ev.ComplaintEntryDelivered, ev.ComplaintReopened,
                                         ev.ComplaintEntryDelivered]


def test_a_redirected_complaint_is_delivered_once_it_is_registered() -> None:
    """rule: R-C5 — with R-C4: the desk does not know the salesperson."""
    record = ComplaintRecord(id=complaint_id("K-1"))
    record.take_over(SYSTEM, redirected())
    assert deliveries(record.collect_events()) == []
    register(record)
    assert [d.entry for d in deliveries(record.collect_events())] == ["ComplaintRegistered"]


# -- R-C7 -------------------------------------------------------------------------------------
def test_a_serious_complaint_with_a_visit_findings_the_archived_form_and_follow_ups() -> None:
    """rule: R-C7 — technical support, the salesperson and quality visit; the form is
    completed and archived; the customer is followed until the CS supervisor closes it."""
    record = complaint_at("escalated")
    record.schedule_visit(tina(), visit_on=(T0 + timedelta(days=2)).date(),
                          technical_support="tina", salesperson="bob", quality="qiu")
    record.record_visit(tina(), "die edge worn; operator skipped the hourly check")
    record.record_measures(SYSTEM, analysed())
    record.reply(tina(), "new die, hourly check restored")
    record.archive_form(tina())
    record.follow_up(tina(), True, "first lot fine", None)
    record.verify(sue())
    record.follow_up(tina(), True, "second lot fine", "keep the photos coming")
    assert record.status == "verified"  # a satisfied follow-up leaves the verification
    record.follow_up(tina(), True, "third lot fine", None)
    record.close(sue())
    events = entries(record.collect_events())
    [visit] = [e for e in events if isinstance(e, ev.ComplaintVisitScheduled)]
    assert (visit.technical_support, visit.salesperson, visit.quality) == ("tina", "bob", "qiu")
    [found] = [e for e in events if isinstance(e, ev.ComplaintVisitRecorded)]
    assert "die edge worn" in found.findings
    [archived] = [e for e in events if isinstance(e, ev.ComplaintFormArchived)]
    assert archived.form_no == "F-1"
    assert len([e for e in events if isinstance(e, ev.ComplaintFollowUpRecorded)]) == 3
    assert record.status == "closed"


@pytest.mark.parametrize("severity, step", [(MINOR, "form_signed"),
                                            (Severity.NEEDS_DATA, "escalated"),
                                            (Severity.COMPLEX, "registered")])
def test_only_a_complex_complaint_is_visited(severity: Severity, step: str) -> None:
    """rule: R-C7 — a serious complaint that needs a visit (not yet judged: not yet known)."""
    error = refused(complaint_at(step, severity), lambda r: r.schedule_visit(
        tina(), visit_on=T0.date(), technical_support="tina", salesperson="bob", quality="qiu"))
    assert error.rule == "R-C7" and "complex" in error.en and "复杂" in error.zh


def test_a_visit_is_recorded_after_it_was_scheduled_once() -> None:
    """rule: R-C7"""
    record = complaint_at("escalated")
    assert refused(record, lambda r: r.record_visit(tina(), "?")).rule == "R-C7"
    record.schedule_visit(tina(), visit_on=T0.date(), technical_support="tina",
                          salesperson="bob", quality="qiu")
    record.record_visit(tina(), "worn die")
    assert refused(record, lambda r: r.record_visit(tina(), "again")).rule == "R-C7"


@pytest.mark.parametrize("step", ["registered", "judged", "form_filled"])
def test_the_form_is_archived_after_it_was_signed(step: str) -> None:
    """rule: R-C7 — the form is completed (signed), then archived."""
    assert refused(complaint_at(step), lambda r: r.archive_form(tina())).rule == "R-C7"


def test_the_form_is_archived_once() -> None:
    """rule: R-C7"""
    record = complaint_at("form_signed", MINOR)
    record.archive_form(tina())
    error = refused(record, lambda r: r.archive_form(tina()))
    assert error.rule == "R-C7" and "F-1" in error.en


def test_nobody_outside_technical_support_schedules_a_visit_not_even_quality() -> None:
    """rule: R-C7 — quality goes along; technical support schedules."""
    from services.domain import Forbidden

    error = refused(complaint_at("escalated"), lambda r: r.schedule_visit(
        ctx(Role.QUALITY_ENGINEER, "qiu"), visit_on=T0.date(), technical_support="tina",
        salesperson="bob", quality="qiu"), Forbidden)
    assert error.rule == "R-C7"


def test_a_redirected_complaint_enters_through_sales_and_is_registered() -> None:
    """rule: R-C4 — either way it enters through the marketing department."""
    record = ComplaintRecord(id=complaint_id("K-1"))
    cause = redirected(Department.QUALITY)
    record.take_over(SYSTEM, cause)
    [received] = record.collect_events()
    assert isinstance(received, ev.ComplaintReceived)
    assert (received.redirected_from, received.source_event_id) == (Department.QUALITY,
                                                                    cause.event_id)
    assert (received.channel, received.customer) == ("fax", "ACME")
    record.take_over(SYSTEM, cause)
    record.take_over(SYSTEM, redirected(Department.ENGINEERING))  # a number already known
    assert record.collect_events() == []
    assert refused(record, lambda r: r.receive(amy(), complaint_no="K-1", channel="phone",
                                               customer="ACME", summary="x",
                                               salesperson=None)).rule == "R-C1"
