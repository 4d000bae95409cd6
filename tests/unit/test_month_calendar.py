"""The month analyses count working hours with the company calendar the clocks use."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from projections.projector import Projector
from projections.store import ViewStore
from services.runtime.projection_queries import company_calendar
from tests.projection_events import by_stream
from tests.sla_events import CALENDAR, holiday

MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}


@pytest.fixture
def store() -> Iterator[ViewStore]:
    views = ViewStore(MEMORY)
    yield views
    views.close()


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
