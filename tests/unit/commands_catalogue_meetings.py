"""The catalogue's cases (see ``commands_catalogue.py``) of the monthly sales meeting's inputs
(R-M2): resource needs, improvements, and their withdrawal."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

Case = tuple[str, Any, str | None]  # (field path, bad value, Chinese words the refusal holds)
MEETING_COMMANDS = ("record_resource_need", "record_improvement", "withdraw_meeting_input")


def valid_meetings(now: datetime) -> dict[str, dict[str, Any]]:
    need = {"month": now.strftime("%Y-%m"), "department": "production",
            "summary": "a second die-cutting press", "detail": "orders grow 30 %\nfrom June",
            "owner": "pam", "due": (now + timedelta(days=60)).date().isoformat()}
    return {
        "record_resource_need": need,
        "record_improvement": {**need, "department": "quality", "summary": "first-piece check",
                               "owner": None, "due": None},
        "withdraw_meeting_input": {"item_id": f"{now.strftime('%Y-%m')}-001"},
    }


def bad_meetings(now: datetime) -> dict[str, list[Case]]:
    today = now.astimezone(UTC).date()
    text = lambda n: "t" * n
    later, earlier, month = "不能晚于", "不能早于", "不是有效的月份"
    entry: list[Case] = [
        ("month", "2026-13", month), ("month", "2026-1", month), ("month", "may", month),
        ("month", "1999-12", earlier), ("month", (today + timedelta(days=400)).strftime("%Y-%m"),
                                        later), ("month", "9999-12", later),
        ("department", "marketing", None), ("department", "", None),
        ("summary", text(201), None), ("summary", "", None), ("summary", "two\nlines", None),
        ("detail", text(4001), None),
        ("owner", text(81), None), ("owner", "", None),
        ("due", (today - timedelta(days=40)).isoformat(), earlier),
        ("due", (today + timedelta(days=800)).isoformat(), later), ("due", "soon", None)]
    return {
        "record_resource_need": entry,
        "record_improvement": entry,
        "withdraw_meeting_input": [
            ("item_id", "2026-05-1", None), ("item_id", "2026-13-001", None),
            ("item_id", "2026-05-0001", None), ("item_id", "", None),
            ("item_id", "2026-05 001", None)],
    }
