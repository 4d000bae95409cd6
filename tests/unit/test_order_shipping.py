"""The sales order record after production: lots reported by production and quality, shipping
notes for lots that passed, their three copies, arranged and confirmed shipments (R-O4)."""
from __future__ import annotations

import pytest

from events.envelope import Role
from events.sales import order as ev
from events.sales.order import ShippingCopy
from services.domain import Forbidden
from tests.unit.builders import ctx
from tests.unit.order_steps import amy, bob, order_at, refused, report


def test_an_order_ships_in_parts_until_the_ordered_quantity_has_left() -> None:
    """rule: R-O4 — inspection passed, shipping note, salesperson told, shipment arranged,
    shipped; partial shipments of one order are allowed and shown."""
    record = order_at("shipped")
    events = record.collect_events()
    [note] = [e for e in events if isinstance(e, ev.ShippingNoteIssued)]
    assert (note.lots, note.quantity, note.salesperson) == (("L-1",), 2000, "bob")
    [first] = [e for e in events if isinstance(e, ev.OrderShipped)]
    assert (first.quantity, first.shipped_total, first.ordered_total) == (2000, 2000, 5000)
    assert record.status == "partly_shipped"
    record.issue_shipping_note(amy(), "N-2", ["L-2"])
    record.arrange_shipment(bob(), "N-2", "own_truck", "own", None)
    record.confirm_shipment(bob(), "N-2")
    [second] = [e for e in record.collect_events() if isinstance(e, ev.OrderShipped)]
    assert (second.quantity, second.shipped_total, second.ordered_total) == (3000, 5000, 5000)
    assert record.status == "shipped"


def test_one_note_may_carry_several_lots_and_their_quantities_add_up() -> None:
    """rule: R-O4"""
    record = order_at("lots_passed")
    record.collect_events()
    record.issue_shipping_note(amy(), "N-1", ["L-2", "L-1"])
    [note] = record.collect_events()
    assert isinstance(note, ev.ShippingNoteIssued) and note.quantity == 5000


@pytest.mark.parametrize("stages", [(), ("lot_completed",), ("lot_completed", "lot_failed"),
                                    ("lot_completed", "lot_failed", "lot_completed")])
def test_no_shipping_note_before_a_passed_inspection(stages: tuple[str, ...]) -> None:
    """rule: R-O4 — no shipping note before a passed inspection, refused with the rule ID;
    a failed lot goes back to production and must pass before shipping."""
    record = order_at("promised")
    for stage in stages:
        report(record, stage, "L-1", 2000)
    error = refused(record, lambda r: r.issue_shipping_note(amy(), "N-1", ["L-1"]))
    assert (error.rule, error.field) == ("R-O4", "lots")
    assert "passed inspection" in error.en and "L-1" in error.en and "检验合格" in error.zh


def test_a_reworked_lot_that_passed_goes_on_a_note() -> None:
    """rule: R-O4 — fail, rework, pass, then the shipping note."""
    record = order_at("promised")
    for stage in ("lot_completed", "lot_failed", "lot_completed", "lot_passed"):
        report(record, stage, "L-1", 2000)
    record.issue_shipping_note(amy(), "N-1", ["L-1"])
    assert record.notes["N-1"].quantity == 2000


def test_reports_of_one_lot_count_in_whatever_order_the_departments_streams_bring_them() -> None:
    """rule: R-O4 — quality's pass may reach sales before production's completion it judged."""
    record = order_at("promised")
    for stage in ("lot_failed", "lot_passed", "lot_completed", "lot_completed"):
        report(record, stage, "L-1", 2000)
    assert record.lots["L-1"].state == "passed"
    report(record, "lot_failed", "L-2", 3000)
    assert record.lots["L-2"].state == "in_rework"
    report(record, "lot_completed", "L-2", 3000)
    report(record, "lot_completed", "L-2", 3000)
    assert record.lots["L-2"].state == "awaiting_inspection"


def test_a_lot_goes_on_one_note_only() -> None:
    """rule: R-O4"""
    record = order_at("noted")
    error = refused(record, lambda r: r.issue_shipping_note(amy(), "N-2", ["L-2", "L-1"]))
    assert (error.rule, error.field) == ("R-O4", "lots") and "N-1" in error.en
    error = refused(record, lambda r: r.issue_shipping_note(amy(), "N-2", ["L-2", "L-2"]))
    assert (error.rule, error.field) == ("R-O4", "lots")


def test_a_note_number_is_used_once() -> None:
    """rule: R-O4"""
    error = refused(order_at("noted"), lambda r: r.issue_shipping_note(amy(), "N-1", ["L-2"]))
    assert (error.rule, error.field) == ("R-O4", "note_no")


def test_each_of_the_three_copies_is_issued_once_to_its_holder() -> None:
    """rule: R-O4 — a Shipping Note in three copies: delivery, finance, sales."""
    record = order_at("noted")
    record.collect_events()
    for copy_name, holder in zip(ShippingCopy, ("dan", "fay", "bob"), strict=True):
        record.issue_note_copy(amy(), "N-1", copy_name, holder)
    copies = [(e.copy_name, e.holder) for e in record.collect_events()
              if isinstance(e, ev.ShippingNoteCopyIssued)]
    assert copies == list(zip(ShippingCopy, ("dan", "fay", "bob"), strict=True))
    error = refused(record, lambda r: r.issue_note_copy(amy(), "N-1", ShippingCopy.FINANCE, "x"))
    assert (error.rule, error.field) == ("R-O4", "copy_name") and "fay" in error.en
    assert "财务联" in error.zh


@pytest.mark.parametrize("command", [
    lambda r: r.issue_note_copy(amy(), "N-9", ShippingCopy.SALES, "bob"),
    lambda r: r.arrange_shipment(bob(), "N-9", "courier", "SF", None),
    lambda r: r.confirm_shipment(bob(), "N-9"),
])
def test_copies_and_shipments_name_an_issued_note(command) -> None:  # type: ignore[no-untyped-def]
    """rule: R-O4"""
    error = refused(order_at("noted"), command)
    assert (error.rule, error.field) == ("R-O4", "note_no") and "N-9" in error.en


def test_a_shipment_is_confirmed_only_after_it_was_arranged() -> None:
    """rule: R-O4 — the salesperson arranges the shipment as the customer needs, then ships."""
    record = order_at("noted")
    error = refused(record, lambda r: r.confirm_shipment(bob(), "N-1"))
    assert error.rule == "R-O4" and "arranged" in error.en
    record.arrange_shipment(bob(), "N-1", "courier", "SF", "SF9")
    error = refused(record, lambda r: r.arrange_shipment(bob(), "N-1", "freight", "DHL", None))
    assert (error.rule, error.field) == ("R-O4", "note_no")
    record.confirm_shipment(bob(), "N-1")
    error = refused(record, lambda r: r.confirm_shipment(bob(), "N-1"))
    assert (error.rule, error.field) == ("R-O4", "note_no") and "already shipped" in error.en


@pytest.mark.parametrize("step, command", [
    ("lots_passed", lambda r: r.issue_shipping_note(bob(), "N-1", ["L-1"])),
    ("noted", lambda r: r.issue_note_copy(bob(), "N-1", ShippingCopy.SALES, "bob")),
    ("noted", lambda r: r.arrange_shipment(amy(), "N-1", "courier", "SF", None)),
    ("arranged", lambda r: r.confirm_shipment(amy(), "N-1")),
    ("arranged", lambda r: r.confirm_shipment(ctx(Role.QC_INSPECTOR), "N-1")),
])
def test_the_assistant_makes_the_notes_and_the_salesperson_ships(step, command) -> None:  # type: ignore[no-untyped-def]
    """rule: R-O4 — the assistant makes the note and tells the salesperson, who arranges."""
    assert refused(order_at(step), command, Forbidden).rule == "R-O4"
