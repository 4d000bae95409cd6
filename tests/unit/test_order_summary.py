"""The Order Summary (订单汇总表): complete rows, the same whatever order the four department
streams arrive in; partial shipments, exceptions and rework shown; sample promises left out."""
from __future__ import annotations

import copy
import itertools
import json
import random
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.subjects import QUERY_ORDERS
from events import production as prod
from events.envelope import DomainEvent, Role
from events.sales import order as so
from projections import order_summary
from projections.order_summary import Row
from projections.projector import Projector
from projections.store import ViewStore
from services.cli import main, orders
from services.cli.orders import orders_table
from services.reports.exports import EXPORT_PAGE
from services.runtime.settings import Settings
from tests.order_events import ORDER_T0, order_note, order_path
from tests.projection_events import Aggregate, by_stream

Streams = dict[str, list[DomainEvent]]


def fold(events: Sequence[DomainEvent], no: str = "O-1") -> Row:
    row = order_summary.new_row(no)
    for event in events:
        order_summary.apply(row, event)
    return row


def merges(streams: Streams, seed: int) -> list[DomainEvent]:
    """One interleaving of the streams that keeps each stream's own order."""
    rng, queues = random.Random(seed), {name: list(events) for name, events in streams.items()}
    merged: list[DomainEvent] = []
    while any(queues.values()):
        name = rng.choice([n for n, q in queues.items() if q])
        merged.append(queues[name].pop(0))
    return merged


def interleavings(streams: Streams) -> Iterator[list[DomainEvent]]:
    for order in itertools.permutations(streams):
        yield [e for name in order for e in streams[name]]
    for seed in range(40):
        yield merges(streams, seed)


def at(hours: float) -> str:
    return (ORDER_T0 + timedelta(hours=hours)).isoformat()


def test_every_interleaving_of_the_department_streams_gives_the_same_row() -> None:
    """rule: R-O3 — the assistant's Order Summary follows the order's live status across sales,
    production, engineering and quality, however their streams interleave."""
    streams = order_path("O-1", delayed=True)
    rows = [fold(events) for events in interleavings(streams)]
    assert all(r == rows[0] for r in rows)
    row = rows[0]
    assert (row["status"], row["status_zh"]) == ("shipped", "已出货")
    assert (row["po_no"], row["customer"], row["salesperson"], row["assistant"]) == (
        "PO-O-1", "ACME", "bob", "amy")
    assert (row["ordered_qty"], row["completed_qty"], row["passed_qty"], row["shipped_qty"]) == (
        1000, 1000, 1000, 1000)
    assert (row["internal_order_no"], row["issued_at"], row["pmc_received_at"]) == (
        "I-O-1", at(1), at(1))
    assert (row["first_promised_at"], row["pmc_replied_at"], row["promised_at"]) == (
        at(72), at(2), at(96))
    assert (row["first_told_at"], row["customer_told_at"], row["customer_told_latest"]) == (
        at(4), at(6), True)
    assert (row["instructions_revision"], row["instructions_issued_at"]) == (2, at(4))
    assert row["materials"][0]["received_by"] == "Zhou"
    assert (row["delay_notices"], row["delay_timely"]) == (1, True)
    assert row["lots"]["L2"]["attempts"] == 2 and row["lots"]["L2"]["result"] == "passed"
    assert (row["lot_count"], row["inspected_lots"], row["reworked_lots"]) == (2, 2, 1)
    assert row["completed_at"] == at(36) and row["late"] is False
    assert row["delivered_at"] == at(122) and row["delivered_on_time"] is False
    copies = row["shipping_notes"]["N-O-1-1"]["copies"]
    assert copies == {"delivery": "delivery desk", "finance": "finance desk", "sales": "sales desk"}


def test_a_partial_shipment_is_shown_with_what_is_left() -> None:
    """rule: R-O3 — partial shipments of one order are allowed and shown."""
    streams = order_path("O-1", shipments=[("L1",)])
    rows = [fold(events) for events in interleavings(streams)]
    assert all(r == rows[0] for r in rows)
    row = rows[0]
    assert (row["status"], row["status_zh"]) == ("partly_shipped", "部分出货")
    assert (row["shipped_qty"], row["ordered_qty"], row["delivered_at"]) == (600, 1000, None)
    assert row["shipping_note_nos"] == "N-O-1-1" and row["tracking_no"] == "SF-N-O-1-1"
    assert row["shipped_at"] == at(112) and row["delivered_on_time"] is None
    assert "600/1000" in orders_table([row], UTC)


def test_an_exception_stays_open_until_every_recipient_has_it() -> None:
    """rule: R-O3 — an exception reaches the customer contact, the salesperson and the CS
    supervisor; the table shows it open until all three have it."""
    open_row = fold(order_path("O-1")["sales"])
    exception = open_row["exceptions"]["X-O-1"]
    assert exception["kind"] == "material_shortage" and exception["delivered"] == [
        "customer_contact", "salesperson"]
    assert (open_row["exception_count"], open_row["exceptions_open"]) == (1, 1)
    assert open_row["exception_kinds"] == "material_shortage"
    assert "1 (1 open 未送达)" in orders_table([open_row], UTC)
    closed = fold(order_path("O-1", exception_closed=True)["sales"])
    assert (closed["exception_count"], closed["exceptions_open"]) == (1, 0)


def test_status_follows_the_steps_of_the_order() -> None:
    """rule: R-O3 — the live status, from intake through PMC's promise, inspection and rework,
    to the shipping note."""
    streams = order_path("O-1", lots=[("L1", 1000, 1)], shipments=[("L1",)])
    sales, production, quality = streams["sales"], streams["production"], streams["quality"]
    row = order_summary.new_row("O-1")
    seen = []

    def feed(*events: DomainEvent) -> None:
        for event in events:
            order_summary.apply(row, event)
        seen.append(row["status"])

    feed(sales[0])
    feed(sales[1])
    feed(sales[2])
    feed(production[0])
    feed(production[1])
    feed(*sales[3:5])
    feed(production[2], quality[0])  # lot made, waiting for quality
    feed(quality[1])  # failed
    feed(production[3], production[4], quality[2])  # reworked, attempt 2 waits
    feed(quality[3])  # passed
    notes = [i for i, e in enumerate(sales) if isinstance(e, so.ShippingNoteIssued)]
    feed(*sales[5:notes[0] + 1])
    assert seen == ["received", "archived", "internal_order_issued", "pmc_received", "promised",
                    "customer_notified", "inspecting", "rework", "inspecting", "passed",
                    "note_issued"]


def test_a_verdict_on_an_old_attempt_does_not_undo_a_newer_completion() -> None:
    """rule: R-O3 — quality's failure of attempt 1 arriving after production's attempt 2 leaves
    the lot waiting for inspection of attempt 2, not in rework."""
    streams = order_path("O-1", lots=[("L1", 1000, 1)], shipments=[])
    lot_done = [e for e in streams["production"] if isinstance(e, prod.LotCompleted)]
    row = fold([*lot_done, *streams["quality"][:3]])
    assert row["lots"]["L1"]["attempts"] == 2 and row["status"] == "inspecting"
    assert row["lots"]["L1"]["failed"] == 1 and row["reworked_lots"] == 1


def test_completion_after_the_latest_promise_is_late_and_a_timely_delay_moves_it() -> None:
    """rule: R-O5 — the CS supervisor and the salesperson see which orders are late."""
    one_lot = {"lots": [("L1", 1000, 0)], "shipments": [("L1",)], "made": 77}
    late = fold([e for s in order_path("O-1", **one_lot).values() for e in s])
    assert late["late"] is True and late["completed_at"] == at(80)
    moved = fold([e for s in order_path("O-1", delayed=True, **one_lot).values() for e in s])
    assert moved["late"] is False and moved["promised_at"] == at(96)
    assert "late" in orders_table([late], UTC) and "delay" in orders_table([moved], UTC)


def test_a_sample_promise_and_sales_copies_of_other_departments_steps_leave_the_row_alone() -> None:
    """rule: R-O3 — promises of samples share the event type (``promises="sample"``); sales'
    own records of production's steps are not counted twice."""
    streams = order_path("O-1", delayed=True)
    row = fold(streams["sales"] + streams["production"])
    before = copy.deepcopy(row)
    sample = Aggregate("sample_work_order", "O-1")(
        prod.DeliveryPromised, ORDER_T0, Role.PMC_PLANNER, promises="sample", request_no="O-1",
        promised_at=ORDER_T0 + timedelta(hours=1))
    copies = [e for e in streams["sales"]
              if isinstance(e, so.OrderProgressRecorded | so.OrderDelayRecorded)]
    assert copies and not any(order_summary.apply(row, e) for e in [sample, *copies])
    assert order_summary.apply(row, order_note("2026-11", "fine")[0]) is False
    assert row == before


@pytest.fixture
def store() -> Iterator[ViewStore]:
    views = ViewStore({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"})
    yield views
    views.close()


def test_the_table_filters_by_customer_status_salesperson_and_company_month(store: ViewStore) -> None:
    """rule: R-O5 — the CS supervisor's and each salesperson's reading of the Order Summary;
    an order taken at 07:30 on 1 December in Shanghai (23:30 UTC the day before) is December's."""
    dec = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    events = [e for no, kw in [("O-1", {}), ("O-2", {"customer": "Bolt", "shipments": [("L1",)]}),
                               ("O-3", {"salesperson": "cai", "start": dec})]
              for s in order_path(no, **kw).values() for e in s]
    projector = Projector(store, zone=ZoneInfo("Asia/Shanghai"))
    for items in by_stream(events).values():
        projector.apply(items)
    orders = projector.models.orders
    assert [r["order_no"] for r in orders.rows(store)] == ["O-1", "O-2", "O-3"]
    assert [r["order_no"] for r in orders.rows(store, customer="Bolt")] == ["O-2"]
    assert [r["order_no"] for r in orders.rows(store, status="partly_shipped")] == ["O-2"]
    assert [r["order_no"] for r in orders.rows(store, salesperson="cai")] == ["O-3"]
    assert [r["order_no"] for r in orders.rows(store, month="2026-12")] == ["O-3"]
    assert [r["order_no"] for r in orders.rows(store, month="2026-11", customer="ACME")] == ["O-1"]
    samples = projector.models.samples.rows(store)
    assert samples == []  # order promises are not samples'
    once = orders.rows(store)
    for items in by_stream(events, first=1000).values():  # the streams read again: no change
        projector.apply(items)
    assert orders.rows(store) == once
    assert fold([e for e in events if e.record_no == "O-1"]) == once[0]


class AskingClient:
    """Answers every query with ``answer`` (a page of it when asked with ``limit``, as the
    projections do) and remembers what was asked."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.asked: list[tuple[str, Any]] = []

    async def query(self, subject: str, payload: Any = None, timeout: float = 10.0) -> Any:
        self.asked.append((subject, payload))
        if isinstance(payload, dict) and "limit" in payload:
            start = payload["offset"]
            return {"items": self.answer[start:start + payload["limit"]],
                    "total": len(self.answer), "offset": start, "limit": payload["limit"]}
        return self.answer


FIRST_PAGE = {"limit": EXPORT_PAGE, "offset": 0}  # the listings read a table page by page


async def test_salesflow_orders_asks_with_its_filters_and_shows_stored_escapes_visibly(
        capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-O5 — `salesflow orders --customer ... --salesperson ...` as the salesperson reads
    it; text stored before commands refused control characters reaches the terminal escaped."""
    row = fold(order_path("O-1", customer="ACME\x1b[2J", shipments=[("L1",)])["sales"])
    client = AskingClient([row])
    args = main.parser().parse_args(["orders", "--customer", "ACME", "--salesperson", "bob",
                                     "--month", "2026-11"])
    assert await orders.run(args, Settings(), client) == 0  # type: ignore[arg-type]
    assert client.asked == [(QUERY_ORDERS, {"customer": "ACME", "month": "2026-11",
                                            "salesperson": "bob", **FIRST_PAGE})]
    out = capsys.readouterr().out
    assert "ACME\\x1b[2J" in out and "\x1b" not in out
    assert "No. 订单号" in out and "partly_shipped 部分出货" in out and "1 orders / 共 1 单" in out
    await orders.run(main.parser().parse_args(["orders", "--json"]), Settings(), client)  # type: ignore[arg-type]
    assert json.loads(capsys.readouterr().out)[0]["customer"] == "ACME\x1b[2J"
