"""The SLA service's failure branches on a real nats-server: its start-up step with the store
away, and a local timer whose publish fails. Nothing is lost; nothing lands twice."""
from __future__ import annotations

import asyncio
from typing import Any

import nats
import nats.errors
import pytest
from eventsourcing.persistence import OperationalError

from contracts.subjects import stream_name
from contracts.timers import TIMERS_STREAM, TimerDue
from events.envelope import Department
from events.sla import DailyReportScheduled, SlaBreached
from services.cli.client import Client
from services.cli.demo import Demo
from services.runtime.settings import Settings
from services.sla.application import SlaApplication
from tests.integration.system import running, until
from tests.integration.test_sla_live import (
    INTAKE_SECONDS,
    receive,
    sla_settings,  # noqa: F401 - the fixture
    watching,
)


async def test_the_start_up_step_is_tried_again_while_the_store_is_away(
        sla_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """rule: R-S5, R-O5, R-C5 — the first two tries to schedule the 16:00 report meet a store
    outage: the copy tries again, and the report is scheduled exactly once."""
    real, tries = SlaApplication.issue_missed_reports, 0

    def outage_twice(self: SlaApplication, attempts: int = 10) -> int:
        nonlocal tries
        tries += 1
        if tries <= 2:
            raise OperationalError("database is locked")
        return real(self, attempts)

    monkeypatch.setattr(SlaApplication, "issue_missed_reports", outage_twice)
    nc = await nats.connect(sla_settings.nats_url or "")
    async with running(sla_settings, ["sla"]), watching(
            nc, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await until(lambda: bool(sla.of(DailyReportScheduled.type_name())), "the schedule", 15)
        await asyncio.sleep(0.5)
        assert tries == 3 and len(sla.of(DailyReportScheduled.type_name())) == 1
    await nc.close()


async def test_a_local_timer_whose_publish_fails_is_published_again_and_lands_once(
        sla_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """rule: R-C2 — with local timers, the first two publishes of the breach timer time out: it
    is published again, the breach is raised, and one TimerDue is in the timers stream."""
    from nats.js.client import JetStreamContext

    real, failures = JetStreamContext.publish, 0

    async def timing_out(self: JetStreamContext, subject: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal failures
        if subject == TimerDue.subject_for("sla_breached") and failures < 2:
            failures += 1
            raise nats.errors.TimeoutError
        return await real(self, subject, *args, **kwargs)

    monkeypatch.setattr(JetStreamContext, "publish", timing_out)
    local = sla_settings.model_copy(update={"timers": "local"})
    nc = await nats.connect(local.nats_url or "")
    js = nc.jetstream()
    async with running(local, ["sales", "sla"]), watching(
            nc, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await receive(Demo(Client(nc), out=lambda *_: None), "F-1")
        await until(lambda: bool(sla.of(SlaBreached.type_name(), record="F-1")), "the breach",
                    INTAKE_SECONDS + 20)
        assert failures == 2 and len(sla.of(SlaBreached.type_name(), record="F-1")) == 1
    due = (await js.stream_info(TIMERS_STREAM, subjects_filter=TimerDue.subject_for(
        "sla_breached"))).state.subjects or {}
    assert sum(due.values()) == 1
    await nc.close()
