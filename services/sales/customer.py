"""The customer record kept by sales: R-S1 onboarding and its contact window, R-S2 customer file."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from events import customers as ev
from events.customers import ContactDepartment, DocumentCategory, WindowContact
from events.envelope import Role
from services.domain import Aggregate, Context, Forbidden, RuleBroken, record_id

DISCLOSURE_RECORDERS = (Role.SALES_MANAGER, Role.MARKETING_MANAGER)
# R-S1: the window always names these sales roles.
WINDOW_ROLES = (Role.MARKETING_MANAGER, Role.CS_SUPERVISOR, Role.SALES_ASSISTANT,
                Role.TECHNICAL_SUPPORT)
_ROLE_ZH = {Role.MARKETING_MANAGER: "市场部经理", Role.CS_SUPERVISOR: "客服主管",
            Role.SALES_ASSISTANT: "业务助理", Role.TECHNICAL_SUPPORT: "技术支持"}
_STATUS_ZH = {"new": "不存在", "submitted": "已提交", "confirmed": "已确认",
              "window_sent": "已发送联络窗口"}


def customer_id(customer_no: str) -> UUID:
    return record_id("customer", customer_no)


@dataclass
class Customer(Aggregate):
    """One customer, from the salesperson's submission to its electronic file."""

    customer_no: str = ""
    name: str = ""
    salesperson: str = ""
    assistant: str | None = None
    status: str = "new"
    approvals: frozenset[ContactDepartment] = frozenset()
    window_sent_at: datetime | None = None
    filed: frozenset[tuple[DocumentCategory, str]] = frozenset()  # (category, sha256)

    # -- R-S1 commands ----------------------------------------------------------------------
    def submit(self, ctx: Context, *, customer_no: str, name: str, contact: ev.CustomerContact,
               salesperson: str | None = None) -> None:
        ctx.require("R-S1", [Role.SALESPERSON], "submit a new customer", "提交新客户")
        if self.version:
            raise RuleBroken("R-S1", f"customer {customer_no} already exists",
                             f"客户 {customer_no} 已存在")
        self.trigger(ev.CustomerSubmitted, ctx, customer_no=customer_no, name=name,
                     contact=contact, salesperson=salesperson or ctx.actor.user)

    def confirm(self, ctx: Context, assistant: str) -> None:
        ctx.require("R-S1", [Role.SALES_MANAGER], "confirm a customer and assign its assistant",
                    "确认客户并指派业务助理")
        self._expect("R-S1", {"submitted"}, "only a submitted customer can be confirmed",
                     "只有已提交的客户才能确认")
        self.trigger(ev.CustomerConfirmed, ctx, customer_no=self.customer_no, assistant=assistant)

    def approve_disclosure(self, ctx: Context, department: ContactDepartment, head: str) -> None:
        ctx.require("R-S1", DISCLOSURE_RECORDERS, "record a department head's approval",
                    "登记部门主管的批准")
        self._expect("R-S1", {"submitted", "confirmed", "window_sent"},
                     "an approval is recorded for an existing customer", "只能为已有客户登记批准")
        if department is ContactDepartment.SALES:
            raise RuleBroken("R-S1", "the sales department's own contacts need no approval",
                             "业务部自己的联络人无需批准", field="department")
        if department in self.approvals:
            raise RuleBroken("R-S1", f"the {department.value} head's approval is already recorded "
                             f"for customer {self.customer_no}",
                             f"客户 {self.customer_no} 已登记{department.zh}主管的批准")
        self.trigger(ev.ContactDisclosureApproved, ctx, customer_no=self.customer_no,
                     disclosed_department=department, head=head)

    def send_window(self, ctx: Context, contacts: Sequence[WindowContact]) -> None:
        ctx.require("R-S1", [Role.SALES_ASSISTANT], "send the External Contact Window",
                    "发送外部联络窗口")
        self._expect("R-S1", {"confirmed", "window_sent"},
                     "the contact window follows the sales manager's confirmation",
                     "业务经理确认客户后才能发送外部联络窗口")
        if ctx.actor.user != self.assistant:
            raise Forbidden("R-S1", f"only {self.assistant}, the assistant assigned to customer "
                            f"{self.customer_no}, may send its contact window",
                            f"只有客户 {self.customer_no} 指派的业务助理 {self.assistant} "
                            "可以发送联络窗口")
        sales_roles = {c.role for c in contacts if c.department is ContactDepartment.SALES}
        missing = [r for r in WINDOW_ROLES if r not in sales_roles]
        if missing:
            raise RuleBroken("R-S1", "the contact window must name the marketing manager, the CS "
                             f"supervisor, the assistant and technical support; missing: "
                             f"{', '.join(r.value for r in missing)}",
                             f"外部联络窗口必须包括市场部经理、客服主管、业务助理和技术支持；缺少："
                             f"{'、'.join(_ROLE_ZH[r] for r in missing)}", field="contacts")
        for department in dict.fromkeys(c.department for c in contacts):
            if department is not ContactDepartment.SALES and department not in self.approvals:
                names = ", ".join(c.name for c in contacts if c.department is department)
                raise RuleBroken(
                    "R-S1", f"the contact window lists {department.value} contacts ({names}) but "
                    f"the {department.value} department head has not approved giving them out",
                    f"联络窗口列出了{department.zh}的联络人（{names}），但{department.zh}主管"
                    "未批准对外提供", field="contacts")
        self.trigger(ev.ContactWindowSent, ctx, customer_no=self.customer_no,
                     contacts=tuple(contacts))

    # -- R-S2 command -----------------------------------------------------------------------
    def file_document(self, ctx: Context, *, category: DocumentCategory, title: str,
                      filename: str, media_type: str, filed_on: date, sha256: str,
                      size: int) -> None:
        ctx.require("R-S2", [Role.SALES_ASSISTANT], "file a customer document", "归档客户资料")
        self._expect("R-S2", {"confirmed", "window_sent"},
                     "documents are filed for a customer the sales manager confirmed",
                     "客户经业务经理确认后才能归档资料")
        if (category, sha256) in self.filed:
            raise RuleBroken("R-S2", f"this {category.value} document is already in the file of "
                             f"customer {self.customer_no}",
                             f"客户 {self.customer_no} 的{category.zh}中已有相同文件")
        self.trigger(ev.CustomerDocumentFiled, ctx, customer_no=self.customer_no,
                     category=category, title=title, filename=filename, media_type=media_type,
                     filed_on=filed_on, sha256=sha256, size=size)

    def _expect(self, rule: str, statuses: set[str], en: str, zh: str) -> None:
        if self.status not in statuses:
            raise RuleBroken(rule, f"{en} (customer {self.customer_no or '?'} is {self.status})",
                             f"{zh}（客户 {self.customer_no or '?'} 当前状态："
                             f"{_STATUS_ZH.get(self.status, self.status)}）")

    # -- state changes ------------------------------------------------------------------------
    def when_CustomerSubmitted(self, e: ev.CustomerSubmitted) -> None:
        self.customer_no, self.name, self.salesperson = e.customer_no, e.name, e.salesperson
        self.status = "submitted"

    def when_CustomerConfirmed(self, e: ev.CustomerConfirmed) -> None:
        self.assistant, self.status = e.assistant, "confirmed"

    def when_ContactDisclosureApproved(self, e: ev.ContactDisclosureApproved) -> None:
        self.approvals = self.approvals | {e.disclosed_department}

    def when_ContactWindowSent(self, e: ev.ContactWindowSent) -> None:
        self.window_sent_at, self.status = e.timestamp, "window_sent"

    def when_CustomerDocumentFiled(self, e: ev.CustomerDocumentFiled) -> None:
        self.filed = self.filed | {(e.category, e.sha256)}
