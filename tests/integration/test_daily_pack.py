"""The daily 16:00 pack on a real nats-server with the permission table on, and a local SMTP
server (aiosmtpd): the sla service, the projections and sales running as in production.

The time of day is the SLA service's clock offset: the service is started before the day's
16:00 (it schedules the report), then after it (it issues the report late, at start), so the
16:00 comes without waiting for it. The day is tomorrow: for the projections (on the wall
clock) its 16:00 has not come, so the pack holds the tables as they stand, and says so, with
the complaint taken in now."""
from __future__ import annotations

import asyncio
import hashlib
import io
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from datetime import time as clock_time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import nats
import openpyxl
import pytest
from aiosmtpd.controller import Controller

from contracts.subjects import DEAD_LETTER_STREAM, QUERY_HISTORY, QUERY_SLA, stream_name
from events.envelope import Department
from events.sla import DailyPackDelivered
from services.cli.client import Client
from services.cli.demo import Demo
from services.reports.packs import SHEETS
from services.runtime import object_store
from services.runtime.connect import login_options
from services.runtime.nats_auth import OPERATOR, ensure_credentials
from services.runtime.nats_server import EmbeddedNats, free_port
from services.runtime.settings import NATS_CREDENTIALS_FILE, Settings
from services.sla.pack_delivery import send_mail
from tests.integration.system import running, until
from tests.integration.test_sla_live import ROUND_THE_CLOCK, fake_offset, watching
from tests.unit.commands_catalogue_workflow import HASH

ZONE = ZoneInfo("Asia/Shanghai")
ADMIN = {"user": "ada", "role": "admin"}
PEOPLE = (("sue", "cs_supervisor", "sue@example.com"), ("bob", "salesperson", "bob@example.com"),
          ("carol", "salesperson", "carol@example.com"),
          ("ann", "sales_assistant", "ann@example.com"))


class Mailbox:
    """aiosmtpd handler: every message taken (or refused with 554 while ``refusing``)."""

    def __init__(self) -> None:
        self.taken: list[tuple[list[str], EmailMessage]] = []
        self.refused = 0
        self.refusing = False
        self.unknown: set[str] = set()  # addresses refused at RCPT

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.unknown:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refusing:
            self.refused += 1
            return "554 5.7.1 refused by the test's policy"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.taken.append((sorted(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def locked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
           mailbox: tuple[Mailbox, int]) -> Iterator[Settings]:
    """Settings for a nats-server admitting only the permission table's users, every day a
    working day, and the SMTP server of ``mailbox``."""
    for name, value in ROUND_THE_CLOCK.items():
        monkeypatch.setenv(name, value)
    passwords = ensure_credentials(tmp_path / "data" / NATS_CREDENTIALS_FILE)
    server = EmbeddedNats(tmp_path / "nats", log_file=tmp_path / "nats.log", users=passwords)
    server.start()
    yield Settings(data_dir=tmp_path / "data", nats_url=server.url, fetch_batch=100,
                   relay_batch=100, ack_wait_seconds=30, timer_grace_seconds=0.5,
                   smtp_host="127.0.0.1", smtp_port=mailbox[1], smtp_starttls=False,
                   smtp_from="salesflow@example.com")
    server.stop()


@pytest.fixture
async def operator(locked: Settings) -> AsyncIterator[Any]:
    nc = await nats.connect(locked.nats_url or "", **login_options(locked.nats_login(OPERATOR)))
    yield nc
    await nc.close()


def at(settings: Settings, moment: datetime) -> Settings:
    """The settings with the SLA service's clock reading ``moment`` now."""
    return settings.model_copy(update={"clock_offset_seconds": fake_offset(moment)})


def delivered(events: Any) -> list[dict[str, Any]]:
    return [body for _, body in events.of(DailyPackDelivered.type_name())]


async def test_the_days_pack_is_stored_emailed_once_and_recorded_when_smtp_refuses(
        locked: Settings, operator: Any, mailbox: tuple[Mailbox, int]) -> None:
    """rule: R-S5, R-O5, R-C5 — once a day's three reports are issued the sla service stores
    one DailyPackDelivered: the workbook as of 16:00 (three sheets, the complaint taken in
    before it) in the documents store, e-mailed once to the CS supervisor and the salesperson
    the rows name (not the other salesperson, not the assistant); restarted, it delivers that
    day no second time; an SMTP server that refuses leaves the next day's delivery recorded,
    not e-mailed, with the server's answer."""
    box, _ = mailbox
    day = datetime.now(ZONE).date() + timedelta(days=1)
    four = datetime.combine(day, clock_time(16), tzinfo=ZONE)
    client = Client(operator)
    demo = Demo(client, out=lambda *_: None)
    async with running(locked, ["sales", "projections"]):
        async with running(at(locked, four - timedelta(hours=1)), ["sla"]):
            for username, role, email in PEOPLE:
                reply = await client.command("sla", "add_user", {
                    "actor": ADMIN, "username": username, "display_name": username.title(),
                    "user_department": "sales", "roles": [role], "password_hash": HASH,
                    "email": email})
                assert reply.ok, reply.error
            await demo.send("sales", "receive_complaint", "salesperson", complaint_no="C-1",
                            channel="phone", customer="Xiamen Optics 厦门光学",
                            summary="burrs 毛刺", salesperson="bob")
        after = at(locked, four + timedelta(seconds=10))
        async with running(after, ["sla"]), watching(
                operator, stream_name(Department.SLA), "salesflow.sla.>") as sla:
            await until(lambda: bool(delivered(sla)), "the day's pack", timeout=60)
            [pack] = delivered(sla)
            assert pack["day"] == day.isoformat()
            assert datetime.fromisoformat(pack["as_of"]) == four
            assert [(r["username"], r["role"], r["email"]) for r in pack["recipients"]] == [
                ("sue", "cs_supervisor", "sue@example.com"),
                ("bob", "salesperson", "bob@example.com")]
            assert (pack["emailed"], pack["email_error"]) == (True, None)
            content = await object_store.fetch(operator.jetstream(timeout=10),
                                               pack["document_sha256"])
            assert hashlib.sha256(content).hexdigest() == pack["document_sha256"]
            assert len(content) == pack["size"]
            book = openpyxl.load_workbook(io.BytesIO(content))
            assert book.sheetnames == list(SHEETS.values())
            complaints = [str(c.value) for row in book[SHEETS["complaints"]].iter_rows()
                          for c in row]
            assert "C-1" in complaints and any(day.isoformat() in c for c in complaints)
            assert any("尚未到" in c for c in complaints)  # 16:00 not come yet (wall clock)
            await until(lambda: len(box.taken) == 1, "the e-mail")
            [(to, message)] = box.taken
            assert to == ["bob@example.com", "sue@example.com"]
            [attachment] = list(message.iter_attachments())
            assert attachment.get_filename() == pack["filename"] == f"pack-daily-{day}.xlsx"
            assert hashlib.sha256(attachment.get_content()).hexdigest() == pack["document_sha256"]
        # Restarted after the delivery, and a day later (its report issued late at start),
        # with the SMTP server refusing.
        box.refusing = True
        later = at(locked, four + timedelta(days=1, seconds=10))
        async with running(later, ["sla"]), watching(
                operator, stream_name(Department.SLA), "salesflow.sla.>") as sla:
            await until(lambda: len(delivered(sla)) == 2, "the next day's pack", timeout=60)
            first, second = delivered(sla)
            assert first == pack
            assert second["day"] == (day + timedelta(days=1)).isoformat()
            assert second["emailed"] is False
            assert "554" in second["email_error"] and "refused" in second["email_error"]
            assert box.refused == 1 and len(box.taken) == 1
        # The audit trail (record: the day) and the SLA rows of the day's reports show it.

        async def shown() -> bool:
            history = await client.query(QUERY_HISTORY, {"record_no": day.isoformat()})
            rows = await client.query(QUERY_SLA, {})
            return (any(h["type"] == "DailyPackDelivered" for h in history)
                    and {r.get("pack_document") for r in rows if r["run"] == day.isoformat()}
                    == {pack["document_sha256"]})

        await until(shown, "the delivery in the audit trail and the SLA rows")


async def test_with_the_projections_away_the_pack_waits_for_them_and_is_not_dead_lettered(
        locked: Settings, operator: Any, mailbox: tuple[Mailbox, int]) -> None:
    """rule: R-S5 — the report is issued while the projections are down: no pack can be made
    (nothing answers the queries), and the report waits for them instead of going to the dead
    letters; once they run, the day's pack is delivered and e-mailed, once."""
    box, _ = mailbox
    day = datetime.now(ZONE).date() + timedelta(days=1)
    four = datetime.combine(day, clock_time(16), tzinfo=ZONE)
    client = Client(operator)
    async with running(at(locked, four - timedelta(hours=1)), ["sla"]):
        reply = await client.command("sla", "add_user", {
            "actor": ADMIN, "username": "sue", "display_name": "Sue",
            "user_department": "sales", "roles": ["cs_supervisor"], "password_hash": HASH,
            "email": "sue@example.com"})
        assert reply.ok, reply.error
    js = operator.jetstream(timeout=10)
    async with running(at(locked, four + timedelta(seconds=10)), ["sla"]), watching(
            operator, stream_name(Department.SLA), "salesflow.sla.>") as sla:
        await until(lambda: len(sla.of("DailyReportIssued")) == 3, "the day's reports")
        await asyncio.sleep(3.0)  # the pack has been tried (and waited) a few times by now
        assert delivered(sla) == [] and box.taken == []
        info = await js.consumer_info(stream_name(Department.SLA), "sla-from-sla")
        assert info.num_ack_pending, "the report is held, not acknowledged"
        async with running(locked, ["projections"]):
            await until(lambda: bool(delivered(sla)), "the pack once the projections run",
                        timeout=60)
            await until(lambda: len(box.taken) == 1, "the e-mail")
    [pack] = delivered(sla)
    assert pack["emailed"] and [r["username"] for r in pack["recipients"]] == ["sue"]
    dead = await js.stream_info(DEAD_LETTER_STREAM)
    assert dead.state.messages == 0


def test_send_mail_reports_a_refused_recipient_and_an_unreachable_server(
        mailbox: tuple[Mailbox, int]) -> None:
    """The SMTP outcomes a delivery records: one address refused (sent to the others, and
    said which), and no server at the address (not sent, and why)."""
    box, port = mailbox
    box.unknown = {"gone@example.com"}
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    message = EmailMessage()
    message["From"], message["To"] = "s@example.com", "sue@example.com, gone@example.com"
    message["Subject"] = "pack"
    message.set_content("body")
    sent, error = send_mail(settings, message)
    assert sent and error is not None and "gone@example.com 550" in error
    assert [to for to, _ in box.taken] == [["sue@example.com"]]
    nobody = settings.model_copy(update={"smtp_port": free_port()})
    sent, error = send_mail(nobody, message)
    assert not sent and error is not None and "ConnectionRefusedError" in error
