"""As-of reading of the Order Summary: the table as it stood at a past moment equals a rebuild of
the events recorded up to that moment (R-O5: the Order Summary as the CS supervisor and the
salesperson see it at 16:00)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.envelope import DomainEvent
from projections.store import ViewStore
from tests.order_events import order_path
from tests.unit.test_as_of import as_of_and_rebuilt, compared_with_rebuilds

SHANGHAI = ZoneInfo("Asia/Shanghai")


def orders() -> list[DomainEvent]:
    """Six orders of two customers and salespeople, taken in 9 hours apart from 30 October 16:00
    in Shanghai (so the month turns between them), with delays, a missed promise, reworked lots,
    partial shipments and exceptions, their departments' events interleaved in time."""
    start = datetime(2026, 10, 30, 16, 0, tzinfo=SHANGHAI)
    events: list[DomainEvent] = []
    for k in range(6):
        path = order_path(f"O-{k}", customer=("ACME", "BOLT")[k % 2],
                          salesperson=("bob", "ben")[k // 3], start=start + timedelta(hours=9 * k),
                          delayed=k == 1, missed=k == 2, exception_closed=k % 2 == 0,
                          lots=(("L1", 600, k % 2), ("L2", 400, 0)),
                          shipments=(("L1",),) if k == 3 else (("L1",), ("L2",)))
        events += [e for department in path.values() for e in department]
    return events


def test_the_order_summary_as_of_a_moment_equals_a_rebuild_of_the_events_recorded_up_to_it(
        store: ViewStore) -> None:
    """rule: R-O5 — the Order Summary as it stood at any moment (e.g. 16:00)."""
    assert compared_with_rebuilds(store, orders(), "orders") > 20


@pytest.mark.parametrize("filters", [{"customer": "BOLT"}, {"salesperson": "ben"},
                                     {"month": "2026-10"}, {"month": "2026-11"},
                                     {"status": "shipped"}, {"customer": "ACME", "salesperson": "bob"}])
def test_the_order_summary_at_16_00_filters_as_the_live_table(store: ViewStore,
                                                              filters: dict[str, str]) -> None:
    """rule: R-O5 — each salesperson's orders as they stood at 16:00 on a working day."""
    sixteen = datetime(2026, 11, 2, 16, 0, tzinfo=SHANGHAI)
    actual, expected = as_of_and_rebuilt(store, orders(), "orders", sixteen, **filters)
    assert actual == expected
    if filters == {"month": "2026-10"}:
        assert [r["order_no"] for r in expected] == ["O-0", "O-1", "O-2", "O-3"]
