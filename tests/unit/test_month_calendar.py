"""The month analyses count working hours with the company calendar the clocks use."""
from __future__ import annotations

from datetime import date

import pytest

from projections.calendar_model import CalendarEntries
from projections.projector import Projector
from projections.sla.model import SlaModel
from projections.store import ViewStore
from services.runtime.projection_queries import company_calendar, with_sla_flags
from tests.projection_events import by_stream
from tests.sla_events import CALENDAR, complaint, holiday, local, registered


def test_a_company_holiday_is_off_in_the_calendar_the_month_analyses_count_with(
        store: ViewStore) -> None:
    """rule: R-S8 rule: R-O6 rule: R-C6 — average working hours per month, in company time."""
    projector = Projector(store)
    day = date(2026, 12, 3)  # a Thursday, a working day by default
    assert company_calendar(store, projector.models, CALENDAR).is_working_day(day)
    for items in by_stream([holiday(day)], 1).values():
        projector.apply(items)
    company = company_calendar(store, projector.models, CALENDAR)
    assert not company.is_working_day(day) and company.is_working_day(date(2026, 12, 4))


def test_while_the_calendar_model_is_rebuilt_the_analyses_count_with_the_base_calendar(
        store: ViewStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """rule: R-S8 — a changed calendar model is rebuilt beside the others; meanwhile the month
    analyses are still answered (with the environment's calendar), not refused."""
    day = date(2026, 12, 3)
    for items in by_stream([holiday(day)], 1).values():
        Projector(store).apply(items)
    monkeypatch.setattr(CalendarEntries, "version", CalendarEntries.version + 1)
    stale = Projector(store)
    assert [m.name for m in stale.stale] == ["calendar"]
    assert company_calendar(store, stale.models, CALENDAR) is CALENDAR


def test_while_the_sla_model_is_rebuilt_the_tables_are_answered_without_flags(
        store: ViewStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """rule: R-S5 — the summary tables stay readable during a rebuild of the SLA model: their
    ``sla_flags`` are None (unknown), never an empty list (which would say "no breach")."""
    projector = Projector(store)
    rows = [{"request_no": "S-1"}, {"request_no": "S-2"}]
    flagged = with_sla_flags(store, projector.models, CALENDAR, rows, "request_no", None)
    assert [r["sla_flags"] for r in flagged] == [[], []]
    monkeypatch.setattr(SlaModel, "version", SlaModel.version + 1)
    stale = Projector(store)
    unknown = with_sla_flags(store, stale.models, CALENDAR, rows, "request_no", None)
    assert [r["sla_flags"] for r in unknown] == [None, None]


def test_the_tables_read_the_flags_of_the_records_they_answer_only(store: ViewStore) -> None:
    """rule: R-C2 — a page of the Complaint Summary gets its rows' flags (a complaint not
    registered in 2 working hours is breached), read by record number: a page without it
    gets none, an empty page reads nothing."""
    projector = Projector(store)
    for items in by_stream([complaint("K-1", local(2, 9)), complaint("K-2", local(2, 9)),
                            registered("K-2", local(2, 10))], 1).values():
        projector.apply(items)
    now = local(2, 16)
    page = [{"complaint_no": "K-1"}, {"complaint_no": "K-2"}]
    flagged = with_sla_flags(store, projector.models, CALENDAR, page, "complaint_no", now)
    assert [[f["state"] for f in r["sla_flags"]] for r in flagged] == [["breached"], []]
    other = with_sla_flags(store, projector.models, CALENDAR, page[1:], "complaint_no", now)
    assert other[0]["sla_flags"] == []
    assert projector.models.sla.flags(store, CALENDAR, now, now, records=set()) == {}
