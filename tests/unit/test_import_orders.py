"""Importing the old Order Summary (订单汇总表, issue 12): a row's cells as ``import_order``,
clean and messy; the sales use case (idempotent, conflicting re-import refused, R-O3); where an
imported order goes on in the live process; the row the Order Summary shows."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.commands.imports_orders import ImportOrder
from events.envelope import Actor, Role
from events.imports import ImportSource
from events.sales import order as ev
from projections import order_summary
from services.cli.orders import ORDER_COLUMNS
from services.domain import Context
from services.imports import cells
from services.imports.cells import CellRefused
from services.imports.orders import HEADERS, STATUSES, TABLE
from services.production.production_order import ProductionOrder, production_order_id
from services.runtime.commands import CommandBus
from services.sales.wiring import SPEC
from tests.unit.company import Company

# Production's reaction to OrderImported is tested for idempotency here (test_reactions_idempotent).
REACTIONS_COVERED: dict[str, set[Any]] = {"production": {ev.OrderImported}}
ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
AMY = Actor(user="amy", role=Role.SALES_ASSISTANT)
SOURCE = ImportSource(file_name="orders.xlsx", file_sha256="a" * 64, sheet="2025", row=3)
CLEAN = {"order_no": "O-1", "po_no": "PO-7", "ordered_at": "2025-03-05 09:30",
         "customer": "ACME", "salesperson": "bob", "product": "gasket (P-1)", "quantity": 5000,
         "promised_at": "2025-03-20 17:00", "pmc_replied_at": "2025-03-05 11:00",
         "customer_told_at": "2025-03-05 14:00", "qc_result": "OK", "shipping_note_no": "N-1",
         "shipped_at": "2025-03-19", "exceptions": None, "status": "shipped 已出货"}


def command(**cells_: Any) -> ImportOrder:
    return TABLE.to_command({**CLEAN, **cells_}, SOURCE, AMY, ZONE, NOW)


def refusal(**cells_: Any) -> CellRefused:
    with pytest.raises(CellRefused) as caught:
        command(**cells_)
    error = caught.value
    assert error.en and any("\u4e00" <= ch <= "\u9fff" for ch in error.zh), error
    return error


# -- the row's cells ---------------------------------------------------------------------------
def test_a_clean_row_is_the_command_with_its_values_typed() -> None:
    c = command()
    assert (c.order_no, c.stage, c.po_no, c.customer, c.product, c.part_no, c.quantity) == (
        "O-1", "shipped", "PO-7", "ACME", "gasket", "P-1", 5000)
    assert c.ordered_at == datetime(2025, 3, 5, 9, 30, tzinfo=ZONE)
    assert c.shipped_at == datetime(2025, 3, 19, tzinfo=ZONE) and c.source == SOURCE


def test_messy_cells_are_read_as_people_typed_them() -> None:
    c = command(ordered_at=45721.5, quantity="１２,０００", promised_at="2025年3月20日",
                status=" 生产中 ", customer_told_at=None, shipped_at=None, product="ｇａｓｋｅｔ")
    assert c.ordered_at == datetime(2025, 3, 5, 12, 0, tzinfo=ZONE)  # Excel serial 45721.5
    assert (c.quantity, c.stage, c.product, c.part_no) == (12000, "promised", "gasket", None)
    assert c.promised_at == datetime(2025, 3, 20, tzinfo=ZONE)


@pytest.mark.parametrize(("status", "stage"), [
    ("已出货", "shipped"), ("Shipped", "shipped"), ("SHIPPED 已出货", "shipped"),
    ("结案", "shipped"), ("已接单", "received"), ("received 已接单", "received"),
    ("已归档", "archived"), ("PMC已接单", "internal_order_issued"),
    ("internal_order_issued 已下内部订单", "internal_order_issued"),
    ("In production", "promised"), ("ｐｒｏｍｉｓｅｄ", "promised"),
    ("已通知客户交期", "customer_notified")])
def test_statuses_in_chinese_english_and_the_exports_form(status: str, stage: str) -> None:
    told = "2025-03-05 14:00" if stage == "customer_notified" else None
    assert command(status=status, customer_told_at=told).stage == stage


def test_a_promised_order_whose_customer_was_told_stands_at_customer_notified() -> None:
    assert command(status="生产中").stage == "customer_notified"


def test_without_a_status_the_stage_is_read_from_the_filled_columns() -> None:
    assert command(status=None).stage == "shipped"
    assert command(status=None, shipped_at=None).stage == "customer_notified"
    assert command(status=None, shipped_at=None, customer_told_at=None,
                   promised_at=None).stage == "received"


@pytest.mark.parametrize(("cells_", "field"), [
    ({"quantity": "a lot"}, "quantity"), ({"quantity": 0}, "quantity"),
    ({"quantity": None}, "quantity"), ({"ordered_at": "next week"}, "ordered_at"),
    ({"ordered_at": "1999-12-31"}, "ordered_at"), ({"ordered_at": "2027-01-05"}, "ordered_at"),
    ({"status": "lost"}, "status"), ({"status": "待检验"}, "status"),
    ({"status": "partly_shipped 部分出货"}, "status"),
    ({"status": "生产中", "promised_at": None, "customer_told_at": None}, "promised_at"),
    ({"order_no": "O 1"}, "order_no"), ({"customer": None}, "customer"),
    ({"shipped": "200/5000"}, "shipped")])
def test_a_cell_that_cannot_be_read_is_refused_naming_its_field(cells_: dict[str, Any],
                                                                 field: str) -> None:
    assert refusal(**cells_).field == field


def test_inspection_and_shipping_stages_are_refused_saying_why() -> None:
    error = refusal(status="检验合格")
    assert "inspection or shipping" in error.en and "检验或出货" in error.zh


def test_the_exports_headers_and_each_half_are_accepted() -> None:
    accepted = {field: {cells.normalize(h) for h in spellings}
                for field, spellings in HEADERS.items()}
    every = set().union(*accepted.values())
    for key, label in ORDER_COLUMNS:
        if key in ("flags",):  # derived marks: not imported
            continue
        english, _, chinese = label.rpartition(" ")
        for spelling in (label, english, chinese):
            assert cells.normalize(spelling) in every, spelling
    assert len(every) == sum(len(a) for a in accepted.values()), "a header names two fields"
    assert set(STATUSES) == {"received", "archived", "internal_order_issued", "promised",
                             "customer_notified", "shipped"}


# -- the use case and the record -----------------------------------------------------------
async def send(bus: CommandBus, c: ImportOrder | dict[str, Any], name: str = "import_order") -> Any:
    body = c.model_dump(mode="json") if isinstance(c, ImportOrder) else c
    return await bus.handle(name, json.dumps(body).encode())


def sales() -> tuple[Any, CommandBus]:
    app = SPEC.application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    return app, CommandBus(app, SPEC.commands)


def stored(app: Any) -> int:
    return app.recorder.max_notification_id() or 0  # type: ignore[no-any-return]


async def test_an_imported_row_is_one_event_dated_by_the_order_date_and_marked_imported() -> None:
    """rule: R-O3 — the assistant enters every order in the Order Summary."""
    app, bus = sales()
    reply = await send(bus, command())
    assert reply.ok and [e.type for e in reply.events] == ["OrderImported"]
    record = app.order("O-1")
    [event] = list(app.repository.event_store.get(record.id))
    assert isinstance(event, ev.OrderImported) and event.source == SOURCE
    assert event.timestamp == datetime(2025, 3, 5, 9, 30, tzinfo=ZONE)
    assert event.actor == AMY and record.status == "shipped" and record.shipped == 5000


async def test_importing_the_same_row_again_stores_nothing() -> None:
    """rule: R-O3 — a second import of the same file changes nothing."""
    app, bus = sales()
    assert (await send(bus, command())).ok
    before = stored(app)
    again = await send(bus, command())
    other_file = await send(bus, command().model_copy(update={"source": SOURCE.model_copy(
        update={"file_sha256": "b" * 64, "row": 9})}))
    assert again.ok and not again.events and other_file.ok and not other_file.events
    assert stored(app) == before


async def test_a_different_row_for_an_existing_order_number_is_refused() -> None:
    """rule: R-O3 — one order, one row: other facts under the same number are a conflict."""
    app, bus = sales()
    assert (await send(bus, command())).ok
    before = stored(app)
    moved = command(quantity=6000).model_copy(update={"source": SOURCE.model_copy(
        update={"row": 4})})
    reply = await send(bus, moved)
    assert not reply.ok and reply.error.kind == "conflict" and reply.error.field == "order_no"
    assert "O-1" in reply.error.message_en and "已以不同内容导入" in reply.error.message_zh
    assert stored(app) == before


async def test_a_live_order_is_not_overwritten_by_an_import() -> None:
    """rule: R-O3"""
    _, bus = sales()
    live = {"actor": AMY.model_dump(mode="json"), "order_no": "O-1", "po_no": "PO-7",
            "customer": "ACME", "lines": [{"product": "gasket", "part_no": "P-1",
                                           "quantity": 5000}],
            "requested_date": (datetime.now(UTC) + timedelta(days=20)).date().isoformat(),
            "salesperson": "bob", "assistant": "amy"}
    assert (await send(bus, live, "receive_order")).ok
    reply = await send(bus, command())
    assert not reply.ok and reply.error.kind == "conflict" and "已存在" in reply.error.message_zh


async def test_only_an_assistant_imports_orders() -> None:
    """rule: R-O3 — the assistant keeps the Order Summary."""
    _, bus = sales()
    reply = await send(bus, command().model_copy(update={
        "actor": Actor(user="bob", role=Role.SALESPERSON)}))
    assert not reply.ok and reply.error.kind == "forbidden"


@pytest.mark.parametrize(("status", "live", "payload"), [
    ("已接单", "archive_order", {}),
    ("已归档", "issue_internal_order", {"internal_order_no": "IO-1"}),
    ("生产中", "notify_customer_of_delivery", {"channel": "phone"}),
])
async def test_an_open_imported_order_accepts_the_next_live_sales_command(
        status: str, live: str, payload: dict[str, Any]) -> None:
    """rule: R-O3 — followed from where it stands (R-O1, R-O2 next)."""
    _, bus = sales()
    assert (await send(bus, command(status=status, customer_told_at=None, shipped_at=None))).ok
    reply = await send(bus, {"actor": AMY.model_dump(mode="json"), "order_no": "O-1", **payload},
                       live)
    assert reply.ok, reply.error


def test_production_takes_an_imported_promised_order_over_and_makes_its_lots() -> None:
    """rule: R-O4 — an imported order in production goes on to its lots."""
    event = ev.OrderImported(
        originator_id=production_order_id("O-1"), originator_version=1,
        timestamp=datetime(2025, 3, 5, tzinfo=UTC), event_id=production_order_id("x"),
        actor=AMY, correlation_id=production_order_id("c"), order_no="O-1", stage="promised",
        customer="ACME", lines=(ev.OrderLine(product="g", part_no="-", quantity=5000),),
        product_text="g", promised_at=datetime(2025, 3, 20, tzinfo=UTC), source=SOURCE)
    order = ProductionOrder(id=production_order_id("O-1"))
    system = Context(actor=Actor(user="system", role=Role.SYSTEM), now=event.timestamp,
                     correlation_id=event.correlation_id)
    order.take_over_import(system, event)
    order.take_over_import(system, event)  # a redelivery changes nothing
    assert [type(e).__name__ for e in order.collect_events()] == ["ImportedOrderReceived"]
    assert order.status == "promised" and order.ordered == 5000
    supervisor = Context(actor=Actor(user="pete", role=Role.PRODUCTION_SUPERVISOR),
                         now=datetime(2025, 3, 10, tzinfo=UTC), correlation_id=event.event_id)
    order.complete_lot(supervisor, "L-1", 5000)
    assert [type(e).__name__ for e in order.collect_events()] == ["LotCompleted"]


# -- the Order Summary row -------------------------------------------------------------------
def test_the_order_summary_row_shows_the_source_rows_values() -> None:
    c = command()
    event = ev.OrderImported(
        originator_id=production_order_id("O-1"), originator_version=1, timestamp=c.ordered_at,
        event_id=production_order_id("e"), actor=AMY, correlation_id=production_order_id("c"),
        order_no="O-1", stage="shipped", po_no="PO-7", customer="ACME", salesperson="bob",
        lines=(ev.OrderLine(product="gasket", part_no="P-1", quantity=5000),),
        product_text="gasket (P-1)", promised_at=c.promised_at, pmc_replied_at=c.pmc_replied_at,
        customer_told_at=c.customer_told_at, qc_result="OK", shipping_note_no="N-1",
        shipped_at=c.shipped_at, source=SOURCE)
    row = order_summary.new_row("O-1")
    assert order_summary.apply(row, event)
    assert (row["status"], row["products"], row["ordered_qty"], row["shipped_qty"]) == (
        "shipped", "gasket (P-1)", 5000, 5000)
    assert row["received_at"] == "2025-03-05T01:30:00+00:00"
    assert row["promised_at"] == "2025-03-20T09:00:00+00:00"
    assert row["customer_told_at"] == "2025-03-05T06:00:00+00:00"
    assert (row["shipping_note_nos"], row["qc_result"], row["imported"]) == ("N-1", "OK", True)
    assert row["import_source"]["row"] == 3 and row["delivered_on_time"] is True


def test_production_takes_an_imported_order_over_once_and_ignores_closed_ones() -> None:
    """rule: R-O2 — a redelivered OrderImported (new stream sequence) changes nothing."""
    company = Company()

    def imported(no: str, stage: str) -> ev.OrderImported:
        return ev.OrderImported(
            originator_id=production_order_id(no), originator_version=1,
            timestamp=datetime(2025, 3, 5, tzinfo=UTC), event_id=uuid.uuid4(), actor=AMY,
            correlation_id=uuid.uuid4(), order_no=no, stage=stage, customer="ACME",
            lines=(ev.OrderLine(product="g", part_no="-", quantity=50),), product_text="g",
            source=SOURCE)
    open_ = imported("O-7", "internal_order_issued")
    assert [type(e).__name__ for e in company.deliver(company.production.on_order_imported,
                                                      open_)] == ["ImportedOrderReceived"]
    assert company.deliver(company.production.on_order_imported, open_) == []
    assert company.deliver(company.production.on_order_imported, imported("O-8", "shipped")) == []
    assert company.production.production_order("O-7").status == "received"


def test_the_export_shows_an_imported_orders_qc_and_exceptions_cells() -> None:
    """rule: R-O3 — the old table's QC and exceptions cells come back out in the export's
    columns (the live ones are worked out from lots and exception records)."""
    from projections import order_summary
    from services.cli.orders import order_cells

    row = order_summary.new_row("O-1")
    row.update(qc_result="OK 合格", exceptions_note="机器故障一次", status="shipped")
    cells = order_cells(row)
    assert (cells["qc"], cells["exceptions"]) == ("OK 合格", "机器故障一次")
    live = order_summary.new_row("O-2")
    live.update(status="received")
    assert (order_cells(live)["qc"], order_cells(live)["exceptions"]) == ("", "")
