"""The daily 16:00 pack (R-S5, R-O5, R-C5): the three summaries as of 16:00 in one workbook, for
the CS supervisors and the salespeople concerned.

When a day's ``DailyReportIssued`` reach the service's own consumer (all three are stored in one
transaction), the pack is made once per day (aggregate ``daily_pack``): the tables are asked of
the projections as of that 16:00, the workbook is stored in the documents object store, it is
e-mailed where an SMTP server is configured, and one ``DailyPackDelivered`` is stored together
with the consumer's tracking. So the store holds each day's delivery exactly once, whatever is
redelivered or restarted. The e-mail is at-least-once: a crash after the SMTP server took the
message and before the event was stored sends it again on the next delivery of the report.
A refusing SMTP server does not hold the pack up: the delivery is recorded, not e-mailed, with
the server's answer.
"""
from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from eventsourcing.persistence import Tracking

from contracts.calendar import WorkingCalendar
from events.envelope import Role
from events.sla import DailyPackDelivered, DailyReportIssued, PackRecipient
from services.domain import Aggregate, Context, record_id
from services.runtime.spec import runs_alone

log = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A report older than this when its delivery comes up is history (a stream read again from its
# start, the feature switched on over old reports): no pack is made for it.
MAX_AGE = timedelta(days=3)
TABLES_EN = "Sample Record Summary, Order Summary, Complaint Summary"
TABLES_ZH = "打样记录汇总表、订单汇总表、客诉投诉汇总表"


def daily_pack_id(day: date) -> uuid.UUID:
    return record_id("daily_pack", day.isoformat())


def pack_filename(day: date) -> str:
    """``pack-daily-2026-06-01.xlsx``, the name ``salesflow pack daily`` gives the same file."""
    return f"pack-daily-{day.isoformat()}.xlsx"


@dataclass(frozen=True)
class Addressee:
    """What the pack's delivery needs of one account."""

    username: str
    display_name: str
    roles: tuple[Role, ...]
    email: str | None
    disabled: bool


@dataclass(frozen=True)
class MadePack:
    """The day's workbook as stored, and the table rows it was made from."""

    content: bytes
    sha256: str
    rows: Sequence[Mapping[str, Any]]


class PackMaker(Protocol):
    """The I/O of a delivery (``services.sla.pack_delivery``): blocking calls from the
    reaction's thread."""

    def make(self, day: date, as_of: datetime, calendar: WorkingCalendar,
             now: datetime) -> MadePack: ...

    def send(self, message: EmailMessage) -> tuple[bool, str | None]:
        """Whether the SMTP server took the message, and why not (or whom it refused);
        never raises."""

    @property
    def mails(self) -> bool:
        """Whether an SMTP server is configured."""


def named_salespeople(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """The salespeople the rows name (``salesperson``), compared without case."""
    return {str(r["salesperson"]).strip().casefold() for r in rows if r.get("salesperson")}


def choose_recipients(people: Iterable[Addressee], rows: Iterable[Mapping[str, Any]]
                      ) -> tuple[PackRecipient, ...]:
    """R-S5, R-O5, R-C5: every enabled CS supervisor, and the enabled salespeople concerned:
    those the rows name (by sign-in name or full name) when the rows name any salesperson,
    else every enabled salesperson. Someone holding both roles is listed once, as supervisor."""
    enabled = [p for p in people if not p.disabled]
    named = named_salespeople(rows)
    chosen: dict[str, PackRecipient] = {}
    for person in sorted(enabled, key=lambda p: p.username):
        if Role.CS_SUPERVISOR in person.roles:
            chosen[person.username] = _recipient(person, "cs_supervisor")
    for person in sorted(enabled, key=lambda p: p.username):
        if Role.SALESPERSON not in person.roles or person.username in chosen:
            continue
        known_as = {person.username.casefold(), person.display_name.strip().casefold()}
        if not named or known_as & named:
            chosen[person.username] = _recipient(person, "salesperson")
    return tuple(chosen.values())


def _recipient(person: Addressee, role: str) -> PackRecipient:
    return PackRecipient(username=person.username, display_name=person.display_name,
                         role=role, email=person.email)  # type: ignore[arg-type]


def pack_message(day: date, as_of: datetime, zone: str, recipients: Sequence[PackRecipient],
                 filename: str, content: bytes, sender: str) -> EmailMessage | None:
    """One message to every recipient with an address, the workbook attached; None when
    nobody has one."""
    addresses = [r.email for r in recipients if r.email]
    if not addresses:
        return None
    shown = f"{day.isoformat()} {as_of.strftime('%H:%M')}"
    message = EmailMessage()
    message["Subject"] = f"{day.isoformat()} 16:00 日报 / Daily 16:00 report {day.isoformat()}"
    message["From"] = sender
    message["To"] = ", ".join(dict.fromkeys(addresses))
    names = "、".join(r.display_name for r in recipients)
    message.set_content(
        f"您好，\n\n附件为 {shown}（{zone}）的 16:00 日报：{TABLES_ZH}（R-S5、R-O5、R-C5）。\n"
        f"收件人：{names}\n\n"
        f"Hello,\n\nAttached is the daily 16:00 report as of {shown} ({zone}): {TABLES_EN} "
        f"(R-S5, R-O5, R-C5).\nSent to: {', '.join(r.display_name for r in recipients)}\n\n"
        "— salesflow\n")
    maintype, subtype = XLSX.split("/")
    message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


@dataclass
class DailyPack(Aggregate):
    """One day's pack: delivered once."""

    delivered: bool = False

    def deliver(self, ctx: Context, day: date, as_of: datetime, made: MadePack, filename: str,
                recipients: tuple[PackRecipient, ...], emailed: bool,
                email_error: str | None) -> None:
        self.trigger(DailyPackDelivered, ctx, day=day, as_of=as_of, document_sha256=made.sha256,
                     filename=filename, size=len(made.content), recipients=recipients,
                     emailed=emailed, email_error=email_error[:500] if email_error else None)

    def when_DailyPackDelivered(self, e: DailyPackDelivered) -> None:
        self.delivered = True


class DailyPackCases:
    """The reaction of ``SlaApplication`` to the issued reports."""

    pack_maker: PackMaker | None = None
    pack_sender: str = "salesflow@localhost"

    if TYPE_CHECKING:  # provided by SlaApplication
        from eventsourcing.persistence import ProcessRecorder

        from contracts.replies import EventRef

        clock: Callable[[], datetime]
        calendar: WorkingCalendar
        process_recorder: ProcessRecorder

        def store(self, *aggregates: Aggregate, tracking: Any = None) -> list[EventRef]: ...
        def load_or_new(self, cls: type[Any], aggregate_id: uuid.UUID) -> Any: ...
        def reaction_context(self, cause: Any) -> Context: ...
        def addressees(self) -> list[Addressee]: ...

    # Asks the projections over NATS, stores the workbook and e-mails it: never captured in a
    # consumer's run (an e-mail sent for a run that is then not written would go again).
    @runs_alone
    def on_report_issued(self, event: DailyReportIssued, tracking: Tracking) -> None:
        """The day's pack, once: made, stored, e-mailed, recorded with the tracking."""
        pack: DailyPack = self.load_or_new(DailyPack, daily_pack_id(event.day))
        maker = self.pack_maker
        if pack.delivered or maker is None or self.clock() - event.timestamp > MAX_AGE:
            if not pack.delivered:
                log.info("no daily pack for %s (%s)", event.day,
                         "no pack maker" if maker is None else "the report is history")
            self.process_recorder.insert_tracking(tracking)
            return
        made = maker.make(event.day, event.as_of, self.calendar, self.clock())
        recipients = choose_recipients(self.addressees(), made.rows)
        filename = pack_filename(event.day)
        emailed, error = False, None
        if maker.mails:
            message = pack_message(event.day, event.as_of.astimezone(ZoneInfo(self.calendar.zone)),
                                   self.calendar.zone, recipients, filename, made.content,
                                   self.pack_sender)
            if message is None:
                error = "nobody it goes to has an e-mail address / 收件人均无电子邮箱"
            else:
                emailed, error = maker.send(message)
        pack.deliver(self.reaction_context(event), event.day, event.as_of, made, filename,
                     recipients, emailed, error)
        self.store(pack, tracking=tracking)
