"""Local timers (``SALESFLOW_TIMERS=local``): for a NATS server without message schedules, the
services fire their timers themselves, rebuilt from their stores when they become active."""
from __future__ import annotations

import asyncio
from datetime import datetime

import nats
import pytest

from contracts.subjects import stream_name
from contracts.timers import TIMERS_STREAM, TimerDue
from events.envelope import Department
from events.sla import SlaBreached
from services.cli.client import Client
from services.cli.demo import Demo
from services.runtime.settings import Settings
from tests.integration.system import running, until
from tests.integration.test_sla_live import (
    INTAKE_SECONDS,
    breaches,
    rebuilt_breaches,
    receive,
    sla_settings,  # noqa: F401 - the fixture
    watching,
)


@pytest.fixture
def local_settings(sla_settings: Settings) -> Settings:  # noqa: F811 - the fixture above
    return sla_settings.model_copy(update={"timers": "local"})


async def test_local_timers_raise_the_breach_on_time_and_after_a_restart_from_the_store(
        local_settings: Settings) -> None:
    """rule: R-C2 — with local timers the breach is stored within 1.5 s of its moment, no
    message schedule is used, and a deadline passed while the sla service was down is
    breached when it starts again (its timer rebuilt from its store), late, once."""
    nc = await nats.connect(local_settings.nats_url or "")
    demo = Demo(Client(nc), out=lambda *_: None)
    js = nc.jetstream()
    async with running(local_settings, ["sales", "sla"]), watching(
            nc, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await receive(demo, "L-1")
        await until(lambda: len(sla.of(SlaBreached.type_name(), record="L-1")) == 1,
                    "L-1's breach", timeout=INTAKE_SECONDS + 10)
        [(seen, breach)] = sla.of(SlaBreached.type_name(), record="L-1")
        delay = seen - datetime.fromisoformat(breach["moment"]).timestamp()
        assert 0 <= delay <= 1.5, f"breach seen {delay:.3f} s after its moment"
        await receive(demo, "L-2")
        await until(lambda: bool(sla.of("SlaClockMarked", record="L-2")), "L-2's clock")
    await asyncio.sleep(INTAKE_SECONDS + 1)  # L-2's deadline passes with nobody to fire it
    due = (await js.stream_info(TIMERS_STREAM, subjects_filter=TimerDue.subject_for(
        "sla_breached"))).state.subjects or {}
    assert sum(due.values()) == 1  # only L-1's: nothing scheduled on the server
    async with running(local_settings, ["sla"]), watching(
            nc, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await until(lambda: bool(sla.of(SlaBreached.type_name(), record="L-2")), "L-2's breach")
        [(_, late)] = sla.of(SlaBreached.type_name(), record="L-2")
        assert late["late_seconds"] > 1.0
        await asyncio.sleep(1.0)  # L-1's timer, rebuilt and fired again, raises nothing new
        assert len(sla.of(SlaBreached.type_name())) == 2
        assert breaches(sla) == await rebuilt_breaches(js, local_settings, datetime.now().astimezone())
    await nc.close()
