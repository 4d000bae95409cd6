"""The Complaint Summary (客诉投诉汇总表): one complete row per complaint, the same whatever order
the sales stream and the departments' complaint desk streams arrive in; reopenings counted,
every entry delivered to the salesperson counted; samples' and orders' events left out."""
from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from contracts.queries import ComplaintsQuery, query_error
from contracts.subjects import QUERY_COMPLAINTS
from events.envelope import DomainEvent, Role
from events.sales import complaint as sc
from projections import complaint_summary
from projections.complaint_summary import Row
from projections.projector import Projector
from projections.store import ViewStore
from services.cli import complaints, main
from services.cli.complaints import complaints_table
from services.runtime.settings import Settings
from tests.complaint_events import COMPLAINT_T0, complaint_note, complaint_path
from tests.order_events import order_path
from tests.projection_events import by_stream, sample_path
from tests.unit.test_order_summary import FIRST_PAGE, AskingClient, interleavings


def fold(events: Sequence[DomainEvent], no: str = "C-1") -> Row:
    row = complaint_summary.new_row(no)
    for event in events:
        complaint_summary.apply(row, event)
    return row


def at(minutes: float) -> str:
    return (COMPLAINT_T0 + timedelta(minutes=minutes)).isoformat()


def test_every_interleaving_of_the_streams_gives_the_same_row() -> None:
    """rule: R-C2 — technical support's Complaint Summary holds the registration (customer,
    product model, shipping date, batch, problem), the severity, the signed handling form, the
    responsible department's analysis and the measures and replies, however the sales stream
    and the departments' streams interleave; rule: R-C4 — a complaint redirected from production
    shows where it came from, whether production's record or sales' intake arrives first."""
    streams = complaint_path("C-1", redirected_from="production", visit=True)
    assert set(streams) == {"sales", "production", "quality"}
    rows = [fold(events) for events in interleavings(streams)]
    assert all(r == rows[0] for r in rows)
    row = rows[0]
    assert (row["status"], row["status_zh"]) == ("closed", "已结案")
    assert (row["channel"], row["received_by"], row["received_at"], row["redirected_from"]) == (
        "fax", "system", at(0), "production")
    assert row["departments"]["production"]["redirected"]["at"] == at(-10)
    assert (row["customer"], row["salesperson"], row["product_model"], row["shipping_date"],
            row["batch"], row["problem"], row["category"], row["order_no"]) == (
        "ACME", "bob", "GK-7", "2026-10-20", "B-1020", "edges fray", "burr", "O-C-1")
    assert (row["forwarded_to"], row["forwarded_at"], row["registered_at"]) == ("tina", at(1), at(2))
    assert [f["filename"] for f in row["files"]] == ["edge.jpg"] and row["contacts"] == 1
    assert (row["severity"], row["responsible"], row["escalation_purpose"]) == (
        "complex", "quality", "handling")
    assert (row["form_no"], row["form_status"], row["form_signed_by"]) == ("F-C-1", "archived", "sue")
    assert (row["escalated_at"], row["investigation_opened_at"], row["analysed_at"]) == (
        at(8), at(8), at(9))
    assert row["measures_text"] == "re-sharpen every 5000 hits"
    assert [r["by"] for r in row["replies"]] == ["technical_support"]
    assert (row["visit_on"], row["visit_people"]["quality"], row["visit_findings"]) == (
        "2026-11-10", "qiu", "worn die on line 2")
    assert (row["satisfied"], row["verified_by"], row["reopen_count"]) == (True, "sue", 0)
    assert row["closed_at"] == (COMPLAINT_T0 + timedelta(hours=30)).isoformat()


def test_a_complaint_a_department_recorded_first_shows_before_sales_takes_it_in() -> None:
    """rule: R-C4 — the row of a complaint redirected by quality, before sales' intake arrives:
    the department's word fills the gaps, and sales' intake then takes over."""
    streams = complaint_path("C-1", redirected_from="quality", customer="Bolt")
    early = fold(streams["quality"][:1])
    assert (early["status"], early["status_zh"], early["redirected_from"]) == (
        "redirected", "他部门转来待接收", "quality")
    assert (early["customer"], early["channel"], early["received_at"]) == ("Bolt", "fax", None)
    taken = fold([*streams["quality"][:1], streams["sales"][0]])
    assert (taken["status"], taken["received_at"], taken["salesperson"]) == ("received", at(0), None)


def test_status_follows_the_steps_of_the_handling() -> None:
    """rule: R-C2 — received, forwarded to technical support, registered, judged, form filled and
    signed, escalated, measures recorded, replied; rule: R-C3 — a dissatisfied follow-up reopens
    the handling, a satisfied one is verified by the CS supervisor before closing."""
    streams = complaint_path("C-1", reopened=1)
    row = complaint_summary.new_row("C-1")
    seen: list[str] = []
    for event in streams["sales"]:
        complaint_summary.apply(row, event)
        if not seen or seen[-1] != row["status"]:
            seen.append(row["status"])
    assert seen == ["received", "forwarded", "registered", "judged", "form_filled", "form_signed",
                    "escalated", "measures_recorded", "replied", "reopened", "escalated",
                    "measures_recorded", "replied", "satisfied", "verified", "closed"]


def test_every_reopening_is_counted_with_its_new_handling() -> None:
    """rule: R-C3 — each dissatisfied follow-up and its new requirement are recorded; the
    complaint reopens and is escalated, analysed and answered again."""
    streams = complaint_path("C-1", reopened=2, responsible="engineering")
    rows = [fold(events) for events in interleavings(streams)]
    assert all(r == rows[0] for r in rows)
    row = rows[0]
    assert (row["reopen_count"], row["escalations"], len(row["measures"]), len(row["replies"])) == (
        2, 3, 3, 3)
    assert [f["satisfied"] for f in row["follow_ups"]] == [False, False, True]
    assert row["new_requirement"] == "100% inspection" and row["satisfied"] is True
    desk = row["departments"]["engineering"]
    assert (len(desk["investigations"]), len(desk["analyses"])) == (3, 3)


def test_a_minor_complaint_is_answered_by_sales_without_a_department() -> None:
    """rule: R-C2 — minor: sales handles it and replies; no department is involved."""
    row = fold(complaint_path("C-1", severity="minor")["sales"])
    assert (row["severity"], row["responsible"], row["escalated_at"], row["departments"]) == (
        "minor", None, None, {})
    assert [r["by"] for r in row["replies"]] == ["sales"] and row["status"] == "closed"
    open_row = fold(complaint_path("C-1", severity="needs_data", until="escalated")["sales"])
    assert (open_row["status"], open_row["escalation_purpose"], open_row["closed_at"]) == (
        "escalated", "data", None)


def test_every_entry_delivered_to_the_salesperson_is_counted() -> None:
    """rule: R-C5 — each new or changed entry goes to the responsible salesperson at once: a
    complaint taken in by the assistant with its salesperson named delivers every entry; one
    redirected from a department delivers from its registration on."""
    direct = complaint_path("C-1", salesperson="ben", until="form_signed")["sales"]
    row = fold(direct)
    entries = [e for e in direct if not isinstance(e, sc.ComplaintEntryDelivered)]
    assert row["entries_delivered"] == len(entries) == 8
    assert (row["delivered_to"], row["last_delivered_at"]) == ("ben", entries[-1].timestamp.isoformat())
    redirected = fold(complaint_path("C-2", redirected_from="production",
                                     until="form_signed")["sales"])
    assert redirected["entries_delivered"] == 6  # not the intake, nor the forwarding


def test_sample_order_and_month_events_leave_the_row_alone() -> None:
    """rule: R-C2 — the Complaint Summary holds complaints only."""
    row = fold(complaint_path("C-1")["sales"])
    before = copy.deepcopy(row)
    others = [*sample_path("C-1"), *(e for s in order_path("C-1").values() for e in s),
              *complaint_note("2026-11", "burrs again")]
    assert not any(complaint_summary.apply(row, e) for e in others)
    assert row == before


def complaint_events() -> list[DomainEvent]:
    dec = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December 07:30 in Shanghai
    return [e for no, kw in [("C-1", {}),
                             ("C-2", {"customer": "Bolt", "severity": "minor", "until": "replied"}),
                             ("C-3", {"salesperson": "cai", "start": dec,
                                      "redirected_from": "engineering"})]
            for s in complaint_path(no, **kw).values() for e in s]  # type: ignore[arg-type]


def test_the_table_filters_by_customer_status_salesperson_severity_and_company_month(
        store: ViewStore) -> None:
    """rule: R-C5 — the CS supervisor's and each salesperson's reading of the Complaint Summary;
    a complaint taken in at 07:30 on 1 December in Shanghai (23:30 UTC the day before) is
    December's."""
    events = complaint_events()
    projector = Projector(store, zone=ZoneInfo("Asia/Shanghai"))
    for items in by_stream(events).values():
        projector.apply(items)
    table = projector.models.complaints
    assert [r["complaint_no"] for r in table.rows(store)] == ["C-1", "C-2", "C-3"]
    assert [r["complaint_no"] for r in table.rows(store, customer="Bolt")] == ["C-2"]
    assert [r["complaint_no"] for r in table.rows(store, status="replied")] == ["C-2"]
    assert [r["complaint_no"] for r in table.rows(store, salesperson="cai")] == ["C-3"]
    assert [r["complaint_no"] for r in table.rows(store, severity="minor")] == ["C-2"]
    assert [r["complaint_no"] for r in table.rows(store, month="2026-12")] == ["C-3"]
    assert [r["complaint_no"] for r in table.rows(store, month="2026-11", severity="complex")] == [
        "C-1"]
    once = table.rows(store)
    for items in by_stream(events, first=1000).values():  # the streams read again: no change
        projector.apply(items)
    assert table.rows(store) == once
    assert fold([e for e in events if e.record_no == "C-3"], "C-3") == once[2]
    assert projector.models.orders.rows(store) == [] and projector.models.samples.rows(store) == []


def test_a_complaints_query_names_a_real_severity_and_month() -> None:
    """rule: R-C5"""
    with pytest.raises(ValidationError) as refused:
        ComplaintsQuery(severity="huge")  # type: ignore[arg-type]
    assert query_error(refused.value).field == "severity"
    with pytest.raises(ValidationError) as refused:
        ComplaintsQuery(month="2026-13")
    assert query_error(refused.value).field == "month"


async def test_salesflow_complaints_asks_with_its_filters_and_shows_stored_escapes_visibly(
        capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-C5 — `salesflow complaints --salesperson ... --severity ...` as the salesperson
    reads it; text stored before commands refused control characters reaches the terminal
    escaped."""
    row = fold(complaint_path("C-1", customer="ACME\x1b[2J", redirected_from="quality",
                              reopened=1)["sales"])
    client = AskingClient([row])
    args = main.parser().parse_args(["complaints", "--customer", "ACME", "--salesperson", "bob",
                                     "--severity", "complex", "--month", "2026-11"])
    assert await complaints.run(args, Settings(), client) == 0  # type: ignore[arg-type]
    assert client.asked == [(QUERY_COMPLAINTS, {"customer": "ACME", "month": "2026-11",
                                                "salesperson": "bob", "severity": "complex",
                                                **FIRST_PAGE})]
    out = capsys.readouterr().out
    assert "ACME\\x1b[2J" in out and "\x1b" not in out
    assert "No. 编号" in out and "closed 已结案" in out and "complex 复杂" in out
    assert "F-C-1 archived 已归档" in out and "verified 已确认" in out
    assert "from quality 转来, reopened 1x 重开" in out and "1 complaints / 共 1 条" in out
    await complaints.run(main.parser().parse_args(["complaints", "--json"]), Settings(), client)  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)[0]["customer"] == "ACME\x1b[2J"
    assert complaints_table([], UTC) == "no complaints yet / 暂无客诉"


async def test_salesflow_complaints_as_of_sends_the_moment_in_the_company_zone() -> None:
    """rule: R-C5 — the table the CS supervisor had at 16:00."""
    client = AskingClient([])
    args = main.parser().parse_args(["complaints", "--as-of", "2026-11-03 16:00"])
    await complaints.run(args, Settings(), client)  # type: ignore[arg-type]
    assert client.asked == [(QUERY_COMPLAINTS, {"as_of": "2026-11-03T16:00:00+08:00",
                                                **FIRST_PAGE})]


async def test_the_month_note_is_written_by_technical_support(
        capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-C6 — `salesflow note-complaint-month` sends technical support's note."""
    sent: list[tuple[str, str, Any]] = []

    class Reply:
        error = None

    class Commanding:
        async def command(self, department: str, name: str, payload: Any) -> Reply:
            sent.append((department, name, payload))
            return Reply()

    args = main.parser().parse_args(["note-complaint-month", "2026-11", "burrs from die 7",
                                     "--user", "tina"])
    assert await complaints.run(args, Settings(), Commanding()) == 0  # type: ignore[arg-type]
    assert sent == [("sales", "note_complaint_month", {
        "actor": {"user": "tina", "role": Role.TECHNICAL_SUPPORT.value}, "month": "2026-11",
        "text": "burrs from die 7"})]
    assert "noted under 2026-11" in capsys.readouterr().out
