"""What the sales order record knows of its lots and shipping notes (R-O4), and the checks a new
shipping note must pass: only lots that passed inspection and are on no other note."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from events.envelope import Role
from events.sales.order import ShippingCopy
from services.domain import RuleBroken

ASSISTANT = (Role.SALES_ASSISTANT,)
SALESPERSON = (Role.SALESPERSON,)
_LOT_STATE_ZH = {"passed": "检验合格", "awaiting_inspection": "待检验", "in_rework": "返工中",
                 "unknown": "未报完工"}


@dataclass
class Lot:
    """Sales' view of one production lot, from production's and quality's reports.

    The two departments' streams are consumed independently, so reports of one lot can arrive
    in any order (a pass before the completion it judged): the state is counted, not taken from
    the last report. A lot passes once and is then never inspected again."""

    quantity: int = 0
    completions: int = 0
    failures: int = 0
    passed: bool = False
    note_no: str | None = None

    @property
    def state(self) -> str:
        if self.passed:
            return "passed"
        if not self.completions and not self.failures:
            return "unknown"
        return "awaiting_inspection" if self.completions > self.failures else "in_rework"


@dataclass
class ShippingNote:
    """One Shipping Note (出货单): its lots, its copies by holder, its arrangement and shipment."""

    lots: tuple[str, ...]
    quantity: int
    copies: dict[ShippingCopy, str] = field(default_factory=dict)
    arranged: bool = False
    shipped: bool = False


def note_quantity(order_no: str, note_no: str, lots: Sequence[str], known: Mapping[str, Lot],
                  notes: Mapping[str, ShippingNote]) -> int:
    """R-O4: the quantity of a new note, or a refusal naming the field at fault."""
    if note_no in notes:
        raise RuleBroken("R-O4", f"shipping note {note_no} of order {order_no} is already issued",
                         f"订单 {order_no} 的出货单 {note_no} 已开立", field="note_no")
    repeated = sorted({lot for lot in lots if lots.count(lot) > 1})
    if repeated:
        raise RuleBroken("R-O4", f"a lot is named once on a shipping note: {', '.join(repeated)}",
                         f"同一批号在出货单上只能出现一次：{', '.join(repeated)}", field="lots")
    for lot_no in lots:
        lot = known.get(lot_no, Lot())
        if not lot.passed:
            raise RuleBroken(
                "R-O4", f"no shipping note before a passed inspection: lot {lot_no} of order "
                f"{order_no} has not passed ({lot.state})",
                f"检验合格前不能开出货单：订单 {order_no} 的批号 {lot_no} 尚未检验合格"
                f"（{_LOT_STATE_ZH[lot.state]}）", field="lots")
        if lot.note_no is not None:
            raise RuleBroken("R-O4", f"lot {lot_no} is already on shipping note {lot.note_no}",
                             f"批号 {lot_no} 已在出货单 {lot.note_no} 上", field="lots")
    return sum(known[lot_no].quantity for lot_no in lots)


def existing_note(order_no: str, note_no: str, notes: Mapping[str, ShippingNote]) -> ShippingNote:
    note = notes.get(note_no)
    if note is None:
        raise RuleBroken("R-O4", f"order {order_no} has no shipping note {note_no}",
                         f"订单 {order_no} 没有出货单 {note_no}", field="note_no")
    return note
