"""The company calendar as records on a real nats-server: an admin declares a holiday through the
sla service; the projections answer it in the calendar query, and a department service (which
counts its R-S7 delay notices in it) follows it on the SLA stream (issue 9)."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import nats

from contracts.calendar import WorkingCalendar
from contracts.subjects import QUERY_CALENDAR, status_subject
from events.registry import REGISTRY
from events.sla import HolidayDeclared
from services.cli.client import Client
from services.runtime.calendar_feed import CalendarFeed
from services.runtime.settings import Settings
from tests.integration.system import request, running, until

ADMIN = {"user": "root", "role": "admin"}


def next_working_day(calendar: WorkingCalendar) -> date:
    """The first working day after today in the company's zone: a holiday there changes it."""
    day = datetime.now(ZoneInfo(calendar.zone)).date() + timedelta(days=2)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


async def test_a_declared_holiday_reaches_the_projections_and_the_department_services(
        settings: Settings) -> None:
    """rule: R-S7 — production counts its 4 working hours' delay notice in the company's calendar."""
    assert settings.nats_url is not None
    base = WorkingCalendar.from_env(os.environ)
    day = next_working_day(base)
    async with running(settings, ["sla", "production", "projections"]):
        nc = await nats.connect(settings.nats_url)
        client = Client(nc)
        try:
            refused = await client.command("sla", "declare_holiday", {
                "actor": {"user": "pam", "role": "pmc_planner"}, "first_day": day.isoformat(),
                "last_day": day.isoformat(), "title": "stocktaking 盘点"})
            assert refused.error is not None and refused.error.kind == "forbidden"
            reply = await client.command("sla", "declare_holiday", {
                "actor": ADMIN, "first_day": day.isoformat(), "last_day": day.isoformat(),
                "title": "stocktaking 盘点"})
            assert reply.ok, reply.error and reply.error.sentence()

            async def projected() -> bool:
                return bool((await request(nc, QUERY_CALENDAR, {}))["entries"])

            await until(projected, "the holiday in the calendar query")
            (entry,) = (await request(nc, QUERY_CALENDAR, {}))["entries"]
            event = REGISTRY.decode(entry["type"], entry["event"])
            assert isinstance(event, HolidayDeclared) and event.first_day == day
            assert entry["declared_by"] == "root"
            assert not base.with_entries([event]).is_working_day(day)

            async def production_follows() -> bool:
                state = await request(nc, status_subject("production"), {})
                return bool(state["calendar"]["from_feed"] and state["calendar"]["entries"] == 1)

            await until(production_follows, "production to read the holiday from the SLA stream")

            # A service started later replays the entry from the stream before it counts.
            feed = CalendarFeed(base)
            try:
                assert await feed.start(nc.jetstream(), patience=10.0)
                assert feed.entries == 1 and not feed.current().is_working_day(day)
                # ... and keeps following: a make-up day declared now reaches it too.
                sunday = day + timedelta(days=(6 - day.weekday()) or 7)
                if not feed.current().is_working_day(sunday):
                    made_up = await client.command("sla", "declare_workday", {
                        "actor": ADMIN, "day": sunday.isoformat(), "title": "make-up 调休"})
                    assert made_up.ok, made_up.error and made_up.error.sentence()
                    await until(lambda: feed.current().is_working_day(sunday),
                                "the feed to follow the make-up day")
            finally:
                await feed.stop()
        finally:
            await nc.close()
