"""``salesflow users`` against the running sla service, and the gateway's directory feed on a
real nats-server (issue 10): what the operator does is what the gateway sees, within a second."""
from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from nats.js import JetStreamContext

from contracts.subjects import HEADER_TYPE
from events import users as ev
from events.envelope import Actor, Role
from services.cli import main
from services.gateway.accounts import (
    Directory,
    DirectoryFeed,
    hash_password,
    token_person,
    verify_password,
)
from services.runtime.connect import connect
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from services.runtime.streams import department_stream
from services.sla.account import account_id
from tests.integration.system import running, until

PASSWORD = "a long enough secret"


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """``salesflow ...`` in-process (its own event loop, in a thread), as the operator runs it."""
    monkeypatch.setenv("NATS_URL", settings.nats_url or "")
    monkeypatch.setenv("SALESFLOW_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("SALESFLOW_USER", "root")

    async def run(*argv: str, stdin: str = "") -> Ran:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = await asyncio.to_thread(main.run, ["users", *argv])
        shown = capsys.readouterr()
        return Ran(code, shown.out, shown.err)
    return run


@asynccontextmanager
async def following(url: str) -> AsyncIterator[tuple[Directory, DirectoryFeed]]:
    """A directory fed live, on a connection that reconnects as the gateway's does."""
    nc = await connect(url, "test-gateway")
    directory = Directory()
    feed = DirectoryFeed(nc.jetstream(timeout=5), directory)
    try:
        yield directory, feed
    finally:
        await feed.stop()
        await nc.close()


async def test_a_person_the_operator_adds_can_sign_in_at_the_gateway_within_a_second(
        settings: Settings, cli, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    async with running(settings, ["sla"]), following(settings.nats_url or "") as (directory,
                                                                                   feed):
        await feed.start(timeout=10)
        added = await cli("add", "amy", "--name", "Amy Wu", "--department", "sales", "--role",
                          "sales_assistant", "--role", "salesperson", "--password-stdin",
                          stdin=PASSWORD + "\n")
        assert added.code == 0, added.err
        started = time.monotonic()
        await until(lambda: directory.person("amy") is not None, "amy in the directory", 1.0)
        with capsys.disabled():
            print(f"\n`users add` done -> seen by the feed: "
                  f"{(time.monotonic() - started) * 1000:.0f} ms")
        amy = directory.person("amy")
        assert amy is not None and amy.roles == (Role.SALES_ASSISTANT, Role.SALESPERSON)
        assert verify_password(amy, PASSWORD) and not verify_password(amy, PASSWORD + "x")
        listed = await cli("list")
        assert listed.code == 0 and "amy" in listed.out and "Amy Wu" in listed.out
        assert "salesperson 业务员" in listed.out and "sales 业务部" in listed.out
        as_json = await cli("list", "--json")
        assert json.loads(as_json.out)[0]["roles"] == ["sales_assistant", "salesperson"]
        assert "argon2" not in as_json.out  # the list never shows a hash

        again = await cli("add", "amy", "--name", "Amy", "--department", "sales", "--role",
                          "salesperson", "--password-stdin", stdin=PASSWORD + "\n")
        assert again.code == 1 and "conflict" in again.err and "已存在" in again.err
        weak = await cli("add", "bob", "--name", "Bob", "--department", "sales", "--role",
                         "salesperson", "--password-stdin", stdin="bob\n")
        assert weak.code == 2 and "at least 10" in weak.err and "至少" in weak.err
        await asyncio.sleep(0.3)
        assert directory.person("bob") is None  # refused before anything was sent


async def test_roles_password_and_disabling_reach_the_directory(settings: Settings,
                                                                cli) -> None:  # type: ignore[no-untyped-def]
    async with running(settings, ["sla"]), following(settings.nats_url or "") as (directory,
                                                                                   feed):
        await feed.start(timeout=10)
        assert (await cli("add", "ken", "--name", "Ken", "--department", "quality", "--role",
                          "qc_inspector", "--password-stdin", stdin=PASSWORD)).code == 0
        roles = await cli("roles", "ken", "--role", "quality_engineer")
        assert roles.code == 0, roles.err

        def ken_is_engineer() -> bool:
            ken = directory.person("ken")
            return ken is not None and ken.roles == (Role.QUALITY_ENGINEER,)
        await until(ken_is_engineer, "ken's new role", 2.0)
        assert directory.person("ken").department == "quality"  # type: ignore[union-attr]

        changed = await cli("password", "ken", "--password-stdin", stdin="another good secret\n")
        assert changed.code == 0, changed.err
        await until(lambda: directory.person("ken").credential_version == 3,  # type: ignore[union-attr]
                    "ken's new password", 2.0)
        assert verify_password(directory.person("ken"), "another good secret")
        assert (await cli("disable", "ken", "--reason", "left the company")).code == 0
        await until(lambda: directory.person("ken").disabled, "ken disabled", 2.0)  # type: ignore[union-attr]
        assert not verify_password(directory.person("ken"), "another good secret")
        unknown = await cli("roles", "nobody", "--role", "engineer")
        assert unknown.code == 1 and "nobody" in unknown.err


async def test_an_email_address_is_added_changed_and_cleared_from_the_cli(
        settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    """The 16:00 pack's address (issue 11), as ``users add --email`` and ``users email``."""
    async with running(settings, ["sla"]), following(settings.nats_url or "") as (directory,
                                                                                   feed):
        await feed.start(timeout=10)
        added = await cli("add", "sue", "--name", "Sue", "--department", "sales", "--role",
                          "cs_supervisor", "--email", "sue@example.com", "--password-stdin",
                          stdin=PASSWORD)
        assert added.code == 0, added.err
        await until(lambda: directory.person("sue") is not None, "sue", 2.0)
        assert directory.person("sue").email == "sue@example.com"  # type: ignore[union-attr]
        changed = await cli("email", "sue", "sue@cs.example.cn")
        assert changed.code == 0 and "sue@cs.example.cn" in changed.out, changed.err
        await until(lambda: directory.person("sue").email == "sue@cs.example.cn",  # type: ignore[union-attr]
                    "sue's new address", 2.0)
        listed = await cli("list")
        assert "sue@cs.example.cn" in listed.out and "E-mail 邮箱" in listed.out
        bad = await cli("email", "sue", "not-an-address")
        assert bad.code == 1 and "email" in bad.err
        cleared = await cli("email", "sue", "--clear")
        assert cleared.code == 0 and "邮箱已清除" in cleared.out, cleared.err
        await until(lambda: directory.person("sue").email is None,  # type: ignore[union-attr]
                    "sue's address cleared", 2.0)


async def test_a_token_from_the_cli_is_accepted_until_it_is_revoked(settings: Settings,
                                                                    cli) -> None:  # type: ignore[no-untyped-def]
    async with running(settings, ["sla"]), following(settings.nats_url or "") as (directory,
                                                                                   feed):
        await feed.start(timeout=10)
        assert (await cli("add", "erp", "--name", "ERP link", "--department", "sales", "--role",
                          "sales_assistant", "--password-stdin", stdin=PASSWORD)).code == 0
        issued = await cli("token", "erp", "--label", "ERP", "--days", "30")
        assert issued.code == 0, issued.err
        text = issued.out.strip()  # the token alone on standard output
        assert text.startswith("sf_") and "shown only now" in issued.err and "只显示这一次" in issued.err
        now = datetime.now(UTC)
        await until(lambda: token_person(directory, text, now) is not None, "the token", 1.0)
        assert token_person(directory, text, now + timedelta(days=31)) is None
        token_id = text.split("_")[1]
        assert token_id in (await cli("list")).out
        revoked = await cli("revoke", "erp", token_id)
        assert revoked.code == 0, revoked.err
        await until(lambda: token_person(directory, text, now) is None, "the revocation", 1.0)
        twice = await cli("revoke", "erp", text)  # the whole token names its id too
        assert twice.code == 1 and "already revoked" in twice.err


async def test_without_the_sla_service_the_list_is_empty_and_a_change_is_not_made(
        cli) -> None:  # type: ignore[no-untyped-def]
    listed = await cli("list")
    assert listed.code == 0 and "no accounts yet" in listed.out and "暂无用户" in listed.out
    added = await cli("add", "ada", "--name", "Ada", "--department", "administration", "--role",
                      "admin", "--password-stdin", stdin=PASSWORD)
    assert added.code == 1 and "did not answer" in added.err and "没有响应" in added.err


async def test_two_different_passwords_at_the_prompt_send_nothing(
        cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    answers = iter(["first secret 123", "second secret 456"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    ran = await cli("password", "amy")
    assert ran.code == 2 and "differ" in ran.err and "不一致" in ran.err


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


async def test_the_feed_survives_a_nats_restart(settings: Settings, nats_server: EmbeddedNats,
                                                cli) -> None:  # type: ignore[no-untyped-def]
    async with running(settings, ["sla"]), following(nats_server.url) as (directory, feed):
        await feed.start(timeout=10)
        assert (await cli("add", "before", "--name", "Before", "--department", "production",
                          "--role", "pmc_planner", "--password-stdin", stdin=PASSWORD)).code == 0
        await until(lambda: directory.person("before") is not None, "the first person", 2.0)
        nats_server.kill()
        nats_server.start()  # same port, same store
        restarted = time.monotonic()

        async def added_after() -> bool:
            ran = await cli("add", "after", "--name", "After", "--department", "production",
                            "--role", "pmc_planner", "--password-stdin", stdin=PASSWORD)
            return ran.code == 0 or "already exists" in ran.err
        await until(added_after, "the sla service to take a command again", 30)
        await until(lambda: directory.person("after") is not None, "the feed after the restart",
                    15)
        print(f"\nrestart -> new person seen: {time.monotonic() - restarted:.1f} s")
        assert [p.username for p in directory.people()] == ["after", "before"]


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
