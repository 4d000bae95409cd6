"""The catalogue's cases (see ``commands_catalogue.py``) of the order and complaint commands
(R-O1 to R-O6, R-C1 to R-C7), in every department that accepts them."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.commands.customers import MAX_BASE64_CHARS, MAX_DOCUMENT_BYTES

Case = tuple[str, Any, str | None]  # (field path, bad value, Chinese words the refusal holds)
LATER = "不能晚于"
EARLIER = "不能早于"
MONTH = "不是有效的月份"
SHA = "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"  # of b"x"
LINE = {"product": "gasket", "part_no": "P-1", "quantity": 5000, "unit": "pcs"}


def iso(moment: datetime) -> str:
    return moment.isoformat()


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


# An argon2id hash of "correct horse battery staple" (argon2-cffi's defaults).
HASH = ("$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0$"
        "8CkAcdLCIpUd1d3oRQ2zW0jnQ3kh5TNqB8F6lC2yL2E")
USER_COMMANDS = ("add_user", "change_user_roles", "change_user_email", "change_password",
                 "disable_user", "enable_user", "issue_api_token", "revoke_api_token")


def valid_users(now: datetime) -> dict[str, dict[str, Any]]:
    who = {"username": "amy.wang"}
    return {
        "add_user": {**who, "display_name": "Amy Wang 王艾米", "user_department": "sales",
                     "roles": ["sales_assistant"], "password_hash": HASH,
                     "email": "amy.wang@example.com"},
        "change_user_roles": {**who, "user_department": "sales",
                              "roles": ["sales_assistant", "salesperson"]},
        "change_user_email": {**who, "email": "amy@sales.example.cn"},
        "change_password": {**who, "password_hash": HASH},
        "disable_user": {**who, "reason": "left the company"},
        "enable_user": who,
        "issue_api_token": {**who, "token_id": "a1b2c3d4e5f6", "token_hash": "0" * 64,
                            "label": "ERP", "expires_at": iso(now + timedelta(days=90))},
        "revoke_api_token": {**who, "token_id": "a1b2c3d4e5f6"},
    }


def bad_users(now: datetime) -> dict[str, list[Case]]:
    names: list[Case] = [("username", "Amy", None), ("username", "a", None),
                         ("username", "a" * 41, None), ("username", "amy wang", None)]
    roles: list[Case] = [("roles", [], None), ("roles", ["system"], None),
                         ("roles", ["salesperson", "salesperson"], None),
                         ("roles.0", "janitor", None)]
    department: list[Case] = [("user_department", "finance", None)]
    password: list[Case] = [("password_hash", "hunter2", None),
                            ("password_hash", "$argon2id$" + "x" * 200, None)]
    token: list[Case] = [("token_id", "short", None), ("token_id", "A" * 12, None)]
    email: list[Case] = [("email", "amy", None), ("email", "amy@localhost", None),
                         ("email", "amy wang@example.com", None), ("email", "@example.com", None),
                         ("email", "amy@-example.com", None),
                         ("email", "a" * 65 + "@example.com", None),
                         ("email", "amy@" + "x" * 250 + ".com", None)]
    return {
        "add_user": [*names, *roles, *department, *password, *email,
                     ("display_name", "", None), ("display_name", "x" * 81, None)],
        "change_user_email": [*names, *email],
        "change_user_roles": [*names, *roles, *department],
        "change_password": [*names, *password],
        "disable_user": [*names, ("reason", "x" * 201, None)],
        "enable_user": names,
        "issue_api_token": [*names, *token, ("token_hash", "f" * 63, None),
                            ("label", "", None), ("label", "x" * 81, None),
                            ("expires_at", iso(now - timedelta(hours=1)), EARLIER),
                            ("expires_at", iso(now + timedelta(days=800)), LATER),
                            ("expires_at", "2027-01-01T00:00:00", None)],
        "revoke_api_token": [*names, *token],
    }
