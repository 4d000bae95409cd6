"""NATS users and subject permissions on a real nats-server (services.runtime.nats_auth): a
department answers its own commands and publishes into its own stream only; only the gateway
and the operator send commands; a refused login names the user; the real services run a
customer order through every component with the permissions on."""
from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.aio.client import Client as Nats
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from contracts.subjects import COMPONENTS, QUERY_HISTORY, command_subject, stream_name
from services.runtime.connect import NatsUnavailable, connect, login_options
from services.runtime.nats_auth import GATEWAY, OPERATOR, ensure_credentials
from services.runtime.nats_server import EmbeddedNats
from services.runtime.object_store import BUCKET as DOCUMENT_BUCKET
from services.runtime.settings import NATS_CREDENTIALS_FILE, Settings
from services.runtime.streams import ensure_streams
from tests.integration.system import request, running, until

REQUEST_SAMPLE = command_subject("sales", "request_sample")


@pytest.fixture
def passwords(tmp_path: Path) -> dict[str, str]:
    """Every user's password, in the data directory as `salesflow up` keeps them."""
    return ensure_credentials(tmp_path / "data" / NATS_CREDENTIALS_FILE)


@pytest.fixture
def locked_server(tmp_path: Path, passwords: dict[str, str]) -> Iterator[EmbeddedNats]:
    """A real nats-server that admits only the users of the permission table."""
    server = EmbeddedNats(tmp_path / "nats", log_file=tmp_path / "nats.log", users=passwords)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def locked_settings(tmp_path: Path, locked_server: EmbeddedNats) -> Settings:
    """Each component finds its own password in the data directory's credentials file."""
    return Settings(data_dir=tmp_path / "data", nats_url=locked_server.url, fetch_batch=100,
                    relay_batch=100, ack_wait_seconds=5, timer_grace_seconds=0.5)


class Violations:
    """What the server refused one connection, as nats-py reports it to ``error_cb``."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    async def report(self, error: Exception) -> None:
        self.seen.append(str(error))

    async def of(self, subject: str, kind: str = "publish") -> bool:
        """True once the server refused ``kind`` on ``subject`` (within 2 s)."""
        wanted = f'permissions violation for {kind} to "{subject}"'.lower()  # as nats-py says it
        for _ in range(40):
            if any(wanted in seen.lower() for seen in self.seen):
                return True
            await asyncio.sleep(0.05)
        return False


@pytest.fixture
async def users(locked_server: EmbeddedNats, passwords: dict[str, str],
                locked_settings: Settings) -> AsyncIterator[Any]:
    """``await users(name)``: a connection as that user and what the server refused it."""
    opened: list[Nats] = []

    async def login(user: str) -> tuple[Nats, Violations]:
        violations = Violations()
        nc = await nats.connect(locked_server.url, error_cb=violations.report,
                                **login_options((user, passwords[user])))
        opened.append(nc)
        return nc, violations

    operator, _ = await login(OPERATOR)
    await ensure_streams(operator.jetstream(timeout=10), locked_settings)
    yield login
    for nc in opened:
        await nc.close()


async def stream_count(js: Any, department: str) -> int:
    return int((await js.stream_info(stream_name(department))).state.messages)


async def test_a_department_can_neither_send_a_command_nor_publish_into_another_departments_stream(
        users: Any) -> None:
    operator, _ = await users(OPERATOR)
    heard: list[str] = []

    async def hear(msg: Any) -> None:
        heard.append(msg.subject)

    await operator.subscribe("salesflow.cmd.>", cb=hear)
    await operator.flush()
    production, refused = await users("production")
    js = production.jetstream(timeout=2)

    await production.publish(REQUEST_SAMPLE, b"{}")
    assert await refused.of(REQUEST_SAMPLE)
    with pytest.raises((NatsTimeout, NoRespondersError)):
        await production.request(command_subject("production", "complete_lot"), b"{}", timeout=1)
    with pytest.raises(NatsTimeout):  # no ack: the stream never took it
        await js.publish("salesflow.sales.sample.sample_requested", b"{}", timeout=1)
    assert await refused.of("salesflow.sales.sample.sample_requested")
    await production.publish("salesflow.timers.due.sla_breached", b"{}")  # sla's timer
    assert await refused.of("salesflow.timers.due.sla_breached")
    await production.subscribe("_INBOX.>")  # nor read the replies meant for others
    assert await refused.of("_INBOX.>", "subscription"), refused.seen

    await operator.flush()
    assert heard == []
    operator_js = operator.jetstream(timeout=5)
    assert await stream_count(operator_js, "sales") == 0
    with pytest.raises(NatsTimeout):  # nor destroy what others wrote
        await js.purge_stream(stream_name("sales"))


async def test_a_department_publishes_into_its_own_stream_and_answers_its_own_commands(
        users: Any) -> None:
    sales, refused = await users("sales")

    async def on_command(msg: Any) -> None:
        await msg.respond(json.dumps({"heard": msg.subject}).encode())

    await sales.subscribe("salesflow.cmd.sales.*", queue="salesflow-sales", cb=on_command)
    await sales.flush()
    ack = await sales.jetstream(timeout=5).publish("salesflow.sales.sample.sample_requested", b"{}")
    assert ack.stream == stream_name("sales")
    letter = await sales.jetstream(timeout=5).publish("salesflow.dlq.sales.salesflow_quality", b"{}")
    assert letter.stream == "SALESFLOW_DEAD_LETTERS"

    gateway, _ = await users(GATEWAY)
    reply = await gateway.request(REQUEST_SAMPLE, b"{}", timeout=5)
    assert json.loads(reply.data) == {"heard": REQUEST_SAMPLE}
    assert refused.seen == []


async def test_the_gateway_sends_commands_and_reads_streams_but_cannot_publish_into_one(
        users: Any) -> None:
    gateway, refused = await users(GATEWAY)
    js = gateway.jetstream(timeout=2)
    assert await stream_count(js, "sales") == 0  # reading is allowed (lag, the users stream)
    await gateway.publish("salesflow.sales.sample.sample_requested", b"{}")
    assert await refused.of("salesflow.sales.sample.sample_requested")
    with pytest.raises(NatsTimeout):
        await js.delete_stream(stream_name("sales"))
    with pytest.raises(NoRespondersError):  # allowed, but nobody runs sales here
        await gateway.request(REQUEST_SAMPLE, b"{}", timeout=2)
    assert not any("cmd" in seen for seen in refused.seen)


async def test_the_gateway_downloads_a_filed_document_and_reads_a_stream_but_files_nothing(
        users: Any) -> None:
    operator, _ = await users(OPERATOR)
    store = await operator.jetstream(timeout=5).create_object_store(DOCUMENT_BUCKET)
    await store.put("abc123", b"drawing, revision 2")
    await operator.jetstream(timeout=5).publish("salesflow.sla.calendar.holiday_added", b"{}")
    gateway, refused = await users(GATEWAY)
    js = gateway.jetstream(timeout=5)
    document = await (await js.object_store(DOCUMENT_BUCKET)).get("abc123")
    assert document.data == b"drawing, revision 2"
    reader = await js.subscribe("salesflow.sla.>", ordered_consumer=True)
    assert (await reader.next_msg(timeout=5)).subject == "salesflow.sla.calendar.holiday_added"
    await reader.unsubscribe()
    assert refused.seen == []
    with pytest.raises(NatsTimeout):  # no ack for the chunk: nothing was filed
        await (await gateway.jetstream(timeout=1).object_store(DOCUMENT_BUCKET)).put("forged", b"x")
    assert any(f'publish to "$o.{DOCUMENT_BUCKET}.c.' in seen.lower() for seen in refused.seen)


@pytest.mark.parametrize(("user", "password"), [("sales", "wrong"), ("mallory", "x")])
async def test_an_unknown_user_or_a_wrong_password_is_refused_by_name(
        locked_server: EmbeddedNats, user: str, password: str) -> None:
    with pytest.raises(NatsUnavailable) as refused:
        await asyncio.wait_for(connect(locked_server.url, "test", (user, password)), 10)
    assert f"refused the user {user!r}" in str(refused.value)
    assert f"拒绝了用户 {user!r}" in str(refused.value)


async def test_a_connection_without_a_user_is_told_where_the_passwords_are(
        locked_server: EmbeddedNats) -> None:
    with pytest.raises(NatsUnavailable, match="SALESFLOW_NATS_USER.*nats-credentials.json"):
        await asyncio.wait_for(connect(locked_server.url, "test"), 10)


async def accepted(nc: Nats, department: str, name: str, who: tuple[str, str],
                   **fields: Any) -> None:
    """Sent by the gateway until accepted: a step may wait for another department's reaction."""
    body = {"actor": {"user": who[0], "role": who[1]}, "order_no": "O-1", **fields}

    async def ok() -> bool:
        msg = await nc.request(command_subject(department, name),
                               json.dumps(body, default=str).encode(), timeout=10)
        reply = json.loads(msg.data)
        assert reply["ok"] or reply["error"]["kind"] in ("rule", "not_found"), reply
        return bool(reply["ok"])
    await until(ok, f"{name} to be accepted", 20)


async def test_every_component_runs_an_order_with_its_own_user_and_nothing_is_refused(
        locked_settings: Settings, users: Any, caplog: pytest.LogCaptureFixture) -> None:
    """Sales' internal order reaches production, production's promise timer fires, engineering
    files a document, quality inspects, the projections answer the gateway's query: the
    relays, consumers, leases, timers, calendar feed and object store all work as their users."""
    caplog.set_level(logging.WARNING, logger="services.runtime.connect")
    assistant, salesperson = ("amy", "sales_assistant"), ("bob", "salesperson")
    async with running(locked_settings, list(COMPONENTS)):
        gateway, refused = await users(GATEWAY)
        await accepted(gateway, "sales", "receive_order", salesperson, po_no="PO-1",
                       customer="ACME", requested_date=date.today() + timedelta(days=20),
                       lines=[{"product": "gasket", "part_no": "P-1", "quantity": 100}],
                       salesperson="bob", assistant="amy")
        await accepted(gateway, "sales", "archive_order", assistant)
        await accepted(gateway, "sales", "issue_internal_order", assistant, internal_order_no="IO-1")
        await accepted(gateway, "production", "promise_order_delivery", ("pam", "pmc_planner"),
                       promised_at=datetime.now(UTC) + timedelta(seconds=3))
        await accepted(gateway, "engineering", "issue_process_instructions", ("eric", "engineer"),
                       document_no="WI-1", filename="wi.txt", media_type="text/plain",
                       content_base64=base64.b64encode(b"cut, laminate").decode())
        await accepted(gateway, "production", "complete_lot", ("pete", "production_supervisor"),
                       lot_no="L1", quantity=40)  # short: the promise is missed
        await accepted(gateway, "quality", "inspect_lot", ("qiu", "qc_inspector"), lot_no="L1",
                       result="pass")

        async def seen(*kinds: str) -> bool:
            trail = await request(gateway, QUERY_HISTORY, {"record_no": "O-1"})
            return set(kinds) <= {event["type"] for event in trail}
        await until(lambda: seen("InternalOrderReceived", "ProcessInstructionsIssued",
                                 "InspectionPassed", "DeliveryPromiseMissed"),
                    "the order's events from every department in the audit trail", 30)
        assert refused.seen == []
    violations = [r.getMessage() for r in caplog.records if "violation" in r.getMessage()]
    assert violations == []


async def test_the_gateway_works_as_its_own_user_signing_in_commanding_and_querying(
        locked_settings: Settings, users: Any, caplog: pytest.LogCaptureFixture) -> None:
    """The gateway's permissions are enough for all it does: follow the accounts, send a
    command, ask the projections, read the dead letters."""
    import httpx

    from services.gateway.accounts import hash_password
    from services.gateway.server import ADDRESS_FILE, serve

    caplog.set_level(logging.WARNING, logger="services.runtime.connect")
    settings = locked_settings.model_copy(update={"gateway_port": 0})
    async with running(settings, ["sla", "sales", "projections"]):
        operator, _ = await users(OPERATOR)
        admin = {"actor": {"user": "root@cli", "role": "admin"}, "username": "ada",
                 "display_name": "Ada", "user_department": "administration",
                 "roles": ["admin", "sales_assistant"], "password_hash": hash_password("pw-long-enough")}
        assert (await request(operator, command_subject("sla", "add_user"), admin))["ok"]
        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, stop.wait))
        address = Path(settings.data_dir, ADDRESS_FILE)
        await until(lambda: address.exists() or server.done(), "the gateway to listen")
        async with httpx.AsyncClient(base_url=address.read_text().strip(), timeout=10) as http:
            async def signed_in() -> bool:
                answer = await http.post("/session", json={"username": "ada",
                                                           "password": "pw-long-enough"})
                return answer.status_code == 200
            await until(signed_in, "the admin to sign in through the gateway's account feed")
            csrf = {"X-CSRF-Token": (await http.get("/session")).json()["csrf_token"]}
            sent = await http.post("/commands/sales/request_sample", headers=csrf, json={
                "request_no": "S-LOCK", "customer": "ACME", "product": "gasket",
                "part_no": "P-1", "salesperson": "bob", "materials": {"drawings": True},
                "purpose": "sample"})
            assert sent.status_code == 200, sent.text

            async def traced() -> bool:
                answer = await http.get("/records/S-LOCK/history")
                return answer.status_code == 200 and answer.json()["total"] == 1
            await until(traced, "the audit trail through the gateway")
            letters = await http.get("/dead-letters")
            assert letters.status_code == 200, letters.text
            health = await http.get("/health")
            assert health.json()["checks"]["nats"] is True, health.text
            metrics = await http.get("/metrics")
            assert "salesflow_consumer_lag" in metrics.text and "salesflow_sla_breaches" in \
                metrics.text, metrics.text[:2000]
        stop.set()
        await server
    violations = [r.getMessage() for r in caplog.records if "violation" in r.getMessage()]
    assert violations == []
