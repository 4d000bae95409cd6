"""A valid payload for every command, and out-of-range values for each of its fields.

The bound tests (``test_bounds*.py``) send each bad value through the department's command bus;
a test checks that this catalogue covers every field of every command, so a new field without
a bound (or without a case here) fails it.
"""
from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.commands.customers import MAX_BASE64_CHARS, MAX_DOCUMENT_BYTES
from tests.unit.commands_catalogue_imports_complaints import (
    IMPORT_COMPLAINT_COMMANDS,
    bad_import_complaints,
    valid_import_complaints,
)
from tests.unit.commands_catalogue_imports_orders import (
    ORDER_IMPORT_COMMANDS,
    bad_order_imports,
    valid_order_imports,
)
from tests.unit.commands_catalogue_imports_samples import (
    bad_imports_samples,
    valid_imports_samples,
)
from tests.unit.commands_catalogue_meetings import (
    MEETING_COMMANDS,
    bad_meetings,
    valid_meetings,
)
from tests.unit.commands_catalogue_workflow import (  # the shared vocabulary of the cases too
    COMPLAINT_COMMANDS,
    EARLIER,
    LATER,
    MONTH,
    ORDER_COMMANDS,
    USER_COMMANDS,
    Case,
    bad_complaints,
    bad_orders,
    bad_users,
    iso,
    valid_complaints,
    valid_orders,
    valid_users,
)

PEOPLE = {"sales": ("amy", "sales_assistant"), "engineering": ("eric", "engineer"),
          "production": ("pam", "pmc_planner"), "quality": ("quinn", "qc_inspector"),
          "sla": ("ada", "admin")}
WINDOW_LINE = {"name": "Mia Wang", "role": "marketing_manager", "duty": "exceptions",
               "phone": "0755-1"}


def valid(now: datetime) -> dict[str, dict[str, Any]]:
    """Fields (besides ``actor``) of a payload each command's contract accepts at ``now``."""
    today = now.date().isoformat()
    sample: dict[str, Any] = {"request_no": "S-1"}
    customer: dict[str, Any] = {"customer_no": "C-1"}
    return {
        "request_sample": {**sample, "customer": "ACME", "product": "gasket", "part_no": "P-1",
                           "salesperson": "bob", "materials": {"drawings": True},
                           "purpose": "sample"},
        "update_sample_materials": {**sample, "materials": {"key_notes": True}},
        "complete_costing": {**sample, "bom_ref": "B-1", "material_cost": "1.2",
                             "process_cost": "0.8", "die_difficulty": "normal"},
        "prepare_quotation": {**sample, "quotation_no": "Q-1", "unit_price": "0.0035",
                              "currency": "CNY"},
        "sign_quotation": sample, "send_quotation": sample, "approve_price": sample,
        "reject_price": {**sample, "reason": "too expensive"},
        "resolve_price_escalation": {**sample, "decision": "requote", "note": "cheaper liner"},
        "chase_order": {**sample, "note": "first order"},
        "open_sample_application": {**sample, "application_no": "A-1"},
        "approve_sample_application": sample,
        "ship_sample": {**sample, "method": "courier", "courier": "SF", "tracking_no": "SF1"},
        "confirm_sample_receipt": {**sample, "received_on": today},
        "record_trial": {**sample, "result": "ng", "cause": "burr", "note": "edge"},
        "record_sample_approval": {**sample, "document_ref": "SA-1"},
        "agree_ng_fix": {**sample, "cause": "worn die", "fix": "new die",
                         "departments": ["engineering"], "customer_reply": "next week"},
        "start_new_sample_round": sample,
        "note_sample_month": {"month": now.strftime("%Y-%m"), "text": "all on time"},
        "submit_customer": {**customer, "customer_name": "ACME",
                            "contact": {"person": "Mr. Wu", "phone": "0512-1",
                                        "email": "wu@acme.test", "address": "Suzhou"},
                            "salesperson": "bob"},
        "confirm_customer": {**customer, "assistant": "amy"},
        "approve_contact_disclosure": {**customer, "department": "quality", "head": "Zhao"},
        "send_contact_window": {**customer, "contacts": [{**WINDOW_LINE, "email": "m@x.test"}]},
        "file_customer_document": {**customer, "category": "basic_data", "title": "Licence",
                                   "filename": "l.pdf", "media_type": "application/pdf",
                                   "filed_on": today, "content_base64": "eA==",
                                   "content_sha256": "2d711642b726b04401627ca9fbac32f5c8530fb1"
                                                     "903cc4db02258717921a4881", "size": 1},
        "schedule_sampling": {**sample, "scheduled_for": iso(now + timedelta(hours=1))},
        "return_sample": sample,
        "promise_delivery": {**sample, "promised_at": iso(now + timedelta(hours=24))},
        "notify_delay": {**sample, "kind": "delay", "reason": "die steel late",
                         "new_promised_at": iso(now + timedelta(hours=72))},
        "complete_sample": sample,
        "pause_sample_work": {**sample, "reason": "customer_material",
                              "note": "waiting for the customer's liner film"},
        "resume_sample_work": {**sample, "note": "film arrived"},
        **valid_orders(now),
        **valid_complaints(now),
        "declare_holiday": {"first_day": (now + timedelta(days=30)).date().isoformat(),
                            "last_day": (now + timedelta(days=32)).date().isoformat(),
                            "title": "company outing 团建"},
        "declare_workday": {"day": (now + timedelta(days=40)).date().isoformat(),
                            "title": "make-up day 调休上班"},
        "change_working_hours": {"effective_from": (now + timedelta(days=50)).date().isoformat(),
                                 "weekdays": [0, 1, 2, 3, 4],
                                 "periods": [{"start": "08:30", "end": "12:00"},
                                             {"start": "13:00", "end": "17:30"}],
                                 "title": "five-day week 双休"},
        **valid_users(now),
        **valid_meetings(now),
        **valid_order_imports(now),
        **valid_import_complaints(now),
        **valid_imports_samples(now),
    }


FUTURE = "不能晚于当前时间"


def common(name: str) -> list[Case]:
    """What every command carries: the actor, the conversation id, the record number, the
    business time (naive, in the future beyond the clock skew, more than 31 days back)."""
    now = datetime.now(UTC)
    number = ("customer_no" if name in CUSTOMER_COMMANDS
              else "order_no" if name in {*ORDER_COMMANDS, *ORDER_IMPORT_COMMANDS}
              else "complaint_no" if name in {*COMPLAINT_COMMANDS, *IMPORT_COMPLAINT_COMMANDS}
              else "request_no")
    cases: list[Case] = [("actor.user", "u" * 81, None), ("actor.user", "", None),
                         ("actor.role", "janitor", None), ("actor", "amy", None),
                         ("correlation_id", "not-a-uuid", None),
                         ("command_id", "c" * 65, None), ("command_id", "two words", None),
                         ("occurred_at", "2026-03-02T09:10:00", None),
                         ("occurred_at", iso(now + timedelta(days=1)), FUTURE),
                         ("occurred_at", "9999-12-31T23:59:59Z", FUTURE),
                         ("occurred_at", iso(now - timedelta(days=32)), EARLIER),
                         ("occurred_at", iso(now - timedelta(days=366)), EARLIER),
                         ("occurred_at", "yesterday", None)]
    if name not in ("note_sample_month", "note_order_month", "note_complaint_month",
                    *CALENDAR_COMMANDS, *USER_COMMANDS, *MEETING_COMMANDS):
        cases += [(number, "S 1", None), (number, "X" * 41, None)]
    return cases


CALENDAR_COMMANDS = ("declare_holiday", "declare_workday", "change_working_hours")
CUSTOMER_COMMANDS = {"submit_customer", "confirm_customer", "approve_contact_disclosure",
                     "send_contact_window", "file_customer_document"}


def bad(now: datetime) -> dict[str, list[Case]]:
    """Out-of-range values of each command's own fields (``common`` adds the shared ones)."""
    day = timedelta(days=1)
    today = now.astimezone(UTC).date()
    text = lambda n: "t" * n
    return {
        "request_sample": [("customer", text(121), None), ("customer", "", None),
                           ("product", text(121), None), ("part_no", text(61), None),
                           ("salesperson", text(81), None), ("materials.drawings", "maybe", None),
                           ("materials.colour", True, None), ("purpose", "order", None)],
        "update_sample_materials": [("materials.key_notes", "maybe", None)],
        "complete_costing": [
            ("bom_ref", text(61), None), ("material_cost", "-1", None),
            ("material_cost", "1000000.01", None), ("material_cost", "0.00001", None),
            ("material_cost", "NaN", None), ("material_cost", "1e12", None),
            ("process_cost", "-0.5", None), ("process_cost", "99999999", None),
            ("die_difficulty", "hard", None)],
        "prepare_quotation": [
            ("quotation_no", text(41), None), ("unit_price", "0", None),
            ("unit_price", "-2.6", None), ("unit_price", "1000000.5", None),
            ("unit_price", "0.0000001", None), ("unit_price", "Infinity", None),
            ("currency", "cny", None), ("currency", "CNYX", None)],
        "reject_price": [("reason", text(501), None), ("reason", "", None)],
        "resolve_price_escalation": [("decision", "maybe", None), ("note", text(1001), None)],
        "chase_order": [("note", text(1001), None)],
        "open_sample_application": [("application_no", text(41), None)],
        "ship_sample": [("method", "drone", None), ("courier", text(61), None),
                        ("tracking_no", text(61), None)],
        "confirm_sample_receipt": [
            ("received_on", (today + 2 * day).isoformat(), LATER),
            ("received_on", "9999-12-31", LATER), ("received_on", "0001-01-01", EARLIER),
            ("received_on", (today - 400 * day).isoformat(), EARLIER),
            ("received_on", "2026-02-30", None)],
        "record_trial": [("result", "meh", None), ("cause", text(1001), None),
                         ("note", text(1001), None)],
        "record_sample_approval": [("document_ref", text(61), None)],
        "agree_ng_fix": [("cause", text(1001), None), ("fix", text(1001), None),
                         ("departments", ["d"] * 7, None), ("departments.0", text(41), None),
                         ("departments.0", "", None), ("customer_reply", text(1001), None)],
        "note_sample_month": [
            ("month", "2026-13", MONTH), ("month", "2026-00", MONTH), ("month", "2026-1", MONTH),
            ("month", "nov", MONTH), ("month", "{zh}", MONTH), ("month", "٢٠٢٦-١١", MONTH), ("month", "1999-12", EARLIER),
            ("month", "0001-01", EARLIER), ("month", (today + 62 * day).strftime("%Y-%m"), LATER),
            ("month", "9999-12", LATER), ("text", text(4001), None), ("text", "", None)],
        "submit_customer": [
            ("customer_name", text(121), None), ("contact.person", text(81), None),
            ("contact.phone", text(41), None), ("contact.email", text(121), None),
            ("contact.address", text(201), None), ("salesperson", text(81), None)],
        "confirm_customer": [("assistant", text(81), None)],
        "approve_contact_disclosure": [("department", "marketing", None),
                                       ("head", text(81), None)],
        "send_contact_window": [
            ("contacts", [], None), ("contacts", [WINDOW_LINE] * 51, None),
            ("contacts.0.name", text(81), None), ("contacts.0.duty", text(201), None),
            ("contacts.0.phone", text(41), None), ("contacts.0.email", text(121), None),
            ("contacts.0.department", "hr", None), ("contacts.0.role", "boss", None)],
        "file_customer_document": [
            ("category", "misc", None), ("title", text(201), None),
            ("filename", text(201), None), ("media_type", "pdf", None),
            ("media_type", "a/" + text(119), None),
            ("filed_on", (today + 2 * day).isoformat(), LATER),
            ("filed_on", "1969-12-31", EARLIER), ("filed_on", "0001-01-01", EARLIER),
            ("content_base64", "A" * (MAX_BASE64_CHARS + 4), None),
            ("content_sha256", "XYZ", None), ("size", -1, None),
            ("size", MAX_DOCUMENT_BYTES + 1, None)],
        "schedule_sampling": [
            ("scheduled_for", "0001-01-01T00:00:00Z", EARLIER),
            ("scheduled_for", "0001-01-01T00:00:00+08:00", EARLIER),
            ("scheduled_for", iso(now - 31 * day), EARLIER),
            ("scheduled_for", iso(now + 367 * day), LATER),
            ("scheduled_for", "9999-12-31T23:59:59Z", LATER),
            ("scheduled_for", "2026-11-28T10:00:00", None)],
        "promise_delivery": [
            ("promised_at", "9999-12-31T23:59:59Z", LATER),
            ("promised_at", "9999-12-31T23:59:59-12:00", LATER),
            ("promised_at", iso(now + 367 * day), LATER),
            ("promised_at", iso(now - 4 * day), EARLIER),
            ("promised_at", "0001-01-01T00:00:00Z", EARLIER)],
        "notify_delay": [("kind", "late", None), ("reason", text(1001), None),
                         ("new_promised_at", "9999-12-31T23:59:59Z", LATER),
                         ("new_promised_at", iso(now + 5 * 365 * day), LATER),
                         ("new_promised_at", iso(now - 4 * day), EARLIER)],
        "pause_sample_work": [("reason", "lunch", None), ("reason", "", None),
                              ("note", text(1001), None), ("note", "", None)],
        "resume_sample_work": [("note", text(1001), None), ("note", "", None)],
        "declare_holiday": [("first_day", "9999-12-31", LATER), ("first_day", "2020-01-01", EARLIER),
                            ("last_day", (today - 2 * day).isoformat(), None),
                            ("last_day", (today + 90 * day).isoformat(), None),
                            ("title", "", None), ("title", text(81), None)],
        "declare_workday": [("day", "9999-12-31", LATER), ("day", "2020-01-01", EARLIER),
                            ("title", text(81), None)],
        "change_working_hours": [
            ("effective_from", "9999-12-31", LATER), ("weekdays.0", 7, None),
            ("weekdays", [1, 1], None), ("weekdays", [], None),
            ("periods.0", {"start": "13:00", "end": "12:00"}, None),
            ("periods", [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "17:00"}],
             None),
            ("periods", [], None), ("title", text(81), None)],
        **bad_orders(now),
        **bad_complaints(now),
        **bad_users(now),
        **bad_meetings(now),
        **bad_order_imports(now),
        **bad_import_complaints(now),
        **bad_imports_samples(now),
    }


def with_value(payload: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``payload`` with the value at ``path`` (``contacts.0.name``) replaced."""
    head, _, rest = path.partition(".")
    key: Any = int(head) if head.isdigit() else head
    copy: Any = list(payload) if isinstance(payload, list) else dict(payload)
    copy[key] = with_value(copy[key], rest, value) if rest else value
    return copy  # type: ignore[no-any-return]


def value_at(payload: Any, path: str) -> Any:
    for key in path.split("."):
        payload = payload[int(key)] if key.isdigit() else payload[key]
    return payload


def text_paths(value: Any, path: str = "") -> list[str]:
    """Paths of every string in a payload (``contact.person``, ``contacts.0.phone``)."""
    if isinstance(value, str):
        return [path]
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else [])
    return [p for key, item in items for p in text_paths(item, f"{path}.{key}".lstrip("."))]


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()
