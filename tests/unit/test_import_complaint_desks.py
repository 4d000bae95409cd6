"""Importing the old Complaint Summary (issue 12): the other departments' desks take over a
complaint imported as escalated to them (once), and the Complaint Summary row shows the source
row's values, marked imported."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from events.envelope import Department, DomainEvent, Role
from events.quality import QualityComplaintInvestigationOpened
from events.sales import complaint as ev
from projections import complaint_summary
from services.complaint_desk import ComplaintDesk, desk_id
from services.quality.application import QualityApplication
from tests.unit.builders import ctx
from tests.unit.company import Company
from tests.unit.test_import_complaints import CLOSED_ROW, NOW, TINA, row_command
from tests.unit.test_reactions_idempotent import twice

# The guard test of test_reactions_idempotent.py counts these reactions as covered here.
REACTIONS_COVERED: dict[str, set[type[DomainEvent] | str]] = {
    "production": {ev.ComplaintImported}, "quality": {ev.ComplaintImported},
    "engineering": {ev.ComplaintImported}}


# -- the departments' desks and the Complaint Summary ---------------------------------------------
def imported_event(row: dict[str, Any]) -> ev.ComplaintImported:
    c = row_command(row)
    facts = c.model_dump(exclude={"actor", "correlation_id", "command_id", "occurred_at",
                                  "received_at"})
    facts["responsible"] = Department(c.responsible) if c.responsible else None
    return ev.ComplaintImported(originator_id=uuid.uuid4(), originator_version=1,
                                timestamp=c.received_at, event_id=uuid.uuid4(), actor=TINA,
                                correlation_id=uuid.uuid4(), recorded_at=NOW, **facts)


def test_quality_opens_an_investigation_of_a_complaint_imported_as_escalated_to_it() -> None:
    row = {**CLOSED_ROW, "status": "escalated", "closed_at": None}
    event = imported_event(row)
    desk = ComplaintDesk(id=desk_id(event.complaint_no))
    terms = QualityApplication.desk
    desk.open_imported(ctx(Role.SYSTEM, "salesflow"), terms, event)
    desk.open_imported(ctx(Role.SYSTEM, "salesflow"), terms, event)  # a redelivery
    opened = desk.collect_events()
    assert [type(e) for e in opened] == [QualityComplaintInvestigationOpened]
    assert desk.awaiting_analysis
    closed = ComplaintDesk(id=desk_id("K-9"))
    closed.open_imported(ctx(Role.SYSTEM, "salesflow"), terms, imported_event(CLOSED_ROW))
    assert closed.collect_events() == []


def test_the_summary_row_shows_the_source_row_s_values_and_is_marked_imported() -> None:
    row = complaint_summary.new_row("K-2025-001")
    assert complaint_summary.apply(row, imported_event(CLOSED_ROW))
    assert (row["customer"], row["product_model"], row["problem"], row["category"]) == (
        "ACME", "G-7", "毛边 burr on the edge", "burr")
    assert (row["severity"], row["responsible"], row["channel"], row["batch"]) == (
        "complex", "quality", "phone", "B-3")
    assert row["received_at"] == "2025-01-13T01:00:00+00:00"
    assert row["closed_at"] == "2025-01-19T16:00:00+00:00"
    assert row["replied_at"] == "2025-01-16T02:30:00+00:00"
    assert (row["status"], row["status_zh"], row["form_status"], row["form_no"]) == (
        "closed", "已结案", "signed", "F-1")
    assert row["measures_text"] == "new die" and row["shipping_date"] == "2025-01-03"
    assert row["imported"]["file_name"] == "客诉2025.xlsx" and row["imported"]["row"] == 2
    assert row["imported"]["by"] == "tina"


@pytest.mark.parametrize("department", ["production", "quality", "engineering"])
def test_each_department_investigates_an_import_escalated_to_it_once(department: str) -> None:
    """rule: R-C2 — the department the imported form went to answers it, once per event; the
    other departments open nothing."""
    company = Company()
    apps = {"production": company.production, "quality": company.quality,
            "engineering": company.engineering}
    row = {**CLOSED_ROW, "status": "escalated", "closed_at": None, "responsible": department}
    event = imported_event(row)
    twice(company, apps[department].on_complaint_imported, event, lambda: None)
    for other, app in apps.items():
        if other != department:
            assert company.deliver(app.on_complaint_imported, event) == []
