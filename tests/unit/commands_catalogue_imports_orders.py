"""The catalogue's cases (see ``commands_catalogue.py``) of ``import_order``: one row of the old
Order Summary imported as history (issue 12, R-O3)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

Case = tuple[str, Any, str | None]  # (field path, bad value, Chinese words the refusal holds)
ORDER_IMPORT_COMMANDS = ("import_order",)
SOURCE = {"file_name": "orders-2025.xlsx", "file_sha256": "ab" * 32, "sheet": "订单汇总表",
          "row": 7}


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _valid_order_imports(now: datetime) -> dict[str, dict[str, Any]]:
    back = lambda days: iso(now - timedelta(days=days))
    return {"import_order": {
        "order_no": "O-2025-001", "stage": "shipped", "ordered_at": back(400), "po_no": "PO-9",
        "customer": "ACME", "salesperson": "bob", "assistant": "amy", "product": "gasket",
        "part_no": "P-1", "quantity": 5000,
        "requested_date": (now - timedelta(days=380)).date().isoformat(),
        "internal_order_no": "IO-1", "promised_at": back(381), "pmc_replied_at": back(399),
        "customer_told_at": back(398), "qc_result": "OK", "shipping_note_no": "N-1",
        "shipped_at": back(382), "exceptions": "film late, 2 days", "source": SOURCE}}


def valid_order_imports(now: datetime) -> dict[str, dict[str, Any]]:
    one = _valid_order_imports(now)
    return {**one, "import_orders": {"rows": [one["import_order"]] * 2}}


def bad_order_imports(now: datetime) -> dict[str, list[Case]]:
    today = now.astimezone(UTC).date()
    text = lambda n: "t" * n
    early, later, future = "不能早于", "不能晚于", "不能晚于当前时间"
    soon = iso(now + timedelta(days=1))
    return {"import_order": [
        ("stage", "inspecting", None), ("stage", "", None),
        ("ordered_at", "1999-12-31T00:00:00Z", early), ("ordered_at", soon, future),
        ("ordered_at", "2025-01-02T09:00:00", None), ("ordered_at", "last year", None),
        ("po_no", "", None), ("po_no", text(61), None),
        ("customer", "", None), ("customer", text(121), None),
        ("salesperson", "", None), ("salesperson", text(81), None),
        ("assistant", "", None), ("assistant", text(81), None),
        ("product", "", None), ("product", text(121), None),
        ("part_no", "", None), ("part_no", text(61), None),
        ("quantity", 0, None), ("quantity", 10_000_001, None), ("quantity", "many", None),
        ("requested_date", "1999-12-31", early),
        ("requested_date", (today + timedelta(days=800)).isoformat(), later),
        ("internal_order_no", "IO 1", None), ("internal_order_no", "X" * 41, None),
        ("promised_at", "1999-12-31T00:00:00Z", early),
        ("promised_at", "9999-12-31T23:59:59Z", later),
        ("pmc_replied_at", soon, future), ("pmc_replied_at", "1999-01-01T00:00:00Z", early),
        ("customer_told_at", soon, future), ("customer_told_at", "1999-01-01T00:00:00Z", early),
        ("qc_result", "", None), ("qc_result", text(61), None),
        ("shipping_note_no", "N 1", None), ("shipping_note_no", "X" * 41, None),
        ("shipped_at", soon, future), ("shipped_at", "1999-01-01T00:00:00Z", early),
        ("exceptions", "", None), ("exceptions", text(2001), None),
        ("source.file_sha256", "xyz", None), ("source.file_name", "", None),
        ("source.sheet", text(32), None), ("source.row", 0, None)],
        "import_orders": [("rows", [], None),
                         ("rows", [_valid_order_imports(now)["import_order"]] * 501, None)]}
