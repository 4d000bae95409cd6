"""The daily 16:00 pack (R-S5, R-O5, R-C5) and the meeting packs (R-M1, R-M2): which moment
they read the tables at, which rows they keep, and the meeting (and its move) on the first sheet.
The read models are stood in for by their answers."""
from __future__ import annotations

import asyncio
import io
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from openpyxl import Workbook

from contracts import subjects as s
from contracts.calendar import WorkingCalendar
from services.reports import packs
from services.reports.meetings import weekly_meeting
from services.reports.workbook import to_bytes
from tests.unit.calendar_entries import holiday

ZONE = ZoneInfo("Asia/Shanghai")
CALENDAR = WorkingCalendar()
LATER = datetime(2026, 12, 31, tzinfo=UTC)


def sample(no: str, at: str) -> dict[str, Any]:
    return {"request_no": no, "requested_at": at, "status": "requested", "round": 1}


def run(record: str, state: str, due: str, department: str) -> dict[str, Any]:
    return {"record": record, "clock": "SLA-PMC-REPLY", "state": state, "due": due,
            "department": department, "title_en": "PMC reply", "title_zh": "PMC回复"}


class Answers:
    """The projections' answers by subject, and the queries asked."""

    def __init__(self, **answers: Any) -> None:
        self.answers: dict[str, Any] = {s.QUERY_SAMPLES: [], s.QUERY_ORDERS: [],
                                        s.QUERY_COMPLAINTS: [], s.QUERY_SLA: [],
                                        s.QUERY_CALENDAR: {"entries": []},
                                        s.QUERY_MEETING_INPUTS: {"items": []}, **answers}
        self.asked: list[tuple[str, dict[str, Any]]] = []

    async def __call__(self, subject: str, query: dict[str, Any]) -> Any:
        self.asked.append((subject, query))
        return self.answers[subject]


def reopened(book: Workbook) -> Workbook:
    return openpyxl.load_workbook(io.BytesIO(to_bytes(book)))


def column_a(book: Workbook, sheet: str) -> list[Any]:
    return [c.value for c in book[sheet]["A"]]


async def test_the_daily_pack_reads_the_three_tables_as_they_stood_at_four_pm() -> None:
    """rule: R-S5, R-O5, R-C5"""
    ask = Answers()
    book = reopened(await packs.build(ask, "daily", "2026-11-27", CALENDAR, LATER, "zh"))
    assert book.sheetnames == ["打样 Samples", "订单 Orders", "客诉 Complaints"]
    four_pm = datetime(2026, 11, 27, 16, tzinfo=ZONE).isoformat()
    assert [q for _, q in ask.asked[1:]] == [{"as_of": four_pm}] * 3
    assert "截至 2026-11-27 16:00 的表" in column_a(book, "订单 Orders")[2]


async def test_a_daily_pack_made_before_four_pm_reads_the_tables_now_and_says_so() -> None:
    """rule: R-S5, R-O5, R-C5"""
    ask = Answers()
    now = datetime(2026, 11, 27, 5, tzinfo=UTC)  # 13:00 in Shanghai
    book = reopened(await packs.build(ask, "daily", "2026-11-27", CALENDAR, now, "en"))
    assert [q for _, q in ask.asked[1:]] == [{}] * 3
    assert "(2026-11-27 16:00 has not come yet)" in column_a(book, "打样 Samples")[2]


async def test_the_weekly_pack_of_national_day_week_names_the_moved_meeting_and_keeps_its_week() -> None:
    """rule: R-M1 (2026-W40: Saturday 3 October is a holiday, the meeting is Wednesday 30 September)"""
    ask = Answers(**{
        s.QUERY_SAMPLES: [sample("S-IN", "2026-09-28T01:00:00+00:00"),
                          sample("S-BEFORE", "2026-09-27T15:00:00+00:00"),  # 23:00 Sunday
                          sample("S-NEXT", "2026-10-04T16:30:00+00:00")],  # Monday 00:30 in Shanghai
        s.QUERY_SLA: [run("O-1", "breached", "2026-09-29T02:00:00+00:00", "production"),
                      run("O-2", "met", "2026-09-29T03:00:00+00:00", "production"),
                      run("O-3", "at_risk", "2026-10-09T03:00:00+00:00", "sales"),
                      run("O-4", "breached", "2026-09-20T03:00:00+00:00", "sales")]})
    book = reopened(await packs.build(ask, "weekly", "2026-W40", CALENDAR, LATER, "zh"))
    assert book.sheetnames[0] == packs.COVER_SHEET
    cover = column_a(book, packs.COVER_SHEET)
    assert cover[0] == "周销售例会资料 2026-W40 (R-M1)"
    assert "2026-10-03（星期六）为法定节假日（国庆节）" in cover[1]
    assert cover[1].startswith("周销售例会（R-M1）：2026-09-30（星期三） 09:30")
    assert cover[2] == "资料截止 2026-09-30 08:30"
    due = datetime(2026, 9, 30, 8, 30, tzinfo=ZONE).isoformat()
    assert (s.QUERY_SLA, {"as_of": due}) in ask.asked
    sheet = book[packs.COVER_SHEET]
    figures = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(1, sheet.max_row + 1)}
    assert figures["新增打样"] == 1 and figures["时限违规"] == 1
    assert figures["未结事项（计时中）"] == 1 and figures["时限达成率 / production"] == 0.5
    assert "S-IN" in column_a(book, "打样 Samples") and "S-BEFORE" not in column_a(book, "打样 Samples")
    sla = column_a(book, packs.SLA_SHEET)
    assert sla.index("O-1") < sla.index("O-3") and "O-4" not in sla


async def test_the_monthly_pack_of_a_mid_autumn_september_meets_on_thursday_with_month_analyses() -> None:
    """rule: R-M2 (the last Friday, 25 September 2026, is the Mid-autumn Festival)"""
    month = {"month": "2026-09", "notes": [{"noted_at": "2026-09-24T01:00:00+00:00",
                                            "noted_by": "amy", "text": "more dies 增加刀模"}]}
    ask = Answers(**{s.QUERY_SAMPLE_MONTH: {**month, "samples": 4},
                     s.QUERY_ORDER_MONTH: {**month, "orders": 2},
                     s.QUERY_COMPLAINT_MONTH: {**month, "complaints": 1}})
    book = reopened(await packs.build(ask, "monthly", "2026-09", CALENDAR, LATER, "en"))
    cover = column_a(book, packs.COVER_SHEET)
    assert cover[0] == "Monthly sales meeting pack 2026-09 (R-M2)"
    assert "Thursday 2026-09-24 14:00" in cover[1] and "Mid-autumn Festival" in cover[1]
    assert cover[2] == "Pack due 2026-09-24 13:00"
    for sheet, figure in (("打样 Samples", "Samples"), ("订单 Orders", "Orders"),
                          ("客诉 Complaints", "Complaints")):
        found = column_a(book, sheet)
        assert "Month-end analysis 2026-09" in found and figure in found
        assert "Month-end notes" in found


def test_a_company_calendar_entry_from_the_system_moves_a_meeting() -> None:
    """rule: R-M1 (the company's own holiday, served by the calendar query)"""
    entry = holiday(date(2026, 3, 14), name="stocktaking")
    ask = Answers(**{s.QUERY_CALENDAR: {"entries": [
        {"type": entry.type_key(), "event": entry.model_dump(mode="json")}]}})
    calendar = asyncio.run(packs.company_calendar(ask, CALENDAR))
    assert weekly_meeting("2026-W11", calendar).moved_from is not None
