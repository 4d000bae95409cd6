"""The command subscription on a real nats-server: commands in hand when the service stops are
still answered; a reply that cannot be sent (NATS gone) is logged, the command stays stored."""
from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Any

import nats
import pytest

from contracts.commands.sales_followup import NoteSampleMonth
from services.runtime.command_intake import CommandIntake
from services.runtime.commands import CommandBus
from services.runtime.nats_server import EmbeddedNats
from services.sales.application import SalesApplication
from tests.integration.system import until

NOTE = {"actor": {"user": "amy", "role": "sales_assistant"}, "month": "2026-05",
        "text": "two NG trials on the die edge"}
SUBJECT = "salesflow.cmd.sales.note_sample_month"


class Held:
    """A use case that waits until released (in the bus's worker thread)."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, app: Any, command: Any, ctx: Any) -> Any:
        self.started.set()
        assert self.release.wait(30)
        return SalesApplication.note_sample_month(app, command, ctx)


def bus(held: Held) -> CommandBus:
    app = SalesApplication(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return CommandBus(app, {NoteSampleMonth: held}, department="sales")


async def test_a_command_in_hand_when_the_service_stops_is_still_answered(
        nats_server: EmbeddedNats) -> None:
    held = Held()
    service, client = await nats.connect(nats_server.url), await nats.connect(nats_server.url)
    intake = CommandIntake(service, "sales", bus(held))
    await intake.start()
    reply = asyncio.create_task(client.request(SUBJECT, json.dumps(NOTE).encode(), timeout=20))
    assert await asyncio.to_thread(held.started.wait, 10)
    stopping = asyncio.create_task(intake.stop(patience=20))
    await asyncio.sleep(0.2)
    assert not stopping.done()  # it waits for the command in hand
    held.release.set()
    answer = json.loads((await reply).data)
    await stopping
    assert answer["ok"] is True and answer["events"][0]["type"] == "SampleMonthNoted"
    with pytest.raises(nats.errors.NoRespondersError):  # no longer subscribed
        await client.request(SUBJECT, json.dumps(NOTE).encode(), timeout=2)
    await client.close()
    await service.close()


async def test_a_reply_that_cannot_be_sent_is_logged_and_the_command_stays_stored(
        nats_server: EmbeddedNats, caplog: pytest.LogCaptureFixture) -> None:
    held = Held()
    service, client = await nats.connect(nats_server.url), await nats.connect(nats_server.url)
    command_bus = bus(held)
    intake = CommandIntake(service, "sales", command_bus)
    await intake.start()
    await client.publish(SUBJECT, json.dumps(NOTE).encode(), reply="_INBOX.nobody")
    assert await asyncio.to_thread(held.started.wait, 10)
    await service.close()  # NATS gone before the answer
    with caplog.at_level(logging.WARNING, logger="services.runtime.command_intake"):
        held.release.set()
        await until(lambda: not intake.in_hand, "the command to be finished")
    assert any("could not answer note_sample_month" in r.getMessage() for r in caplog.records)
    assert command_bus.app.recorder.max_notification_id() == 1
    # stopping on a connection that is gone: no error, said in the log, nothing more stored
    with caplog.at_level(logging.INFO, logger="services.runtime.command_intake"):
        await intake.stop()
    assert any("command subscription already gone" in r.getMessage() for r in caplog.records)
    assert intake.subscription is None and command_bus.app.recorder.max_notification_id() == 1
    await client.close()
