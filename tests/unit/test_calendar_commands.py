"""The company calendar's admin commands: who may give them, their bounds, the from-tomorrow rule,
and nothing stored on a refusal (issue 9, the company calendar as records)."""
from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.replies import CommandReply
from services.runtime.commands import CommandBus
from services.sla.application import SlaApplication
from services.sla.wiring import SPEC

# Tuesday 1 December 2026, 10:00 in Shanghai; 02:00 UTC. No public holiday near it.
NOW = datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
ADMIN = {"user": "root", "role": "admin"}
HOLIDAY = {"actor": ADMIN, "first_day": "2026-12-03", "last_day": "2026-12-04",
           "title": "company trip 团建"}
WORKDAY = {"actor": ADMIN, "day": "2026-12-06", "title": "make-up day 调休"}
HOURS = {"actor": ADMIN, "effective_from": "2026-12-07", "weekdays": [0, 1, 2, 3, 4],
         "periods": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}]}


class Desk:
    """The SLA application on the in-memory store, its command bus, at a clock the test sets."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now
        self.app = SlaApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"},
                                  clock=lambda: self.now)
        self.bus = CommandBus(self.app, SPEC.commands)

    async def send(self, name: str, body: dict[str, Any]) -> CommandReply:
        return await self.bus.handle(name, json.dumps(body).encode())

    def stored(self) -> int:
        return self.app.recorder.max_notification_id() or 0  # type: ignore[attr-defined]


@pytest.fixture
def desk() -> Desk:
    return Desk()


def refused(reply: CommandReply, kind: str, field: str) -> str:
    error = reply.error
    assert not reply.ok and error is not None, reply
    assert (error.kind, error.field, error.rule) == (kind, field, None), error.sentence()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error.message_zh)
    return error.sentence()


async def test_an_admin_declares_a_holiday_and_the_company_calendar_takes_it(desk: Desk) -> None:
    assert desk.app.company_calendar().is_working_day(date(2026, 12, 3))
    reply = await desk.send("declare_holiday", HOLIDAY)
    assert reply.ok and [e.type for e in reply.events] == ["HolidayDeclared"]
    calendar = desk.app.company_calendar()
    assert not calendar.is_working_day(date(2026, 12, 3))
    assert not calendar.is_working_day(date(2026, 12, 4))
    assert calendar.is_working_day(date(2026, 12, 5))
    assert desk.app.calendar is calendar  # what the SLA clocks count in


async def test_a_make_up_day_and_new_hours_change_the_company_calendar(desk: Desk) -> None:
    assert (await desk.send("declare_workday", WORKDAY)).ok
    assert (await desk.send("change_working_hours", HOURS)).ok
    calendar = desk.app.company_calendar()
    assert calendar.is_working_day(date(2026, 12, 6))  # a Sunday
    assert not calendar.is_working_day(date(2026, 12, 12))  # Saturday, no longer worked
    assert calendar.periods_on(date(2026, 12, 7)) == ((time(9), time(12)), (time(13), time(18)))
    assert calendar.periods_on(date(2026, 12, 4)) == ((time(8), time(12)), (time(13), time(17)))


@pytest.mark.parametrize("role", ["salesperson", "pmc_planner", "system"])
async def test_only_an_admin_may_change_the_calendar(desk: Desk, role: str) -> None:
    for name, body in (("declare_holiday", HOLIDAY), ("declare_workday", WORKDAY),
                       ("change_working_hours", HOURS)):
        reply = await desk.send(name, {**body, "actor": {"user": "eve", "role": role}})
        assert "admin" in refused(reply, "forbidden", "actor.role")
    assert desk.stored() == 0


@pytest.mark.parametrize(("name", "body", "field"), [
    ("declare_holiday", {**HOLIDAY, "first_day": "2026-12-01", "last_day": "2026-12-01"},
     "first_day"),  # today
    ("declare_holiday", {**HOLIDAY, "first_day": "2026-11-30", "last_day": "2026-12-03"},
     "first_day"),  # reaches back
    ("declare_workday", {**WORKDAY, "day": "2026-11-29"}, "day"),
    ("change_working_hours", {**HOURS, "effective_from": "2026-12-01"}, "effective_from"),
])
async def test_a_change_takes_effect_from_tomorrow_at_the_earliest(
        desk: Desk, name: str, body: dict[str, Any], field: str) -> None:
    """A changed calendar never silently recomputes history: nothing today or before moves."""
    assert "tomorrow (2026-12-02)" in refused(await desk.send(name, body), "rule", field)
    assert desk.stored() == 0


async def test_tomorrow_is_the_company_zones_tomorrow() -> None:
    """At 23:30 UTC on 1 December it is already 2 December in Shanghai: the 2nd is today."""
    desk = Desk(datetime(2026, 12, 1, 23, 30, tzinfo=ZoneInfo("UTC")))
    body = {**HOLIDAY, "first_day": "2026-12-02", "last_day": "2026-12-02"}
    refused(await desk.send("declare_holiday", body), "rule", "first_day")
    assert (await desk.send("declare_holiday", {**body, "first_day": "2026-12-03",
                                                "last_day": "2026-12-03"})).ok


@pytest.mark.parametrize(("name", "body", "field"), [
    ("declare_holiday", {**HOLIDAY, "first_day": "2026-12-06", "last_day": "2026-12-06"},
     "first_day"),  # a Sunday is off already
    ("declare_workday", {**WORKDAY, "day": "2026-12-07"}, "day"),  # a Monday is on already
    ("change_working_hours", {**HOURS, "weekdays": [5, 4, 3, 2, 1, 0],
                              "periods": [{"start": "08:00", "end": "12:00"},
                                          {"start": "13:00", "end": "17:00"}]},
     "effective_from"),  # the hours that hold already
])
async def test_an_entry_that_changes_nothing_is_refused(
        desk: Desk, name: str, body: dict[str, Any], field: str) -> None:
    assert "already" in refused(await desk.send(name, body), "rule", field)
    assert desk.stored() == 0


async def test_a_later_entry_for_the_same_day_wins(desk: Desk) -> None:
    """A holiday declared after a make-up day on that date removes it, and the other way round."""
    assert (await desk.send("declare_workday", WORKDAY)).ok
    sunday = {**HOLIDAY, "first_day": "2026-12-05", "last_day": "2026-12-06"}
    assert (await desk.send("declare_holiday", sunday)).ok
    assert not desk.app.company_calendar().is_working_day(date(2026, 12, 6))
    assert (await desk.send("declare_workday", WORKDAY)).ok
    assert desk.app.company_calendar().is_working_day(date(2026, 12, 6))
    assert not desk.app.company_calendar().is_working_day(date(2026, 12, 5))


@pytest.mark.parametrize(("name", "body", "field", "words"), [
    ("declare_holiday", {**HOLIDAY, "last_day": "2026-12-02"}, "last_day", "before first_day"),
    ("declare_holiday", {**HOLIDAY, "last_day": "2027-01-03"}, "last_day", "at most 31 days"),
    ("declare_holiday", {**HOLIDAY, "first_day": "2029-01-01", "last_day": "2029-01-02"},
     "first_day", "on or before"),
    ("declare_holiday", {**HOLIDAY, "first_day": "2020-01-01"}, "first_day", "on or after"),
    ("declare_holiday", {**HOLIDAY, "title": ""}, "title", "at least 1"),
    ("declare_holiday", {**HOLIDAY, "title": "x" * 81}, "title", "at most 80"),
    ("declare_workday", {**WORKDAY, "day": "9999-12-31"}, "day", "on or before"),
    ("change_working_hours", {**HOURS, "weekdays": [0, 7]}, "weekdays.1", "less than or equal"),
    ("change_working_hours", {**HOURS, "weekdays": [1, 1]}, "weekdays", "twice"),
    ("change_working_hours", {**HOURS, "weekdays": []}, "weekdays", "at least 1"),
    ("change_working_hours", {**HOURS, "periods": [{"start": "13:00", "end": "17:00"},
                                                   {"start": "08:00", "end": "12:00"}]},
     "periods", "overlap"),
    ("change_working_hours", {**HOURS, "periods": [{"start": "08:00", "end": "13:00"},
                                                   {"start": "12:00", "end": "17:00"}]},
     "periods", "overlap"),
    ("change_working_hours", {**HOURS, "periods": [{"start": "12:00", "end": "08:00"}]},
     "periods.0", "ends after it starts"),
    ("change_working_hours", {**HOURS, "periods": []}, "periods", "at least 1"),
])
async def test_every_field_is_bounded(desk: Desk, name: str, body: dict[str, Any], field: str,
                                      words: str) -> None:
    sentence = refused(await desk.send(name, body), "validation", field)
    assert words in sentence
    assert desk.stored() == 0


async def test_a_holiday_of_31_days_is_accepted(desk: Desk) -> None:
    reply = await desk.send("declare_holiday", {**HOLIDAY, "first_day": "2026-12-02",
                                                "last_day": "2027-01-01"})
    assert reply.ok
