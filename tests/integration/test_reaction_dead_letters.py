"""Sales' order and complaint reactions on a real nats-server when a report names a record sales
does not know (the ``AggregateNotFoundError`` branch of the order and complaint use cases): the
report is dead-lettered, the consumer goes on, the next report is applied once, and a repeat of
it changes nothing."""
from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import nats

from events import production as prod
from events import quality as qual
from events.envelope import DomainEvent, Role
from events.sales import ComplaintReceived, OrderProgressRecorded
from services.runtime import dead_letters
from services.runtime.settings import Settings
from services.sales.application import SalesApplication
from tests.integration.system import running, until
from tests.projection_events import Aggregate, publish


def stored(settings: Settings, kind: type[DomainEvent]) -> list[Any]:
    app = SalesApplication(settings.store_env("sales"))
    try:
        events = [app.mapper.to_domain_event(n) for n in app.recorder.select_notifications(1, 1000)]
        return [e for e in events if isinstance(e, kind)]
    finally:
        app.close()


def progress(settings: Settings) -> list[OrderProgressRecorded]:
    return stored(settings, OrderProgressRecorded)


async def order(nc: Any) -> None:
    """Order O-1 taken in, archived and issued to PMC, through the sales service."""
    amy = {"user": "amy", "role": "sales_assistant"}
    steps = [("receive_order", {"po_no": "PO-1", "customer": "ACME", "salesperson": "bob",
                                "assistant": "amy", "requested_date": date.today() + timedelta(days=9),
                                "lines": [{"product": "gasket", "part_no": "P-1", "quantity": 900}]}),
             ("archive_order", {}), ("issue_internal_order", {"internal_order_no": "IO-1"})]
    for name, fields in steps:
        msg = await nc.request(f"salesflow.cmd.sales.{name}", json.dumps(
            {"actor": amy, "order_no": "O-1", **fields}, default=str).encode(), timeout=10)
        assert json.loads(msg.data)["ok"], msg.data


async def test_a_lot_of_an_unknown_order_is_dead_lettered_and_the_next_one_applied_once(
        settings: Settings) -> None:
    """rule: R-O4 — sales records each finished lot of its orders once; a lot of an order it
    does not have is set aside (dead letter), and nothing after it is lost."""
    settings = settings.model_copy(update={"max_deliver": 1})
    now = datetime.now(UTC)
    ghost = Aggregate("production_order", "O-GHOST")(
        prod.LotCompleted, now, Role.PRODUCTION_SUPERVISOR, order_no="O-GHOST", lot_no="L1",
        quantity=5)
    real = Aggregate("production_order", "O-1")(
        prod.LotCompleted, now, Role.PRODUCTION_SUPERVISOR, order_no="O-1", lot_no="L1",
        quantity=400)
    async with running(settings, ["sales"]):
        nc = await nats.connect(settings.nats_url)
        js = nc.jetstream()
        await order(nc)
        await publish(js, [ghost, real])

        async def counted() -> bool:
            return await dead_letters.counts(js) == {"sales": 1}
        await until(counted, "the unknown order's lot dead-lettered")
        await until(lambda: len(progress(settings)) == 1, "O-1's lot recorded")
        await publish(js, [real], msg_id="again-{event_id}")  # past the dedupe window
        [letter] = await dead_letters.letters(js)
        assert '"O-GHOST"' in letter.data.decode()
        marker = Aggregate("production_order", "O-1")
        marker.version = 1
        later = marker(prod.LotCompleted, now, Role.PRODUCTION_SUPERVISOR, order_no="O-1",
                       lot_no="L2", quantity=500)
        await publish(js, [later])
        await until(lambda: len(progress(settings)) == 2, "O-1's second lot recorded")
        recorded = progress(settings)
        assert [e.source_event_id for e in recorded] == [real.event_id, later.event_id]
        assert await dead_letters.counts(js) == {"sales": 1}
        await nc.close()


async def test_an_analysis_of_an_unknown_complaint_is_dead_lettered_and_the_next_report_applied_once(
        settings: Settings) -> None:
    """rule: R-C2 rule: R-C4 — quality's analysis of a complaint sales never had is set aside; a
    complaint quality redirects after it is still taken in by sales, once."""
    settings = settings.model_copy(update={"max_deliver": 1})
    now = datetime.now(UTC)
    ghost = Aggregate("complaint_desk", "K-GHOST")(
        qual.QualityComplaintAnalysed, now, Role.QUALITY_ENGINEER, complaint_no="K-GHOST",
        cause="?", measures="?")
    redirected = Aggregate("complaint_desk", "K-1")(
        qual.QualityComplaintRedirected, now, Role.QC_INSPECTOR, complaint_no="K-1",
        channel="fax", customer="ACME", summary="peels", how="forwarded_to_technical_support")
    async with running(settings, ["sales"]):
        nc = await nats.connect(settings.nats_url)
        js = nc.jetstream()
        await publish(js, [ghost, redirected])

        async def counted() -> bool:
            return await dead_letters.counts(js) == {"sales": 1}
        await until(counted, "the unknown complaint's analysis dead-lettered")
        await publish(js, [redirected], msg_id="again-{event_id}")  # past the dedupe window
        later = Aggregate("complaint_desk", "K-2")(
            qual.QualityComplaintRedirected, now, Role.QC_INSPECTOR, complaint_no="K-2",
            channel="phone", customer="BOLT", summary="burr", how="caller_told_process")
        await publish(js, [later])
        await until(lambda: len(stored(settings, ComplaintReceived)) == 2, "both taken in")
        taken = stored(settings, ComplaintReceived)
        assert [(e.complaint_no, e.source_event_id) for e in taken] == [
            ("K-1", redirected.event_id), ("K-2", later.event_id)]
        assert await dead_letters.counts(js) == {"sales": 1}
        await nc.close()
