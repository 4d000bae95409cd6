"""The daily 16:00 pack (issue 11): who it goes to, the e-mail, and one delivery per day stored
with the consumer's tracking, made by the sla service's reaction to the issued reports."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from eventsourcing.persistence import Tracking

from contracts.calendar import WorkingCalendar
from events.envelope import Actor, Role
from events.sla import DailyPackDelivered, DailyReportIssued, PackRecipient
from services.domain import Context
from services.runtime.commands import CommandBus
from services.sla.daily_pack import (
    Addressee,
    DailyPack,
    MadePack,
    choose_recipients,
    daily_pack_id,
    pack_filename,
    pack_message,
)
from services.sla.reports import REPORTS_ID, DailyReports
from services.sla.wiring import SPEC
from tests.unit.commands_catalogue_workflow import HASH

ZONE = "Asia/Shanghai"
DAY = date(2026, 3, 2)
FOUR = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 16:00 Shanghai
CAL = WorkingCalendar(zone=ZONE, use_chinese_holidays=False)
ADMIN = {"user": "ada", "role": "admin"}
SUPERVISOR, SALES = (Role.CS_SUPERVISOR,), (Role.SALESPERSON,)


def person(username: str, roles: tuple[Role, ...], email: str | None = None,
           disabled: bool = False, display_name: str | None = None) -> Addressee:
    return Addressee(username=username, display_name=display_name or username.title(),
                     roles=roles, email=email, disabled=disabled)


PEOPLE = [person("sue", SUPERVISOR, "sue@example.com"),
          person("bob", SALES, "bob@example.com", display_name="Bob Li 李博"),
          person("carol", SALES, "carol@example.com"),
          person("dan", SALES, "dan@example.com", disabled=True),
          person("eve", SUPERVISOR, disabled=True),
          person("ann", (Role.SALES_ASSISTANT,), "ann@example.com")]


def names(recipients: tuple[PackRecipient, ...]) -> list[tuple[str, str]]:
    return [(r.username, r.role) for r in recipients]


def test_the_supervisors_and_the_salespeople_the_rows_name_receive_the_pack() -> None:
    """rule: R-S5, R-O5, R-C5 — the tables go to the CS supervisor and the salesperson: every
    enabled supervisor, and the enabled salespeople named in the rows (sign-in or full name)."""
    rows = [{"salesperson": "bob"}, {"salesperson": "BOB"}, {"salesperson": "dan"},
            {"salesperson": "someone without an account"}, {"customer": "no salesperson"}]
    assert names(choose_recipients(PEOPLE, rows)) == [("sue", "cs_supervisor"),
                                                      ("bob", "salesperson")]
    by_full_name = choose_recipients(PEOPLE, [{"salesperson": " bob li 李博 "}])
    assert names(by_full_name) == [("sue", "cs_supervisor"), ("bob", "salesperson")]
    assert by_full_name[1].email == "bob@example.com"


def test_rows_that_name_no_salesperson_send_it_to_every_enabled_salesperson() -> None:
    """rule: R-O5 — no row says whose it is (or no rows at all): every enabled salesperson."""
    expected = [("sue", "cs_supervisor"), ("bob", "salesperson"), ("carol", "salesperson")]
    assert names(choose_recipients(PEOPLE, [])) == expected
    assert names(choose_recipients(PEOPLE, [{"salesperson": None}, {"status": "open"}])) \
        == expected


def test_someone_with_both_roles_is_listed_once_as_supervisor() -> None:
    both = [person("sam", (Role.SALESPERSON, Role.CS_SUPERVISOR), "sam@example.com")]
    assert names(choose_recipients(both, [{"salesperson": "sam"}])) == [("sam", "cs_supervisor")]


def recipients() -> tuple[PackRecipient, ...]:
    return choose_recipients(PEOPLE, [{"salesperson": "bob"}])


def test_the_message_goes_to_every_address_in_both_languages_with_the_workbook() -> None:
    message = pack_message(DAY, FOUR, ZONE, recipients(), pack_filename(DAY), b"PK-xlsx",
                           "salesflow@example.com")
    assert message is not None
    assert message["To"] == "sue@example.com, bob@example.com"
    assert message["From"] == "salesflow@example.com"
    assert "日报" in message["Subject"] and "Daily 16:00 report 2026-03-02" in message["Subject"]
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "打样记录汇总表" in text and "Sample Record Summary" in text and "R-C5" in text
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "pack-daily-2026-03-02.xlsx"
    assert attachment.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert attachment.get_content() == b"PK-xlsx"


def test_no_message_when_nobody_has_an_address() -> None:
    nobody = (PackRecipient(username="sue", display_name="Sue", role="cs_supervisor"),)
    assert pack_message(DAY, FOUR, ZONE, nobody, "x.xlsx", b"", "s@example.com") is None


class FakeMaker:
    """The pack's I/O: a made workbook, and an SMTP server that takes or refuses."""

    def __init__(self, rows: list[dict[str, Any]], mails: bool = True,
                 refuse: str | None = None) -> None:
        self.rows, self.mails, self.refuse = rows, mails, refuse
        self.made: list[date] = []
        self.sent: list[EmailMessage] = []

    def make(self, day: date, as_of: datetime, calendar: WorkingCalendar,
             now: datetime) -> MadePack:
        self.made.append(day)
        return MadePack(content=b"xlsx " + day.isoformat().encode(), sha256="a" * 64,
                        rows=self.rows)

    def send(self, message: EmailMessage) -> tuple[bool, str | None]:
        self.sent.append(message)
        return (False, self.refuse) if self.refuse else (True, None)


class Desk:
    """The sla service on an in-memory store, with accounts, fed reports like its consumer."""

    def __init__(self, maker: FakeMaker | None, now: datetime = FOUR) -> None:
        self.now = now
        self.app = SPEC.application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"},
                                    clock=lambda: self.now, calendar=CAL)
        self.app.pack_maker = maker
        self.bus = CommandBus(self.app, SPEC.commands, department="sla")
        self.seq = 0

    async def add(self, username: str, role: str, email: str | None = None) -> None:
        body = {"actor": ADMIN, "username": username, "display_name": username.title(),
                "user_department": "sales", "roles": [role], "password_hash": HASH,
                "email": email}
        assert (await self.bus.handle("add_user", json.dumps(body).encode())).ok

    def issue(self, day: date = DAY) -> list[DailyReportIssued]:
        reports = DailyReports(id=REPORTS_ID)  # its events, not stored: only delivered
        due = CAL.at(day, datetime.min.time().replace(hour=16))
        ctx = Context(actor=Actor(user="salesflow", role=Role.SYSTEM), now=due,
                      correlation_id=daily_pack_id(day))
        return [reports.trigger(DailyReportIssued, ctx, day=day, due_at=due, table=table,
                                rule=rule, as_of=due, late_seconds=0.0)
                for table, rule in (("samples", "R-S5"), ("orders", "R-O5"),
                                    ("complaints", "R-C5"))]

    def deliver(self, report: DailyReportIssued) -> None:
        self.seq += 1
        self.app.on_report_issued(report, Tracking("SALESFLOW_SLA@1", self.seq))
        assert self.app.tracked_position("SALESFLOW_SLA@1") == self.seq

    def delivered(self) -> list[DailyPackDelivered]:
        decode: Any = self.app.mapper.to_domain_event
        return [e for n in self.app.process_recorder.select_notifications(1, 10_000)
                if isinstance(e := decode(n), DailyPackDelivered)]


async def test_a_days_three_reports_make_one_delivery_with_its_recipients_and_email() -> None:
    """rule: R-S5, R-O5, R-C5 — the three reports of a day give one DailyPackDelivered, the
    workbook's hash, the recipients with their addresses, e-mailed; delivered again (a
    redelivery after a crash), nothing more is made or sent."""
    maker = FakeMaker(rows=[{"salesperson": "bob"}])
    desk = Desk(maker)
    await desk.add("sue", "cs_supervisor", "sue@example.com")
    await desk.add("bob", "salesperson", "bob@example.com")
    await desk.add("carol", "salesperson", "carol@example.com")
    reports = desk.issue()
    for report in [*reports, *reports]:
        desk.deliver(report)
    [delivered] = desk.delivered()
    assert (delivered.day, delivered.as_of, delivered.document_sha256) == (DAY, FOUR, "a" * 64)
    assert delivered.filename == "pack-daily-2026-03-02.xlsx" and delivered.size == 15
    assert [(r.username, r.email) for r in delivered.recipients] == [
        ("sue", "sue@example.com"), ("bob", "bob@example.com")]
    assert delivered.emailed and delivered.email_error is None
    assert maker.made == [DAY] and len(maker.sent) == 1
    assert delivered.record_no == "2026-03-02"


async def test_a_refusing_smtp_server_is_recorded_and_the_pack_still_delivered() -> None:
    maker = FakeMaker(rows=[], refuse="SMTPDataError: 554 no thanks")
    desk = Desk(maker)
    await desk.add("sue", "cs_supervisor", "sue@example.com")
    desk.deliver(desk.issue()[0])
    [delivered] = desk.delivered()
    assert not delivered.emailed and delivered.email_error == "SMTPDataError: 554 no thanks"


async def test_without_smtp_or_addresses_the_pack_is_stored_not_emailed() -> None:
    quiet = Desk(FakeMaker(rows=[], mails=False))
    await quiet.add("sue", "cs_supervisor")
    quiet.deliver(quiet.issue()[0])
    [stored] = quiet.delivered()
    assert (stored.emailed, stored.email_error) == (False, None)
    nobody = Desk(FakeMaker(rows=[]))
    await nobody.add("sue", "cs_supervisor")
    nobody.deliver(nobody.issue()[0])
    [unsent] = nobody.delivered()
    assert not unsent.emailed and "e-mail" in (unsent.email_error or "")


async def test_a_report_that_is_history_or_a_service_without_pack_maker_only_tracks() -> None:
    old = Desk(FakeMaker(rows=[]), now=FOUR + timedelta(days=4))
    old.deliver(old.issue()[0])
    assert old.delivered() == []
    none = Desk(None)
    none.deliver(none.issue()[0])
    assert none.delivered() == []


async def test_email_addresses_are_added_changed_cleared_and_listed() -> None:
    desk = Desk(None)
    await desk.add("amy", "salesperson", "amy@example.com")

    async def email(address: str | None) -> Any:
        body = {"actor": ADMIN, "username": "amy", "email": address}
        return await desk.bus.handle("change_user_email", json.dumps(body).encode())

    assert [(a.username, a.email) for a in desk.app.addressees()] == [("amy", "amy@example.com")]
    again = await email("amy@example.com")
    assert again.error is not None and (again.error.kind, again.error.field) == ("conflict",
                                                                                  "email")
    assert (await email("amy.wang@example.cn")).ok
    assert desk.app.addressees()[0].email == "amy.wang@example.cn"
    assert (await email(None)).ok
    assert desk.app.addressees()[0].email is None
    refused = await email("not an address")
    assert refused.error is not None and refused.error.field == "email"


def test_the_pack_aggregate_is_one_per_day() -> None:
    assert daily_pack_id(DAY) != daily_pack_id(DAY + timedelta(days=1))
    assert not DailyPack(id=daily_pack_id(DAY)).delivered
