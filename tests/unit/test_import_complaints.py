"""Importing the old Complaint Summary (客诉投诉汇总表, issue 12): a row's messy cells become one
``import_complaint``; sales records one ``ComplaintImported`` at the row's stage, idempotent for
the same row, refused for other facts; the live process goes on from the stage. The desks and
the summary row: test_import_complaint_desks.py."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.replies import CommandReply
from events.envelope import Actor, Department, DomainEvent, Role
from events.imports import ImportSource
from events.sales import complaint as ev
from projections import complaint_summary
from services.cli.complaints import COMPLAINT_COLUMNS
from services.imports import cells
from services.imports.complaints import STATUSES, TABLE
from services.runtime.commands import CommandBus
from services.sales.wiring import SPEC

# The guard test of test_reactions_idempotent.py counts these reactions as covered here.
REACTIONS_COVERED: dict[str, set[type[DomainEvent] | str]] = {
    "production": {ev.ComplaintImported}, "quality": {ev.ComplaintImported},
    "engineering": {ev.ComplaintImported}}
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
SOURCE = ImportSource(file_name="客诉2025.xlsx", file_sha256="ab" * 32, sheet="2025", row=2)
TINA = Actor(user="tina", role=Role.TECHNICAL_SUPPORT)
CLOSED_ROW: dict[str, Any] = {
    "complaint_no": "K-2025-001", "received_at": 45670.375,  # Excel serial: 2025-01-13 09:00
    "channel": "电话", "customer": "ACME", "salesperson": "bob", "product_model": "G－７",
    "shipping_date": "2025年1月3日", "batch": "B-3", "problem": "毛边 burr on the edge",
    "category": "burr", "severity": "严重", "responsible": "品质部",
    "form": "F-1 signed 已签核", "measures": "new die", "replied_at": "2025/1/16 10:30",
    "satisfaction": "verified 已确认", "closed_at": "2025-01-20", "status": "closed 已结案"}


def row_command(row: dict[str, Any], source: ImportSource = SOURCE) -> Any:
    return TABLE.to_command(row, source, TINA, ZONE, NOW)


def refusal(row: dict[str, Any]) -> cells.CellRefused:
    with pytest.raises(cells.CellRefused) as caught:
        row_command(row)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.zh)
    return caught.value


# -- to_command: messy cells ---------------------------------------------------------------------
def test_a_closed_row_with_serial_text_and_full_width_cells_reads_as_its_values() -> None:
    c = row_command(CLOSED_ROW)
    assert (c.complaint_no, c.stage, c.channel, c.product_model) == (
        "K-2025-001", "closed", "phone", "G-7")
    assert c.received_at == datetime(2025, 1, 13, 9, 0, tzinfo=ZONE)
    assert c.shipping_date.isoformat() == "2025-01-03"
    assert c.replied_at == datetime(2025, 1, 16, 10, 30, tzinfo=ZONE)
    assert c.closed_at == datetime(2025, 1, 20, tzinfo=ZONE)
    assert (c.severity, c.responsible, c.form_no, c.satisfied) == (
        ev.Severity.COMPLEX, "quality", "F-1", True)
    assert c.source == SOURCE and c.actor == TINA


@pytest.mark.parametrize(("cell", "stage"), [
    ("已结案", "closed"), ("Closed", "closed"), ("ＣＬＯＳＥＤ", "closed"),
    ("closed 已结案", "closed"), ("已转责任部门", "escalated"), ("escalated", "escalated"),
    ("处理中", "escalated"), ("已登记", "registered"), ("Registered 已登记", "registered"),
    ("重新处理", "reopened"), ("已回复客户", "replied"), ("满意度已确认", "verified")])
def test_statuses_are_read_in_chinese_english_and_the_export_s_form(cell: str, stage: str) -> None:
    row = {**CLOSED_ROW, "status": cell, "closed_at": CLOSED_ROW["closed_at"]
           if stage == "closed" else None}
    assert row_command(row).stage == stage


def test_every_status_the_summary_shows_is_accepted_as_exported() -> None:
    """The export writes "status status_zh" (``services.cli.complaints``): each imports back,
    except ``redirected`` (sales never took it in: nothing to import)."""
    for status, zh in complaint_summary.STATUS_ZH.items():
        if status == "redirected":
            continue
        assert cells.choice(f"{status} {zh}", "status", STATUSES) == status


@pytest.mark.parametrize(("cell", "severity"), [
    ("轻微", "minor"), ("minor 轻微", "minor"), ("Minor", "minor"), ("一般", "needs_data"),
    ("needs_data 需资料", "needs_data"), ("严重", "complex"), ("complex 复杂", "complex")])
def test_severities_are_read_in_both_languages(cell: str, severity: str) -> None:
    row = {**CLOSED_ROW, "severity": cell}
    if severity == "minor":
        row["responsible"] = "业务部"
    assert row_command(row).severity.value == severity


def test_a_row_without_status_is_closed_with_a_closed_date_else_registered_or_received() -> None:
    assert row_command({**CLOSED_ROW, "status": None}).stage == "closed"
    open_row = {**CLOSED_ROW, "status": None, "closed_at": None, "severity": None,
                "form": None, "responsible": None}
    assert row_command(open_row).stage == "registered"
    assert row_command({**open_row, "salesperson": None}).stage == "received"


def test_the_export_s_headers_are_all_accepted() -> None:
    """Each "English 中文" label of the export, and each half, names a field (Notes and SLA are
    the system's own columns and are not read)."""
    spelled = {cells.normalize(h) for spellings in TABLE.headers.values() for h in spellings}
    for field, label in COMPLAINT_COLUMNS:
        if field in ("marks", "flags"):
            continue
        english, chinese = label.split(" ", 1)
        for spelling in (label, english, chinese):
            assert cells.normalize(spelling) in spelled, spelling


@pytest.mark.parametrize(("changes", "field"), [
    ({"received_at": "2025-02-30"}, "received_at"), ({"received_at": None}, "received_at"),
    ({"received_at": "2030-01-01"}, "received_at"), ({"status": "lost"}, "status"),
    ({"severity": "huge"}, "severity"), ({"channel": "pigeon"}, "channel"),
    ({"customer": None}, "customer"), ({"complaint_no": "K 1"}, "complaint_no"),
    ({"closed_at": "yesterday"}, "closed_at"), ({"responsible": "finance"}, "responsible")])
def test_a_bad_cell_is_refused_naming_its_field_in_both_languages(changes: dict[str, Any],
                                                                  field: str) -> None:
    assert refusal({**CLOSED_ROW, **changes}).field == field


def test_a_stage_without_what_it_needs_is_refused_naming_the_field_r_c2() -> None:
    """R-C2: a complaint registered names its salesperson; a judged one that is not minor names
    the responsible department; an escalated one is not minor; R-C3: closed has its date."""
    assert refusal({**CLOSED_ROW, "salesperson": None}).field == "salesperson"
    assert refusal({**CLOSED_ROW, "responsible": None}).field == "responsible"
    escalated = {**CLOSED_ROW, "status": "escalated", "closed_at": None}
    assert "R-C2" in refusal({**escalated, "severity": "轻微"}).en
    assert refusal({**CLOSED_ROW, "closed_at": None, "status": "closed"}).field == "closed_at"
    assert refusal({**CLOSED_ROW, "status": "replied"}).field == "closed_at"


def test_a_reply_dated_before_the_complaint_was_received_is_refused() -> None:
    assert refusal({**CLOSED_ROW, "replied_at": "2025-01-02"}).field == "replied_at"


# -- the sales aggregate through the command bus -------------------------------------------------
def bus() -> CommandBus:
    app = SPEC.application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return CommandBus(app, SPEC.commands)


def stored(b: CommandBus) -> int:
    return b.app.recorder.max_notification_id() or 0  # type: ignore[attr-defined]


async def send(b: CommandBus, name: str, body: dict[str, Any],
               who: tuple[str, str] = ("tina", "technical_support")) -> CommandReply:
    return await b.handle(name, json.dumps({"actor": {"user": who[0], "role": who[1]},
                                            **body}, default=str).encode())


def body_of(row: dict[str, Any], source: ImportSource = SOURCE) -> dict[str, Any]:
    command = row_command(row, source)
    return command.model_dump(mode="json", exclude={"actor", "correlation_id", "command_id",
                                                    "occurred_at"})


async def test_an_import_stores_one_event_at_the_received_time_marked_with_its_source() -> None:
    b = bus()
    reply = await send(b, "import_complaint", body_of(CLOSED_ROW))
    assert reply.ok and [e.type for e in reply.events] == ["ComplaintImported"]
    record = b.app.complaint("K-2025-001")  # type: ignore[attr-defined]
    event = record.imported
    assert event.timestamp == datetime(2025, 1, 13, 9, 0, tzinfo=ZONE)
    assert event.source == SOURCE and event.actor.user == "tina"
    assert record.status == "closed" and stored(b) == 1


async def test_importing_the_same_row_or_the_same_facts_again_stores_nothing() -> None:
    b = bus()
    assert (await send(b, "import_complaint", body_of(CLOSED_ROW))).ok
    again = await send(b, "import_complaint", body_of(CLOSED_ROW))
    other_file = ImportSource(file_name="copy.xlsx", file_sha256="cd" * 32, sheet="S", row=9)
    copy = await send(b, "import_complaint", body_of(CLOSED_ROW, other_file))
    assert again.ok and copy.ok and again.events == [] and copy.events == []
    assert stored(b) == 1


async def test_other_facts_for_a_known_number_are_refused_as_a_conflict() -> None:
    b = bus()
    assert (await send(b, "import_complaint", body_of(CLOSED_ROW))).ok
    other = ImportSource(file_name="other.xlsx", file_sha256="ef" * 32, sheet="S", row=3)
    reply = await send(b, "import_complaint", body_of({**CLOSED_ROW, "customer": "Beta"}, other))
    assert not reply.ok and reply.error is not None
    assert (reply.error.kind, reply.error.field) == ("conflict", "complaint_no")
    assert "K-2025-001" in reply.error.message_en and "K-2025-001" in reply.error.message_zh
    assert stored(b) == 1


async def test_a_number_taken_in_live_is_not_imported_over() -> None:
    b = bus()
    assert (await send(b, "receive_complaint", {"complaint_no": "K-2025-001", "channel": "fax",
                                                "customer": "ACME", "summary": "burrs"},
                       ("amy", "sales_assistant"))).ok
    reply = await send(b, "import_complaint", body_of(CLOSED_ROW))
    assert reply.error is not None and reply.error.kind == "conflict"


async def test_only_technical_support_imports_the_complaint_summary_r_c2() -> None:
    """R-C2: technical support enters complaints in the Complaint Summary."""
    b = bus()
    reply = await send(b, "import_complaint", body_of(CLOSED_ROW), ("amy", "sales_assistant"))
    assert reply.error is not None and reply.error.kind == "forbidden"
    assert "R-C2" in (reply.error.rule or "") and stored(b) == 0


async def test_the_aggregate_refuses_a_stage_without_its_facts_r_c2() -> None:
    """R-C2: the rule holds at the aggregate too, for a command not built by the table."""
    b = bus()
    body = {**body_of(CLOSED_ROW), "stage": "escalated", "severity": "minor", "closed_at": None}
    reply = await send(b, "import_complaint", body)
    assert reply.error is not None and (reply.error.rule, reply.error.field) == ("R-C2",
                                                                                "severity")
    assert stored(b) == 0


OPEN_ROW = {**CLOSED_ROW, "complaint_no": "K-2025-002", "status": "已登记", "severity": None,
            "responsible": None, "form": None, "measures": None, "replied_at": None,
            "satisfaction": None, "closed_at": None}


async def test_a_registered_import_continues_through_the_live_commands_to_closing() -> None:
    """R-C2, R-C3: judged, form, signature, minor answer, follow-up, verification, closing."""
    b = bus()
    assert (await send(b, "import_complaint", body_of(OPEN_ROW))).ok
    no, tina, sue, bob = ({"complaint_no": "K-2025-002"}, ("tina", "technical_support"),
                          ("sue", "cs_supervisor"), ("bob", "salesperson"))
    for name, fields, who in [
            ("judge_complaint_severity", {"severity": "minor"}, tina),
            ("fill_complaint_form", {"form_no": "F-9", "handling": "replace"}, tina),
            ("sign_complaint_form", {}, sue),
            ("answer_minor_complaint", {"reply": "replacement sent"}, bob),
            ("record_complaint_follow_up", {"satisfied": True, "note": "ok now"}, tina),
            ("verify_satisfaction", {}, sue), ("close_complaint", {}, sue)]:
        reply = await send(b, name, {**no, **fields}, who)
        assert reply.ok, (name, reply.error)
    assert b.app.complaint("K-2025-002").status == "closed"  # type: ignore[attr-defined]


async def test_an_import_escalated_waits_for_the_department_s_analysis() -> None:
    b = bus()
    row = {**CLOSED_ROW, "complaint_no": "K-2025-003", "status": "escalated", "closed_at": None,
           "measures": None, "replied_at": None, "satisfaction": None}
    assert (await send(b, "import_complaint", body_of(row))).ok
    record = b.app.complaint("K-2025-003")  # type: ignore[attr-defined]
    assert (record.status, record.escalated_to, record.form_no) == (
        "escalated", Department.QUALITY, "F-1")
