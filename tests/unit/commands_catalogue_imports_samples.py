"""The catalogue's cases (see ``commands_catalogue.py``) of the Sample Record Summary import
(issue 12): one row of the old table as ``import_sample``."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

Case = tuple[str, Any, str | None]  # (field path, bad value, Chinese words the refusal holds)
LATER, EARLIER = "不能晚于", "不能早于"


def _valid_imports_samples(now: datetime) -> dict[str, dict[str, Any]]:
    then = now - timedelta(days=400)
    return {"import_sample": {
        "request_no": "S-2025-001", "requested_at": then.isoformat(), "status": "shipped",
        "customer": "ACME", "salesperson": "bob", "assistant": "amy", "product": "gasket",
        "part_no": "P-1", "die_difficulty": "normal", "quotation_no": "Q-1",
        "application_no": "A-1", "round": 1,
        "scheduled_for": (then + timedelta(days=1)).isoformat(),
        "promised_at": (then + timedelta(days=2)).isoformat(),
        "completed_at": (then + timedelta(days=2)).isoformat(), "shipped_method": "courier",
        "courier": "SF", "tracking_no": "SF123", "received_on": (then + timedelta(days=4)).date()
        .isoformat(), "trial_result": "ng", "trial_cause": "burr", "approval_ref": "AP-1",
        "source": {"file_name": "打样记录.xlsx", "file_sha256": "a" * 64, "sheet": "2025",
                   "row": 7}}}


def valid_imports_samples(now: datetime) -> dict[str, dict[str, Any]]:
    one = _valid_imports_samples(now)
    return {**one, "import_samples": {"rows": [one["import_sample"]] * 2}}


def bad_imports_samples(now: datetime) -> dict[str, list[Case]]:
    today = now.astimezone(UTC).date()
    future = (now + timedelta(days=1)).isoformat()
    far = (now + timedelta(days=400)).isoformat()
    text = lambda n: "t" * n
    return {"import_sample": [
        ("requested_at", future, LATER), ("requested_at", "1999-12-31T00:00:00+08:00", EARLIER),
        ("requested_at", "2025-03-04T00:00:00", None), ("requested_at", "soon", None),
        ("status", "lost", None), ("status", "", None),
        ("customer", "", None), ("customer", text(121), None),
        ("salesperson", text(121), None), ("assistant", "", None), ("product", text(121), None),
        ("part_no", text(61), None), ("die_difficulty", "very", None),
        ("quotation_no", text(61), None), ("application_no", "", None),
        ("round", 0, None), ("round", 100, None),
        ("scheduled_for", far, LATER), ("scheduled_for", "1999-01-01T00:00:00Z", EARLIER),
        ("promised_at", far, LATER), ("promised_at", "1999-01-01T00:00:00Z", EARLIER),
        ("completed_at", future, LATER), ("completed_at", "1999-01-01T00:00:00Z", EARLIER),
        ("shipped_method", "pigeon", None), ("courier", text(61), None),
        ("tracking_no", text(61), None),
        ("received_on", (today + timedelta(days=2)).isoformat(), LATER),
        ("received_on", "1999-12-31", EARLIER),
        ("trial_result", "maybe", None), ("trial_cause", text(1001), None),
        ("approval_ref", text(61), None),
        ("source.file_name", "", None), ("source.file_name", text(256), None),
        ("source.file_sha256", "A" * 64, None), ("source.sheet", text(32), None),
        ("source.row", 0, None), ("source.row", 1_048_577, None)],
        "import_samples": [("rows", [], None),
                          ("rows", [_valid_imports_samples(now)["import_sample"]] * 501, None)]}
