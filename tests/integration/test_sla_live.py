"""The SLA service's live alerts and 16:00 reports on a real nats-server (issue 9, items 5-7).

Round-the-clock calendar and a complaint intake allowance of a few seconds, so a clock started
by a complaint received now falls due within the test."""
from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import nats
import pytest

from contracts.calendar import WorkingCalendar
from contracts.subjects import HEADER_TYPE, stream_name
from contracts.timers import TIMERS_STREAM, TimerDue
from events.envelope import Department
from events.registry import REGISTRY
from events.sla import DailyReportIssued, SlaBreached
from projections.sla.clocks import marks_of
from projections.sla.engine import ClockRecord
from services.cli.client import Client
from services.cli.demo import Demo
from services.runtime.settings import Settings
from tests.integration.system import running, until

INTAKE_SECONDS = 4.0
ROUND_THE_CLOCK = {"SALESFLOW_CALENDAR_WEEKDAYS": "0,1,2,3,4,5,6",
                   "SALESFLOW_CALENDAR_PERIODS": "00:00-24:00",
                   "SALESFLOW_CALENDAR_CHINESE_HOLIDAYS": "0"}


@pytest.fixture
def sla_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name, value in ROUND_THE_CLOCK.items():
        monkeypatch.setenv(name, value)
    return settings.model_copy(update={
        "sla_hours": f"SLA-COMPLAINT-INTAKE={INTAKE_SECONDS / 3600!r}"})


class Watch:
    """Every message of a stream as it is stored, with the wall time it was seen."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str, dict[str, Any]]] = []

    async def cb(self, msg: Any) -> None:
        self.seen.append((time.time(), (msg.headers or {}).get(HEADER_TYPE, msg.subject),
                          json.loads(msg.data)))
        await msg.ack()

    def of(self, type_name: str, **facts: Any) -> list[tuple[float, dict[str, Any]]]:
        return [(at, body) for at, key, body in self.seen if key.startswith(type_name)
                and all(body.get(k) == v for k, v in facts.items())]


@asynccontextmanager
async def watching(nc: Any, stream: str, subject: str) -> AsyncIterator[Watch]:
    watch = Watch()
    sub = await nc.jetstream().subscribe(subject, stream=stream, cb=watch.cb, ordered_consumer=True)
    yield watch
    await asyncio.wait_for(sub.unsubscribe(), 10.0)  # a hang here must fail, not stall the suite


async def receive(demo: Demo, no: str) -> None:
    await demo.send("sales", "receive_complaint", "salesperson", complaint_no=no, channel="phone",
                    customer="Xiamen Optics 厦门光学", summary="burrs 毛刺", salesperson="bob")


async def register(demo: Demo, no: str) -> None:
    await demo.send("sales", "forward_complaint", "salesperson", complaint_no=no, to="tina")
    await demo.send("sales", "register_complaint", "tech", complaint_no=no,
                    customer="Xiamen Optics 厦门光学", salesperson="bob", product_model="G-7",
                    problem="burrs 毛刺", category="burr")


async def stream_events(js: Any, department: Department) -> list[Any]:
    state = (await js.stream_info(stream_name(department))).state
    found: list[Any] = []
    if not state.messages:
        return found
    for seq in range(state.first_seq, state.last_seq + 1):
        msg = await js.get_msg(stream_name(department), seq)
        found.append(REGISTRY.decode_json((msg.headers or {})[HEADER_TYPE], msg.data))
    return found


async def rebuilt_breaches(js: Any, settings: Settings, now: datetime) -> set[tuple[str, ...]]:
    """The breaches the pure engine computes from the departments' streams (rule R-C2's clock
    and every other): runs with a deadline by ``now`` not stopped by it."""
    records: dict[tuple[str, str], ClockRecord] = defaultdict(ClockRecord)
    hours = settings.sla_hour_overrides()
    for department in (Department.SALES, Department.PRODUCTION):
        for event in await stream_events(js, department):
            for spec, record, mark in marks_of(event, hours):
                records[(spec.id, record)].add(mark)
    calendar = WorkingCalendar.from_env(dict(ROUND_THE_CLOCK))
    return {(clock, record, status.run, status.due.isoformat())
            for (clock, record), marks in records.items()
            for status in marks.evaluate(calendar, now)
            if status.due is not None and status.due <= now
            and (status.stopped is None or status.stopped > status.due)}


def breaches(watch: Watch) -> set[tuple[str, ...]]:
    return {(b["clock"], b["record"], b["run"], datetime.fromisoformat(b["moment"]).isoformat())
            for _, b in watch.of(SlaBreached.type_name())}


async def test_breaches_are_raised_live_on_restart_and_as_a_rebuild_computes_them(
        sla_settings: Settings) -> None:
    """rule: R-C2 — a complaint not registered within its allowance is breached: the
    ``SlaBreached`` is stored within 1.5 s of the deadline; one registered in time never is; one
    whose deadline passed while the SLA service was down is breached on restart, late; and the
    breaches equal what the pure clock fold computes from the departments' streams."""
    nc = await nats.connect(sla_settings.nats_url or "")
    demo = Demo(Client(nc), out=lambda *_: None)
    js = nc.jetstream()
    async with running(sla_settings, ["sales", "sla"]), watching(
            nc, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await receive(demo, "C-1")
        await receive(demo, "C-2")
        await register(demo, "C-2")
        await until(lambda: len(sla.of(SlaBreached.type_name(), record="C-1")) == 1,
                    "C-1's breach", timeout=INTAKE_SECONDS + 10)
        [(seen, breach)] = sla.of(SlaBreached.type_name(), record="C-1")
        moment = datetime.fromisoformat(breach["moment"])
        delay = seen - moment.timestamp()
        assert 0 <= delay <= 1.5, f"breach seen {delay:.3f} s after its moment"
        assert breach["late_seconds"] < 1.0
        await receive(demo, "C-3")
        await until(lambda: bool(sla.of("SlaClockMarked", record="C-3")), "C-3's clock")
    # The SLA service is down across C-3's deadline: its timer fires into the timers stream.
    async with watching(nc, TIMERS_STREAM, TimerDue.subject_for("sla_breached")) as timers:
        await until(lambda: any(body["key"].endswith(".C-3.1") for _, _, body in timers.seen),
                    "C-3's breach timer to fire", timeout=INTAKE_SECONDS + 10)
    async with running(sla_settings, ["sla"]), watching(
            nc, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await until(lambda: bool(sla.of(SlaBreached.type_name(), record="C-3")), "C-3's breach")
        [(_, late)] = sla.of(SlaBreached.type_name(), record="C-3")
        assert late["late_seconds"] > 0
        await asyncio.sleep(0.5)  # anything else it would wrongly raise has come by now
        live = breaches(sla)
        assert sla.of(SlaBreached.type_name(), record="C-2") == []
        rebuilt = await rebuilt_breaches(js, sla_settings, datetime.now(UTC))
        assert {b[1] for b in rebuilt} == {"C-1", "C-3"}
        assert live == rebuilt
    await nc.close()


def fake_offset(target: datetime) -> float:
    """The clock offset that makes the SLA service's clock read ``target`` now."""
    return (target - datetime.now(UTC)).total_seconds()


async def test_the_1600_report_is_issued_on_time_and_late_after_a_downtime(
        sla_settings: Settings) -> None:
    """rule: R-S5, R-O5, R-C5 — at 16:00 (company zone; the time of day injected through the
    SLA service's clock offset) the three summaries are issued within 1.5 s; with the service
    down across the next working day's 16:00, that day's reports are issued on start, late by
    the gap."""
    zone = WorkingCalendar.from_env(dict(ROUND_THE_CLOCK)).zone
    day = date(2026, 6, 1)
    four = datetime.combine(day, clock_time(16), tzinfo=ZoneInfo(zone))
    nc = await nats.connect(sla_settings.nats_url or "")
    early = sla_settings.model_copy(update={
        "clock_offset_seconds": fake_offset(four - timedelta(seconds=3))})
    async with running(early, ["sla"]), watching(
            nc, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await until(lambda: len(sla.of(DailyReportIssued.type_name())) == 3, "the 16:00 reports")
        issued = sla.of(DailyReportIssued.type_name())
        assert sorted(b["rule"] for _, b in issued) == ["R-C5", "R-O5", "R-S5"]
        for seen, body in issued:
            assert datetime.fromisoformat(body["as_of"]) == four
            assert 0 <= seen - (four.timestamp() - early.clock_offset_seconds) <= 1.5
            assert body["late_seconds"] < 1.5
    gap = 3600.0
    later = sla_settings.model_copy(update={
        "clock_offset_seconds": fake_offset(four + timedelta(days=1, seconds=gap))})
    async with running(later, ["sla"]), watching(
            nc, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await until(lambda: len(sla.of(DailyReportIssued.type_name())) == 6, "the missed reports")
        missed = [b for _, b in sla.of(DailyReportIssued.type_name())
                  if b["day"] == (day + timedelta(days=1)).isoformat()]
        assert len(missed) == 3
        assert all(gap <= b["late_seconds"] <= gap + 5 for b in missed)
        await asyncio.sleep(0.5)
        assert len(sla.of(DailyReportIssued.type_name())) == 6  # each day once
    await nc.close()
