"""The daily pack's I/O for the running sla service: the projections asked over NATS, the
workbook stored in the documents object store, the e-mail sent with the standard library.

The reaction runs in a worker thread; the NATS work is handed to the service's event loop and
waited for there. The projections must have applied every department's stream up to the moment
the pack is made (their durable consumers' ack floors, as the dashboard's live feed waits for
them), so a step stored just before 16:00 is in the tables. A pack that cannot be made because
the projections or NATS are away raises ``PackSourcesAway``, which the consumer waits out like
a store outage instead of dead-lettering the report.
"""
from __future__ import annotations

import asyncio
import logging
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, date, datetime
from email.message import EmailMessage
from typing import Any

import nats.errors
from eventsourcing.persistence import OperationalError
from nats.aio.client import Client as Nats
from nats.js.errors import NotFoundError

from contracts.calendar import WorkingCalendar
from contracts.subjects import DEPARTMENTS, PROJECTIONS, durable_name, stream_name
from services.cli.client import Client, QueryRefused
from services.reports import exports, pack_data, packs
from services.reports.workbook import to_bytes
from services.runtime import object_store
from services.runtime.connect import NatsUnavailable
from services.runtime.settings import Settings
from services.sla.daily_pack import MadePack

log = logging.getLogger(__name__)

CATCH_UP_PATIENCE = 10.0  # seconds the projections get to apply what was stored before the pack
QUERY_SECONDS = 5.0
MAKE_SECONDS = CATCH_UP_PATIENCE + 4 * QUERY_SECONDS + 5.0
POLL_SECONDS = 0.05


class PackSourcesAway(OperationalError):
    """The projections or NATS did not answer: the consumer waits and tries again (an outage,
    ``services.runtime.faults.is_outage``), the report is never dead-lettered for it."""


async def projections_caught_up(js: Any, patience: float) -> bool:
    """True once the projections applied every department stream up to its last message as
    it stands now; False after ``patience`` seconds. A stream or consumer not there yet has
    nothing to wait for."""
    loop = asyncio.get_running_loop()
    until = loop.time() + patience
    for department in DEPARTMENTS:
        stream = stream_name(department)
        try:
            last = (await js.stream_info(stream)).state.last_seq or 0
        except NotFoundError:
            continue
        while True:
            try:
                info = await js.consumer_info(stream, durable_name(PROJECTIONS, department.value))
            except NotFoundError:
                break
            floor = (info.ack_floor.stream_seq or 0) if info.ack_floor is not None else 0
            if floor >= last or not (info.num_pending or info.num_ack_pending):
                break
            if loop.time() >= until:
                return False
            await asyncio.sleep(POLL_SECONDS)
    return True


class NatsPackMaker:
    """``PackMaker`` over the service's NATS connection and the configured SMTP server."""

    def __init__(self, nc: Nats, loop: asyncio.AbstractEventLoop, settings: Settings) -> None:
        self.nc, self.loop, self.settings = nc, loop, settings
        self.client = Client(nc)

    @property
    def mails(self) -> bool:
        return bool(self.settings.smtp_host)

    def make(self, day: date, as_of: datetime, calendar: WorkingCalendar,
             now: datetime) -> MadePack:
        future = asyncio.run_coroutine_threadsafe(self._make(day, calendar, now), self.loop)
        try:
            return future.result(MAKE_SECONDS)
        except TimeoutError:
            future.cancel()
        # Raised outside the handler: with a cause or context it would not count as an outage.
        raise PackSourcesAway(f"the daily pack of {day} was not made within {MAKE_SECONDS:.0f} s")

    async def _make(self, day: date, calendar: WorkingCalendar, now: datetime) -> MadePack:
        js = self.nc.jetstream(timeout=QUERY_SECONDS)
        try:
            if not await projections_caught_up(js, CATCH_UP_PATIENCE):
                raise PackSourcesAway("the projections have not applied the events stored "
                                      f"before the pack within {CATCH_UP_PATIENCE:.0f} s")
            answers: dict[str, Any] = {}

            async def query(subject: str, body: dict[str, Any]) -> Any:
                return await self.client.query(subject, body, QUERY_SECONDS)

            paged = exports.page_by_page(query)  # a table larger than one NATS message, page by page

            async def ask(subject: str, body: dict[str, Any]) -> Any:
                answers[subject] = await paged(subject, body)
                return answers[subject]

            # The projections read no further than the wall clock: with this service's clock
            # ahead of it (SALESFLOW_CLOCK_OFFSET_SECONDS, tests and demos) their 16:00 has not
            # come yet, and the pack is the tables as they stand now, saying so.
            wall = datetime.now(UTC)
            book = packs.workbook(await pack_data.daily(ask, day, calendar=calendar,
                                                        now=min(now, wall)))
            content = to_bytes(book)
            sha256 = await object_store.put(js, content, self.settings.stream_replicas)
        except QueryRefused:
            raise  # the projections refused a query: not an outage (retried, then dead letters)
        except (NatsUnavailable, nats.errors.Error, TimeoutError) as error:
            away: str | None = f"{type(error).__name__}: {error}"
        else:
            away = None
        if away is not None:  # raised outside the handler, as above
            raise PackSourcesAway(away)
        rows = [row for table in exports.TABLES.values()
                for row in answers.get(table.subject) or [] if isinstance(row, Mapping)]
        return MadePack(content=content, sha256=sha256, rows=rows)

    def send(self, message: EmailMessage) -> tuple[bool, str | None]:
        return send_mail(self.settings, message)


def send_mail(settings: Settings, message: EmailMessage) -> tuple[bool, str | None]:
    """(sent, why not or which recipients were refused); never raises. Port 465 speaks TLS from
    the start; another port upgrades with STARTTLS when ``smtp_starttls``."""
    host, port = settings.smtp_host or "", settings.smtp_port
    try:
        smtp = (smtplib.SMTP_SSL(host, port, timeout=settings.smtp_timeout_seconds)
                if port == 465 else smtplib.SMTP(host, port,
                                                 timeout=settings.smtp_timeout_seconds))
        with smtp:
            if port != 465 and settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            refused = smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        log.warning("the daily pack was not e-mailed: %s: %s", type(error).__name__, error)
        return False, f"{type(error).__name__}: {error}"[:500]
    if refused:
        return True, ("refused recipients: " + "; ".join(
            f"{address} {code} {reply.decode(errors='replace')}"
            for address, (code, reply) in refused.items()))[:500]
    return True, None
