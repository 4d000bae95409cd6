"""As-of reading of the Complaint Summary: the table as it stood at a past moment equals a rebuild
of the events recorded up to that moment (R-C5: the Complaint Summary the CS supervisor gets
every working day before 16:00), also for complaints redirected from another department, whose
row the department's record opens before sales' intake does."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.envelope import DomainEvent
from projections.store import ViewStore
from tests.complaint_events import complaint_path
from tests.unit.test_as_of import as_of_and_rebuilt, compared_with_rebuilds

SHANGHAI = ZoneInfo("Asia/Shanghai")


def complaints() -> list[DomainEvent]:
    """Eight complaints of two customers and salespeople, taken in 5 hours apart from 30 November
    22:00 in Shanghai (so the month turns between them): minor, needs-data and complex ones, two
    redirected from a department, one reopened, one with a visit, two still open; each closed
    20 hours after its intake."""
    start = datetime(2026, 11, 30, 22, 0, tzinfo=SHANGHAI) - timedelta(hours=10)
    events: list[DomainEvent] = []
    for k in range(8):
        began = start + timedelta(hours=5 * k)
        path = complaint_path(
            f"C-{k}", customer=("ACME", "BOLT")[k % 2], salesperson=("bob", "ben")[k // 4],
            severity=("minor", "needs_data", "complex")[k % 3],
            responsible=("quality", "production", "engineering")[k % 3], start=began,
            redirected_from={2: "production", 5: "quality"}.get(k), reopened=int(k == 4),
            visit=k == 2, until="replied" if k in (3, 7) else "closed",
            closed_at=began + timedelta(hours=20))
        events += [e for department in path.values() for e in department]
    return events


def test_the_complaint_summary_as_of_a_moment_equals_a_rebuild_of_the_events_recorded_up_to_it(
        store: ViewStore) -> None:
    """rule: R-C5 — the Complaint Summary as it stood at any moment (e.g. 16:00)."""
    assert compared_with_rebuilds(store, complaints(), "complaints") > 20


@pytest.mark.parametrize("filters", [{"customer": "BOLT"}, {"salesperson": "ben"},
                                     {"month": "2026-11"}, {"month": "2026-12"},
                                     {"status": "closed"}, {"severity": "complex"},
                                     {"customer": "ACME", "salesperson": "bob"}])
def test_the_complaint_summary_at_16_00_filters_as_the_live_table(
        store: ViewStore, filters: dict[str, str]) -> None:
    """rule: R-C5 — each salesperson's complaints as they stood at 16:00 on a working day."""
    sixteen = datetime(2026, 12, 1, 16, 0, tzinfo=SHANGHAI)
    actual, expected = as_of_and_rebuilt(store, complaints(), "complaints", sixteen, **filters)
    assert actual == expected
    if filters == {"month": "2026-11"}:
        assert [r["complaint_no"] for r in expected] == ["C-0", "C-1", "C-2"]
    if filters == {"status": "closed"}:
        assert expected  # some closed already at 16:00
