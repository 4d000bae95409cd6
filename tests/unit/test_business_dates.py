"""Business dates are the company's dates (its calendar's zone), not UTC dates."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from contracts.commands.sales_followup import ConfirmSampleReceipt
from events.envelope import Actor, Role
from events.sales import SampleReceiptConfirmed
from services.domain import Context, RuleBroken
from services.sales.application import SalesApplication
from tests.unit.builders import ctx, later, sample_at
from tests.unit.test_sample_followup import returned

# 02:30 on Tuesday 3 November in Shanghai is still Monday 2 November in UTC.
EARLY_MORNING = datetime(2026, 11, 2, 18, 30, tzinfo=UTC)


def shipped_in(app: SalesApplication) -> None:
    record = returned(sample_at("application_approved"))
    record.ship(ctx(Role.SALESPERSON, at=later(9)), "salesperson", None, None)
    app.store(record)


def confirm(app: SalesApplication, received_on: date) -> None:
    """The use case with the aggregate's rule; the contract's own window (``test_bounds``)
    lies wider, "today anywhere on Earth", so the company's rule is the one tested here."""
    command = ConfirmSampleReceipt.model_construct(
        actor=Actor(user="bob", role=Role.SALESPERSON), request_no="S-1", received_on=received_on)
    app.confirm_sample_receipt(command, Context(actor=Actor(user="bob", role=Role.SALESPERSON),
                                                now=EARLY_MORNING, correlation_id=uuid.uuid4()))


def test_a_receipt_dated_today_is_accepted_before_eight_in_the_morning_in_shanghai() -> None:
    """rule: R-S6 — the customer confirms receipt (today, in the company's time zone)."""
    app = SalesApplication({}, clock=lambda: EARLY_MORNING)
    assert app.calendar.zone == "Asia/Shanghai"
    shipped_in(app)
    confirm(app, date(2026, 11, 3))
    assert app.sample("S-1").received_on == date(2026, 11, 3)
    [notification] = app.process_recorder.select_notifications(1, 100)[-1:]
    assert notification.topic == SampleReceiptConfirmed.type_key()


def test_a_receipt_dated_tomorrow_in_shanghai_is_refused_naming_the_field() -> None:
    """rule: R-S6"""
    app = SalesApplication({}, clock=lambda: EARLY_MORNING)
    shipped_in(app)
    with pytest.raises(RuleBroken) as future:
        confirm(app, date(2026, 11, 4))
    assert future.value.field == "received_on" and "2026-11-03" in future.value.en
    assert "签收日期" in future.value.zh
