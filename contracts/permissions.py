"""Who may give which command: one table, by role, checked at the gateway and again by every
department's command bus before the command reaches an aggregate.

The DOMAIN.md rule that names the role is given with each command; a refusal cites it. The
aggregates keep their own role checks as well (a command bus of an older build, a test calling
a use case directly): they can only refuse more, never allow more than this table.
"""
from __future__ import annotations

from collections.abc import Iterable

from events.envelope import Role

R = Role
MANAGERS = (R.MARKETING_MANAGER, R.SALES_MANAGER, R.CS_SUPERVISOR)
SALES_DEPARTMENT = (*MANAGERS, R.SALESPERSON, R.SALES_ASSISTANT, R.TECHNICAL_SUPPORT,
                    R.QUOTATION_SPECIALIST)
PLANNERS = (R.PMC_PLANNER, R.PRODUCTION_SUPERVISOR)
INSPECTORS = (R.QC_INSPECTOR, R.QUALITY_ENGINEER)
FRONT_LINE = (R.SALESPERSON, R.SALES_ASSISTANT)
EVERY_PERSON = tuple(r for r in Role if r is not R.SYSTEM)

# (department, command) -> (the rule that says who, the roles that may give it)
Entry = tuple[str | None, tuple[Role, ...]]


def _same(rule: str | None, roles: Iterable[Role], *commands: str) -> dict[str, Entry]:
    return {command: (rule, tuple(roles)) for command in commands}


SALES: dict[str, Entry] = {
    **_same("R-S1", [R.SALESPERSON], "submit_customer"),
    **_same("R-S1", [R.SALES_MANAGER], "confirm_customer"),
    **_same("R-S1", [R.SALES_MANAGER, R.MARKETING_MANAGER], "approve_contact_disclosure"),
    **_same("R-S1", [R.SALES_ASSISTANT], "send_contact_window"),
    **_same("R-S2", [R.SALES_ASSISTANT], "file_customer_document"),
    **_same("R-S3", [R.SALES_ASSISTANT], "request_sample", "update_sample_materials",
            "send_quotation", "open_sample_application"),
    **_same("R-S3", [R.TECHNICAL_SUPPORT], "complete_costing"),
    **_same("R-S3", [R.QUOTATION_SPECIALIST], "prepare_quotation"),
    **_same("R-S3", [R.CS_SUPERVISOR], "sign_quotation"),
    **_same("R-S3", [R.SALESPERSON], "approve_price"),
    **_same("R-S3", MANAGERS, "approve_sample_application"),
    **_same("R-S4", [R.SALESPERSON], "reject_price", "chase_order"),
    **_same("R-S4", [R.SALES_MANAGER, R.CS_SUPERVISOR], "resolve_price_escalation"),
    **_same("R-S6", FRONT_LINE, "ship_sample", "record_sample_approval"),
    **_same("R-S6", [R.SALESPERSON], "confirm_sample_receipt", "record_trial", "agree_ng_fix"),
    **_same("R-S6", [R.SALES_ASSISTANT], "start_new_sample_round"),
    **_same("R-S8", [R.SALES_ASSISTANT, R.CS_SUPERVISOR], "note_sample_month"),
    # Issue 12: the assistant keeps the Sample Record Summary, so she loads the old one.
    **_same("R-S5", [R.SALES_ASSISTANT], "import_sample", "import_samples"),
    **_same("R-O1", FRONT_LINE, "receive_order"),
    **_same("R-O1", [R.SALES_ASSISTANT], "archive_order"),
    **_same("R-O2", [R.SALES_ASSISTANT], "issue_internal_order", "notify_customer_of_delivery",
            "transfer_customer_materials"),
    **_same("R-O3", (*SALES_DEPARTMENT, *PLANNERS, *INSPECTORS), "report_order_exception"),
    **_same("R-O3", [R.SALES_ASSISTANT], "record_exception_delivered"),
    **_same("R-O3", [R.SALES_ASSISTANT], "import_order", "import_orders"),
    **_same("R-O4", [R.SALES_ASSISTANT], "issue_shipping_note", "issue_shipping_note_copy"),
    **_same("R-O4", [R.SALESPERSON], "arrange_shipment", "confirm_shipment"),
    **_same("R-O6", [R.SALES_ASSISTANT, R.CS_SUPERVISOR], "note_order_month"),
    **_same("R-C1", SALES_DEPARTMENT, "receive_complaint"),
    **_same("R-C2", FRONT_LINE, "forward_complaint", "answer_minor_complaint"),
    **_same("R-C1", [R.TECHNICAL_SUPPORT], "register_complaint", "attach_complaint_file",
            "record_customer_contact", "judge_complaint_severity", "fill_complaint_form",
            "escalate_complaint", "reply_to_complaint"),
    **_same("R-C2", [R.CS_SUPERVISOR], "sign_complaint_form"),
    **_same("R-C3", [R.TECHNICAL_SUPPORT], "record_complaint_follow_up"),
    **_same("R-C3", [R.CS_SUPERVISOR], "verify_satisfaction", "close_complaint"),
    **_same("R-C7", [R.TECHNICAL_SUPPORT], "schedule_complaint_visit", "record_complaint_visit",
            "archive_complaint_form"),
    **_same("R-C6", [R.TECHNICAL_SUPPORT], "note_complaint_month"),
    **_same("R-C2", [R.TECHNICAL_SUPPORT], "import_complaint", "import_complaints"),
    **_same("R-M2", MANAGERS, "record_resource_need", "record_improvement",
            "withdraw_meeting_input"),
}


def _complaint_desk(roles: Iterable[Role]) -> dict[str, Entry]:
    """R-C4 / R-C2: the department a complaint was escalated to redirects or analyses it."""
    return {**_same("R-C4", roles, "redirect_complaint"),
            **_same("R-C2", roles, "record_complaint_analysis")}


PERMISSIONS: dict[str, dict[str, Entry]] = {
    "sales": SALES,
    "engineering": {
        **_same("R-S3", [R.ENGINEER], "schedule_sampling"),
        **_same("R-S6", [R.ENGINEER], "return_sample"),
        **_same("R-O2", [R.ENGINEER], "issue_process_instructions"),
        **_complaint_desk([R.ENGINEER]),
    },
    "production": {
        **_same("R-S7", PLANNERS, "promise_delivery", "notify_delay", "notify_order_delay"),
        **_same("R-S3", PLANNERS, "pause_sample_work", "resume_sample_work"),
        **_same("R-S3", [R.PRODUCTION_SUPERVISOR], "complete_sample"),
        **_same("R-O2", PLANNERS, "promise_order_delivery"),
        **_same("R-O4", [R.PRODUCTION_SUPERVISOR], "complete_lot"),
        **_complaint_desk(PLANNERS),
    },
    "quality": {
        **_same("R-O4", INSPECTORS, "inspect_lot"),
        **_complaint_desk(INSPECTORS),
    },
    "sla": {
        # Not DOMAIN.md rules: the company calendar and the accounts are the admin's.
        **_same(None, [R.ADMIN], "declare_holiday", "declare_workday", "change_working_hours",
                "add_user", "change_user_roles", "change_user_email", "disable_user", "enable_user",
                "issue_api_token", "revoke_api_token"),
        # Anyone may change their own password; the account's aggregate refuses another's
        # unless the actor is an admin.
        **_same(None, EVERY_PERSON, "change_password"),
    },
}


def allowed_roles(department: str, command: str) -> tuple[Role, ...]:
    """The roles that may give ``command``; none for a command the table does not know."""
    entry = PERMISSIONS.get(department, {}).get(command)
    return entry[1] if entry else ()


def rule_of(department: str, command: str) -> str | None:
    entry = PERMISSIONS.get(department, {}).get(command)
    return entry[0] if entry else None


def by_role() -> dict[Role, list[str]]:
    """The same table read the other way: what each role may do (``department.command``)."""
    table: dict[Role, list[str]] = {role: [] for role in EVERY_PERSON}
    for department, commands in PERMISSIONS.items():
        for command, (_, roles) in commands.items():
            for role in roles:
                table[role].append(f"{department}.{command}")
    return table
