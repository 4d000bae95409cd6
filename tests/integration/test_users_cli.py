"""``salesflow users`` against the running sla service on a real nats-server (issue 10): what the
operator does is what the gateway sees, within a second. The feed itself: test_directory_feed.py."""
from __future__ import annotations

import asyncio
import io
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from events.envelope import Role
from services.cli import main
from services.gateway.accounts import (
    Directory,
    DirectoryFeed,
    token_person,
    verify_password,
)
from services.runtime.connect import connect
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
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
