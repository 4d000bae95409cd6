"""The monthly sales meeting's inputs (R-M2): the managers' resource needs and improvements, by
item, withdrawn only by who entered them or a sales manager; the ``meeting_inputs`` read model;
and their sheet in the monthly meeting pack."""
from __future__ import annotations

import asyncio
import io
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from contracts.commands import meetings as cmd
from contracts.subjects import QUERY_MEETING_INPUTS
from events.envelope import Actor, Role
from events.sales import meeting as ev
from projections.projector import Projector
from projections.store import ViewStore
from services.domain import Context, Forbidden, Invalid, NotFound, RuleBroken
from services.reports import meeting_inputs as sheet
from services.reports.packs import section_sheet
from services.reports.workbook import new_workbook, to_bytes
from services.sales.application import SalesApplication
from services.sales.meeting_month import MeetingMonth, meeting_month_id
from tests.projection_events import by_stream
from tests.unit.builders import ctx

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
PRODUCTION = ev.MeetingDepartment.PRODUCTION


def month_of_inputs(month: str = "2026-11") -> MeetingMonth:
    return MeetingMonth(id=meeting_month_id(month))


def need(record: MeetingMonth, who: Context, month: str = "2026-11", summary: str = "a press",
         kind: type[ev.MeetingInputRecorded] = ev.ResourceNeedRecorded) -> str:
    return record.record(who, kind, month, TODAY, PRODUCTION, summary, "detail", "pam",
                         date(2027, 1, 15))


def test_a_sales_manager_enters_a_need_and_an_improvement_numbered_within_the_month() -> None:
    """rule: R-M2"""
    record = month_of_inputs()
    first = need(record, ctx(Role.SALES_MANAGER, "sam", NOW))
    second = need(record, ctx(Role.CS_SUPERVISOR, "cleo", NOW), summary="first-piece check",
                  kind=ev.ImprovementRecorded)
    events = record.collect_events()
    assert (first, second) == ("2026-11-001", "2026-11-002")
    assert [type(e) for e in events] == [ev.ResourceNeedRecorded, ev.ImprovementRecorded]
    assert events[0].for_department is PRODUCTION and events[0].owner == "pam"
    assert events[1].record_no == "2026-11-002" and events[1].actor.user == "cleo"


@pytest.mark.parametrize("role", [Role.SALESPERSON, Role.SALES_ASSISTANT, Role.TECHNICAL_SUPPORT,
                                  Role.PMC_PLANNER])
def test_only_the_three_managers_enter_meeting_inputs(role: Role) -> None:
    """rule: R-M2"""
    with pytest.raises(Forbidden) as refused:
        need(month_of_inputs(), ctx(role, "x", NOW))
    assert refused.value.rule == "R-M2" and "sales_manager" in refused.value.zh


def test_inputs_are_for_this_months_meeting_or_the_next_not_later() -> None:
    """rule: R-M2"""
    record = month_of_inputs("2026-12")
    assert need(record, ctx(Role.MARKETING_MANAGER, "mia", NOW), "2026-12") == "2026-12-001"
    with pytest.raises(RuleBroken) as refused:
        need(month_of_inputs("2027-01"), ctx(Role.MARKETING_MANAGER, "mia", NOW), "2027-01")
    assert refused.value.rule == "R-M2"
    assert "2027-01" in refused.value.en and "本月或下月" in refused.value.zh


def test_a_withdrawal_is_by_who_entered_the_item_or_a_sales_manager_and_only_once() -> None:
    """rule: R-M2"""
    record = month_of_inputs()
    mine = need(record, ctx(Role.CS_SUPERVISOR, "cleo", NOW))
    other = need(record, ctx(Role.CS_SUPERVISOR, "cleo", NOW))
    with pytest.raises(Forbidden) as refused:
        record.withdraw(ctx(Role.MARKETING_MANAGER, "mia", NOW), mine)
    assert refused.value.rule == "R-M2" and "cleo" in refused.value.zh
    record.withdraw(ctx(Role.CS_SUPERVISOR, "cleo", NOW), mine)
    record.withdraw(ctx(Role.SALES_MANAGER, "sam", NOW), other)
    with pytest.raises(RuleBroken) as again:
        record.withdraw(ctx(Role.SALES_MANAGER, "sam", NOW), mine)
    assert again.value.rule == "R-M2" and "already" in again.value.en and "已经撤回" in again.value.zh
    with pytest.raises(NotFound) as unknown:
        record.withdraw(ctx(Role.SALES_MANAGER, "sam", NOW), "2026-11-009")
    assert unknown.value.field == "item_id"
    assert [type(e) for e in record.collect_events()][-2:] == [ev.MeetingInputWithdrawn] * 2


def test_items_are_independent_in_time_but_a_withdrawal_is_not_before_its_item() -> None:
    """rule: R-M2 (a manager may date an entry before another's; occurred_at as elsewhere)"""
    record = month_of_inputs()
    item = need(record, ctx(Role.SALES_MANAGER, "sam", NOW))
    earlier = replace(ctx(Role.SALES_MANAGER, "sam", NOW - timedelta(days=2)), explicit=True)
    need(record, earlier)  # dated before the first item: accepted
    with pytest.raises(Invalid) as refused:
        record.withdraw(replace(earlier, now=NOW - timedelta(hours=1)), item)
    assert refused.value.field == "occurred_at"
    record.withdraw(ctx(Role.SALES_MANAGER, "sam", NOW - timedelta(hours=1)), item)
    assert record.collect_events()[-1].timestamp == NOW  # a clock a little behind: raised


def test_the_next_month_is_counted_in_the_companys_zone() -> None:
    """rule: R-M2 (01:00 on 1 December in Shanghai is still 30 November in UTC)"""
    app = SalesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    late = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    who = Context(actor=Actor(user="sam", role=Role.SALES_MANAGER), now=late,
                  correlation_id=uuid.uuid4())
    command = cmd.RecordResourceNeed.model_validate(
        {"actor": {"user": "sam", "role": "sales_manager"}, "month": "2027-01",
         "department": "sales", "summary": "two assistants"}, context={"now": late})
    refs = app.record_resource_need(command, who)
    assert [r.type for r in refs] == ["ResourceNeedRecorded"]


def loaded(store: ViewStore, events: list[Any], first: int = 1) -> Projector:
    projector = Projector(store, zone=SHANGHAI)
    for items in by_stream(events, first).values():
        projector.apply(items)
    return projector


def test_the_read_model_answers_a_months_standing_items_in_entry_order(store: ViewStore) -> None:
    """rule: R-M2"""
    november, december = month_of_inputs(), month_of_inputs("2026-12")
    need(november, ctx(Role.SALES_MANAGER, "sam", NOW))
    need(november, ctx(Role.CS_SUPERVISOR, "cleo", NOW), summary="8D training",
         kind=ev.ImprovementRecorded)
    need(november, ctx(Role.SALES_MANAGER, "sam", NOW), summary="dropped")
    november.withdraw(ctx(Role.SALES_MANAGER, "sam", NOW), "2026-11-003")
    need(december, ctx(Role.SALES_MANAGER, "sam", NOW), "2026-12")
    events = [*november.collect_events(), *december.collect_events()]
    projector = loaded(store, events)
    loaded(store, events, first=100)  # delivered again at later positions: nothing changes
    rows = projector.models.meeting_inputs.items(store, "2026-11")
    assert [(r["item_id"], r["kind"], r["summary"]) for r in rows] == [
        ("2026-11-001", "resource_need", "a press"), ("2026-11-002", "improvement", "8D training")]
    assert set(rows[0]) == {"item_id", "kind", "department", "summary", "detail", "owner", "due",
                            "recorded_by", "recorded_at"}
    assert rows[1]["recorded_by"] == "cleo" and rows[0]["due"] == "2027-01-15"
    assert rows[0]["department"] == "production"
    assert [r["item_id"] for r in projector.models.meeting_inputs.items(store, "2026-12")] == [
        "2026-12-001"]


ROWS = [
    {"item_id": "2026-11-002", "kind": "improvement", "department": "quality",
     "summary": "first-piece check", "detail": "", "owner": None, "due": None,
     "recorded_by": "cleo", "recorded_at": "2026-11-20T02:00:00+00:00"},
    {"item_id": "2026-11-001", "kind": "resource_need", "department": "production",
     "summary": "=a second press", "detail": "orders +30 %", "owner": "pam", "due": "2027-01-15",
     "recorded_by": "sam", "recorded_at": "2026-11-19T02:00:00+00:00"},
]


def test_the_packs_sheet_lists_the_needs_then_the_improvements_in_chinese() -> None:
    """rule: R-M2"""
    async def ask(subject: str, query: dict[str, Any]) -> Any:
        assert (subject, query) == (QUERY_MEETING_INPUTS, {"month": "2026-11"})
        return {"month": "2026-11", "items": ROWS}

    rows = asyncio.run(sheet.fetch(ask, "2026-11"))
    book = new_workbook()
    section_sheet(book, sheet.section(rows), "zh", SHANGHAI)
    ws = openpyxl.load_workbook(io.BytesIO(to_bytes(book)))[sheet.SHEET]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "资源需求与改进事项（R-M2）"
    assert values[2][:4] == ["编号", "类别", "部门", "摘要"]
    assert values[3][:5] == ["2026-11-001", "资源需求", "生产部", "=a second press", "orders +30 %"]
    assert ws.cell(4, 4).data_type == "s"  # text that looks like a formula stays text
    assert values[4][:3] == ["2026-11-002", "改进事项", "品质部"]
    assert values[3][8] == datetime(2026, 11, 19, 10, 0)  # Shanghai time


def test_an_empty_month_says_none_were_entered_in_english() -> None:
    book = new_workbook()
    section_sheet(book, sheet.section([]), "en", SHANGHAI)
    assert book[sheet.SHEET]["A3"].value == "(none entered)"
