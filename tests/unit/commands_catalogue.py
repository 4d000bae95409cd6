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

Case = tuple[str, Any, str | None]  # (field path, bad value, Chinese words the refusal holds)
LATER = "不能晚于"
EARLIER = "不能早于"
MONTH = "不是有效的月份"

PEOPLE = {"sales": ("amy", "sales_assistant"), "engineering": ("eric", "engineer"),
          "production": ("pam", "pmc_planner"), "quality": ("quinn", "qc_inspector")}
SHA = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"  # of b"x"
LINE = {"product": "gasket", "part_no": "P-1", "quantity": 5000, "unit": "pcs"}
WINDOW_LINE = {"name": "Mia Wang", "role": "marketing_manager", "duty": "exceptions",
               "phone": "0755-1"}


def iso(moment: datetime) -> str:
    return moment.isoformat()


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
        **valid_orders(now),
        **valid_complaints(now),
    }


def valid_complaints(now: datetime) -> dict[str, dict[str, Any]]:
    """The complaint commands (R-C1 to R-C7) of sales and of the other departments."""
    c: dict[str, Any] = {"complaint_no": "K-1"}
    return {
        "receive_complaint": {**c, "channel": "fax", "customer": "ACME", "summary": "burrs",
                              "salesperson": "bob"},
        "forward_complaint": {**c, "to": "tina"},
        "register_complaint": {**c, "customer": "ACME", "salesperson": "bob",
                               "product_model": "G-7", "shipping_date": (now - timedelta(days=9))
                               .date().isoformat(), "batch": "B-3", "problem": "burr on edge",
                               "category": "burr", "order_no": "O-1", "shipping_note_no": "N-1"},
        "attach_complaint_file": {**c, "filename": "burr.jpg", "media_type": "image/jpeg",
                                  "content_base64": "eA==", "content_sha256": SHA, "size": 1},
        "record_customer_contact": {**c, "note": "called Mr. Chen"},
        "judge_complaint_severity": {**c, "severity": "complex", "responsible": "quality"},
        "fill_complaint_form": {**c, "form_no": "F-1", "handling": "8D by quality"},
        "sign_complaint_form": c, "escalate_complaint": c,
        "answer_minor_complaint": {**c, "reply": "replacement sent"},
        "reply_to_complaint": {**c, "reply": "new die, 100% inspection"},
        "record_complaint_follow_up": {**c, "satisfied": True, "note": "no burrs since",
                                       "new_requirement": "photos of each lot"},
        "verify_satisfaction": c, "close_complaint": c,
        "schedule_complaint_visit": {**c, "visit_on": (now + timedelta(days=3)).date().isoformat(),
                                     "technical_support": "tina", "salesperson": "bob",
                                     "quality": "qiu"},
        "record_complaint_visit": {**c, "findings": "die worn"},
        "archive_complaint_form": c,
        "note_complaint_month": {"month": now.strftime("%Y-%m"), "text": "burrs twice at ACME"},
        "redirect_complaint": {**c, "channel": "phone", "customer": "ACME", "summary": "burrs",
                               "how": "caller_told_process"},
        "record_complaint_analysis": {**c, "cause": "worn die", "measures": "new die"},
    }


def valid_orders(now: datetime) -> dict[str, dict[str, Any]]:
    """The order commands (R-O1 to R-O6) in every department."""
    order: dict[str, Any] = {"order_no": "O-1"}
    return {
        "receive_order": {**order, "po_no": "PO-7", "customer": "ACME", "customer_no": "C-1",
                          "lines": [LINE], "requested_date": (now + timedelta(days=20)).date()
                          .isoformat(), "salesperson": "bob", "assistant": "amy",
                          "quotation_request_no": "S-1", "files": [SHA]},
        "archive_order": order,
        "issue_internal_order": {**order, "internal_order_no": "IO-1"},
        "notify_customer_of_delivery": {**order, "channel": "phone"},
        "transfer_customer_materials": {**order, "items": ["golden sample"], "received_by": "pete"},
        "report_order_exception": {**order, "exception_no": "E-1", "kind": "machine_breakdown",
                                   "description": "die cutter down"},
        "record_exception_delivered": {**order, "exception_no": "E-1", "recipient": "salesperson",
                                       "to": "bob", "channel": "wechat"},
        "issue_shipping_note": {**order, "note_no": "N-1", "lots": ["L-1"]},
        "issue_shipping_note_copy": {**order, "note_no": "N-1", "copy_name": "finance",
                                     "holder": "fay"},
        "arrange_shipment": {**order, "note_no": "N-1", "method": "courier", "carrier": "SF",
                             "tracking_no": "SF9"},
        "confirm_shipment": {**order, "note_no": "N-1"},
        "note_order_month": {"month": now.strftime("%Y-%m"), "text": "two late"},
        "promise_order_delivery": {**order, "promised_at": iso(now + timedelta(days=10)),
                                   "quantity": 5000, "note": "film in stock"},
        "notify_order_delay": {**order, "kind": "delay", "reason": "film late",
                               "new_promised_at": iso(now + timedelta(days=12))},
        "complete_lot": {**order, "lot_no": "L-1", "quantity": 2000},
        "inspect_lot": {**order, "lot_no": "L-1", "result": "fail", "findings": "burr",
                        "note": "edge"},
        "issue_process_instructions": {**order, "document_no": "WI-1", "filename": "wi.pdf",
                                       "media_type": "application/pdf", "content_base64": "eA==",
                                       "content_sha256": SHA, "size": 1},
    }


def common(name: str) -> list[Case]:
    """What every command carries: the actor, the conversation id, the record number."""
    number = ("customer_no" if name in CUSTOMER_COMMANDS else "order_no" if name in ORDER_COMMANDS
              else "complaint_no" if name in COMPLAINT_COMMANDS else "request_no")
    cases: list[Case] = [("actor.user", "u" * 81, None), ("actor.user", "", None),
                         ("actor.role", "janitor", None), ("actor", "amy", None),
                         ("correlation_id", "not-a-uuid", None),
                         ("command_id", "c" * 65, None), ("command_id", "two words", None)]
    if name not in ("note_sample_month", "note_order_month", "note_complaint_month"):
        cases += [(number, "S 1", None), (number, "X" * 41, None)]
    return cases


ORDER_COMMANDS = {"receive_order", "archive_order", "issue_internal_order",
                  "notify_customer_of_delivery", "transfer_customer_materials",
                  "report_order_exception", "record_exception_delivered", "issue_shipping_note",
                  "issue_shipping_note_copy", "arrange_shipment", "confirm_shipment",
                  "promise_order_delivery", "notify_order_delay", "complete_lot", "inspect_lot",
                  "issue_process_instructions"}
COMPLAINT_COMMANDS = {"receive_complaint", "forward_complaint", "register_complaint",
                      "attach_complaint_file", "record_customer_contact",
                      "judge_complaint_severity", "fill_complaint_form", "sign_complaint_form",
                      "escalate_complaint", "answer_minor_complaint", "reply_to_complaint",
                      "record_complaint_follow_up", "verify_satisfaction", "close_complaint",
                      "schedule_complaint_visit", "record_complaint_visit",
                      "archive_complaint_form", "redirect_complaint", "record_complaint_analysis"}
CUSTOMER_COMMANDS = {"submit_customer", "confirm_customer", "approve_contact_disclosure",
                     "send_contact_window", "file_customer_document"}


def bad(now: datetime) -> dict[str, list[Case]]:
    """Out-of-range values of each command's own fields (``common`` adds the shared ones)."""
    day = timedelta(days=1)
    today = now.astimezone(UTC).date()
    text = lambda n: "t" * n  # noqa: E731 - one character too many for a limit of n - 1
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
        **bad_orders(now),
        **bad_complaints(now),
    }


def bad_complaints(now: datetime) -> dict[str, list[Case]]:
    day = timedelta(days=1)
    today = now.astimezone(UTC).date()
    text = lambda n: "t" * n  # noqa: E731 - one character too many for a limit of n - 1
    return {
        "receive_complaint": [("channel", "pigeon", None), ("customer", text(121), None),
                              ("summary", text(2001), None), ("summary", "", None),
                              ("salesperson", text(81), None)],
        "forward_complaint": [("to", "", None), ("to", text(81), None)],
        "register_complaint": [
            ("customer", "", None), ("salesperson", text(81), None),
            ("product_model", text(121), None),
            ("shipping_date", (today + 2 * day).isoformat(), LATER),
            ("shipping_date", (today - 6 * 366 * day).isoformat(), EARLIER),
            ("shipping_date", "0001-01-01", EARLIER), ("batch", text(61), None),
            ("problem", text(2001), None), ("category", text(61), None),
            ("order_no", "O 1", None), ("shipping_note_no", text(41), None)],
        "attach_complaint_file": [
            ("filename", text(201), None), ("media_type", "jpeg", None),
            ("content_base64", "A" * (MAX_BASE64_CHARS + 4), None),
            ("content_sha256", "XYZ", None), ("size", -1, None),
            ("size", MAX_DOCUMENT_BYTES + 1, None)],
        "record_customer_contact": [("note", text(2001), None), ("note", "", None)],
        "judge_complaint_severity": [("severity", "huge", None), ("responsible", "sales", None)],
        "fill_complaint_form": [("form_no", "F 1", None), ("handling", text(2001), None)],
        "answer_minor_complaint": [("reply", text(2001), None), ("reply", "", None)],
        "reply_to_complaint": [("reply", text(2001), None)],
        "record_complaint_follow_up": [("satisfied", "maybe", None), ("note", text(2001), None),
                                       ("new_requirement", text(1001), None)],
        "schedule_complaint_visit": [
            ("visit_on", (today - 40 * day).isoformat(), EARLIER),
            ("visit_on", (today + 400 * day).isoformat(), LATER),
            ("visit_on", "9999-12-31", LATER), ("technical_support", "", None),
            ("salesperson", text(81), None), ("quality", "", None)],
        "record_complaint_visit": [("findings", text(4001), None), ("findings", "", None)],
        "note_complaint_month": [("month", "2026-13", MONTH), ("month", "1999-12", EARLIER),
                                 ("month", (today + 62 * day).strftime("%Y-%m"), LATER),
                                 ("text", text(4001), None), ("text", "", None)],
        "redirect_complaint": [("channel", "smoke", None), ("customer", text(121), None),
                               ("summary", text(2001), None), ("how", "ignored", None)],
        "record_complaint_analysis": [("cause", text(2001), None), ("cause", "", None),
                                      ("measures", text(2001), None)],
    }


def bad_orders(now: datetime) -> dict[str, list[Case]]:
    day = timedelta(days=1)
    today = now.astimezone(UTC).date()
    text = lambda n: "t" * n  # noqa: E731 - one character too many for a limit of n - 1
    month = [("month", "2026-13", MONTH), ("month", "1999-12", EARLIER),
             ("month", (today + 62 * day).strftime("%Y-%m"), LATER), ("text", text(4001), None),
             ("text", "", None)]
    return {
        "receive_order": [
            ("po_no", text(61), None), ("po_no", "", None), ("customer", text(121), None),
            ("customer_no", "C 1", None), ("lines", [], None), ("lines", [LINE] * 101, None),
            ("lines.0.product", text(121), None), ("lines.0.part_no", text(61), None),
            ("lines.0.quantity", 0, None), ("lines.0.quantity", 10_000_001, None),
            ("lines.0.unit", text(11), None), ("lines.0.colour", "red", None),
            ("requested_date", (today - 40 * day).isoformat(), EARLIER),
            ("requested_date", (today + 800 * day).isoformat(), LATER),
            ("requested_date", "9999-12-31", LATER), ("requested_date", "0001-01-01", EARLIER),
            ("salesperson", text(81), None), ("assistant", "", None),
            ("quotation_request_no", "S 1", None), ("files.0", "XYZ", None),
            ("files", [SHA] * 21, None)],
        "issue_internal_order": [("internal_order_no", "IO 1", None),
                                 ("internal_order_no", text(41), None)],
        "notify_customer_of_delivery": [("channel", "pigeon", None)],
        "transfer_customer_materials": [("items", [], None), ("items", ["x"] * 51, None),
                                        ("items.0", text(201), None),
                                        ("received_by", text(81), None)],
        "report_order_exception": [("exception_no", text(41), None), ("kind", "meteor", None),
                                   ("description", text(2001), None),
                                   ("description", "", None)],
        "record_exception_delivered": [("exception_no", "E 1", None),
                                       ("recipient", "ceo", None), ("to", text(81), None),
                                       ("channel", "smoke", None)],
        "issue_shipping_note": [("note_no", "N/1", None), ("lots", [], None),
                                ("lots", ["L"] * 51, None), ("lots.0", text(41), None)],
        "issue_shipping_note_copy": [("note_no", text(41), None), ("copy_name", "boss", None),
                                     ("holder", "", None)],
        "arrange_shipment": [("note_no", "", None), ("method", "drone", None),
                             ("carrier", text(61), None), ("tracking_no", text(61), None)],
        "confirm_shipment": [("note_no", "N 1", None)],
        "note_order_month": month,
        "promise_order_delivery": [
            ("promised_at", "9999-12-31T23:59:59Z", LATER),
            ("promised_at", iso(now + 367 * day), LATER),
            ("promised_at", iso(now - 4 * day), EARLIER), ("quantity", 0, None),
            ("quantity", 10_000_001, None), ("note", text(1001), None)],
        "notify_order_delay": [("kind", "late", None), ("reason", text(1001), None),
                               ("new_promised_at", "9999-12-31T23:59:59Z", LATER),
                               ("new_promised_at", iso(now - 4 * day), EARLIER)],
        "complete_lot": [("lot_no", "L 1", None), ("quantity", 0, None),
                         ("quantity", 10_000_001, None)],
        "inspect_lot": [("lot_no", text(41), None), ("result", "maybe", None),
                        ("findings", text(2001), None), ("note", text(1001), None)],
        "issue_process_instructions": [
            ("document_no", "WI 1", None), ("filename", text(201), None),
            ("media_type", "pdf", None), ("content_base64", "A" * (MAX_BASE64_CHARS + 4), None),
            ("content_sha256", "XYZ", None), ("size", -1, None),
            ("size", MAX_DOCUMENT_BYTES + 1, None)],
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
