"""The gateway's directory of accounts (``DirectoryFeed``), fed from the user events on the sla
stream: it waits for a stream made later, reads again what was lost on the way, and goes on
after a failure inside it. The CLI's side, and a NATS restart: test_users_cli.py."""
from __future__ import annotations

import asyncio
import logging
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from nats.js import JetStreamContext

from contracts.subjects import HEADER_TYPE
from events import users as ev
from events.envelope import Actor, Role
from services.gateway.accounts import (
    DirectoryFeed,
    hash_password,
)
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from services.runtime.streams import department_stream
from services.sla.account import account_id
from tests.integration.test_users_cli import PASSWORD, following


def user_added(username: str) -> ev.UserAdded:
    return ev.UserAdded(originator_id=account_id(username), originator_version=1,
                        timestamp=datetime.now(UTC), event_id=uuid.uuid4(),
                        actor=Actor(user="root@cli", role=Role.ADMIN),
                        correlation_id=uuid.uuid4(), username=username,
                        display_name=username.title(), user_department="engineering",
                        roles=(Role.ENGINEER,), password_hash=HASH)


HASH = hash_password(PASSWORD)


async def store(js: JetStreamContext, event: ev.UserEvent) -> None:
    await js.publish(event.subject(), event.model_dump_json().encode(),
                     headers={HEADER_TYPE: event.type_key(), "Nats-Msg-Id": str(event.event_id)})


async def test_a_feed_started_before_the_stream_exists_waits_then_catches_up(
        settings: Settings, nats_server: EmbeddedNats, js: JetStreamContext,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="services.gateway.directory_feed")
    async with following(nats_server.url) as (directory, feed):
        with pytest.raises(TimeoutError, match="SALESFLOW_SLA.*the sla service declares it"):
            await feed.start(timeout=0.5)
        starting = asyncio.create_task(feed.start(timeout=10))
        await asyncio.sleep(0.5)
        assert not starting.done() and not feed.caught_up
        assert "等待 sla 服务创建" in caplog.text
        await js.add_stream(department_stream("sla", settings))
        first, second = user_added("eng1"), user_added("eng2")
        await store(js, first)
        await store(js, second)
        await asyncio.wait_for(starting, 5)
        assert feed.caught_up
        # Caught up means: with what the stream held when the feed's consumer started, which
        # may be before the second was stored; that one follows at once.
        assert await directory.wait_for([first.event_id, second.event_id], 2.0)
        assert [p.username for p in directory.people()] == ["eng1", "eng2"]
        delays = []
        for n in range(5):  # live: each new event reaches the directory at once
            event = user_added(f"live{n}")
            started = time.monotonic()
            await store(js, event)
            assert await directory.wait_for([event.event_id], 1.0)
            delays.append(time.monotonic() - started)
        print(f"\nstored -> applied by the feed: {sorted(delays)[2] * 1000:.1f} ms median, "
              f"{max(delays) * 1000:.1f} ms max")
        assert max(delays) < 0.5


async def test_events_delivered_but_lost_on_the_way_are_read_again(
        settings: Settings, nats_server: EmbeddedNats, js: JetStreamContext,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """A fetched batch that never reaches the directory leaves a gap in the consumer's count:
    the feed starts again after the last event it applied."""
    caplog.set_level(logging.INFO, logger="services.gateway.directory_feed")
    await js.add_stream(department_stream("sla", settings))
    fetch = JetStreamContext.PullSubscription.fetch
    lost: list[int] = []

    async def losing(self: JetStreamContext.PullSubscription, *args: Any, **kwargs: Any) -> Any:
        messages = await fetch(self, *args, **kwargs)
        if not lost:
            lost.append(len(messages))
            return await fetch(self, *args, **kwargs)  # the next ones, as after a lost delivery
        return messages
    monkeypatch.setattr(JetStreamContext.PullSubscription, "fetch", losing)
    async with following(nats_server.url) as (directory, feed):
        await feed.start(timeout=5)
        first, second = user_added("first"), user_added("second")
        await store(js, first)
        await store(js, second)
        assert await directory.wait_for([first.event_id, second.event_id], 5.0)
        assert lost == [1] and "_Gap" in caplog.text


async def test_a_failure_inside_the_feed_is_logged_and_the_feed_goes_on(
        settings: Settings, nats_server: EmbeddedNats, js: JetStreamContext,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    await js.add_stream(department_stream("sla", settings))
    await store(js, user_added("amy"))
    follow = DirectoryFeed._follow
    failures: list[int] = []

    async def failing_once(self: DirectoryFeed, sub: Any) -> None:
        if not failures:
            failures.append(1)
            raise RuntimeError("a bug")
        await follow(self, sub)
    monkeypatch.setattr(DirectoryFeed, "_follow", failing_once)
    async with following(nats_server.url) as (directory, feed):
        await feed.start(timeout=5)
        assert directory.person("amy") is not None
        assert "accounts feed failed" in caplog.text and "a bug" in caplog.text
