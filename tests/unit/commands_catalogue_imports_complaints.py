"""The catalogue's cases (see ``commands_catalogue.py``) of ``import_complaint`` (issue 12): a row
of the old Complaint Summary, technical support's table (R-C2)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

Case = tuple[str, Any, str | None]  # (field path, bad value, Chinese words the refusal holds)
IMPORT_COMPLAINT_COMMANDS = ("import_complaint",)
SHA = "ab" * 32
LATER, EARLIER = "不能晚于", "不能早于"


def _valid_import_complaints(now: datetime) -> dict[str, dict[str, Any]]:
    received = now - timedelta(days=400)
    return {"import_complaint": {
        "complaint_no": "K-2024-1",
        "source": {"file_name": "客诉2024.xlsx", "file_sha256": SHA, "sheet": "2024", "row": 2},
        "stage": "closed", "received_at": received.isoformat(), "channel": "phone",
        "received_by": "amy", "customer": "ACME", "salesperson": "bob", "product_model": "G-7",
        "shipping_date": (received - timedelta(days=9)).date().isoformat(), "batch": "B-3",
        "problem": "burr on edge", "category": "burr", "order_no": "O-1",
        "severity": "complex", "responsible": "quality", "form_no": "F-1",
        "form_signed_by": "carol", "measures": "new die\n100% inspection",
        "reply": "replacement sent", "replied_at": (received + timedelta(days=3)).isoformat(),
        "satisfied": True, "new_requirement": "photos with each lot",
        "closed_at": (received + timedelta(days=9)).isoformat()}}


def valid_import_complaints(now: datetime) -> dict[str, dict[str, Any]]:
    one = _valid_import_complaints(now)
    return {**one, "import_complaints": {"rows": [one["import_complaint"]] * 2}}


def bad_import_complaints(now: datetime) -> dict[str, list[Case]]:
    text = lambda n: "t" * n
    future = (now + timedelta(days=2)).isoformat()
    today = now.astimezone(UTC).date()
    return {"import_complaint": [
        ("source.file_name", "", None), ("source.file_name", text(256), None),
        ("source.file_sha256", "XYZ", None), ("source.sheet", text(32), None),
        ("source.sheet", "", None), ("source.row", 0, None), ("source.row", 1_048_577, None),
        ("source", "c.xlsx", None), ("stage", "redirected", None), ("stage", "", None),
        ("received_at", "1999-12-31T23:00:00+00:00", EARLIER), ("received_at", future, LATER),
        ("received_at", "2024-03-02T09:10:00", None), ("received_at", "yesterday", None),
        ("channel", "pigeon", None), ("received_by", text(81), None), ("received_by", "", None),
        ("customer", "", None), ("customer", text(121), None),
        ("salesperson", text(81), None), ("product_model", text(121), None),
        ("shipping_date", "1999-12-31", EARLIER),
        ("shipping_date", (today + timedelta(days=2)).isoformat(), LATER),
        ("batch", text(61), None), ("problem", "", None), ("problem", text(2001), None),
        ("category", "", None), ("category", text(61), None), ("order_no", "O 1", None),
        ("severity", "huge", None), ("responsible", "sales", None), ("form_no", text(41), None),
        ("form_signed_by", text(81), None), ("measures", text(2001), None),
        ("reply", text(2001), None), ("replied_at", future, LATER),
        ("replied_at", "1999-01-01T00:00:00+00:00", EARLIER), ("satisfied", "maybe", None),
        ("new_requirement", text(1001), None), ("closed_at", future, LATER),
        ("closed_at", "1999-01-01T00:00:00+00:00", EARLIER)],
        "import_complaints": [("rows", [], None),
                             ("rows", [_valid_import_complaints(now)["import_complaint"]] * 501, None)]}
