"""Customer commands of the sales service (R-S1 onboarding, R-S2 customer file).

Subjects ``salesflow.cmd.sales.<name>``, like every sales command.
"""
from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from contracts.commands.base import Command
from contracts.commands.bounds import DocumentDay
from contracts.commands.documents import (
    MAX_BASE64_CHARS,
    MAX_DOCUMENT_BYTES,
    DocumentContent,
)
from events.customers import (
    ContactDepartment,
    CustomerContact,
    DocumentCategory,
    WindowContact,
)

__all__ = ["MAX_BASE64_CHARS", "MAX_DOCUMENT_BYTES"]  # kept importable from here


class CustomerCommand(Command):
    """A command about one customer, named by its customer number."""

    customer_no: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$",
                             description="Customer number (letters, digits, - and _) / 客户编号")


class SubmitCustomer(CustomerCommand):
    """A salesperson submits a new customer with its contact data (R-S1)."""

    name: ClassVar[str] = "submit_customer"
    customer_name: str = Field(min_length=1, max_length=120, description="Customer name / 客户名称")
    contact: CustomerContact = Field(description="The customer's contact person / 客户联系人")
    salesperson: str | None = Field(
        default=None, min_length=1, max_length=80,
        description="Responsible salesperson (user name); the submitting salesperson when absent "
                    "/ 负责业务员（用户名），缺省为提交人")


class ConfirmCustomer(CustomerCommand):
    """The sales manager confirms the customer and assigns a sales assistant (R-S1)."""

    name: ClassVar[str] = "confirm_customer"
    assistant: str = Field(min_length=1, max_length=80,
                           description="User name of the assigned sales assistant / 业务助理")


class ApproveContactDisclosure(CustomerCommand):
    """Records that another department's head approved giving out its contacts (R-S1)."""

    name: ClassVar[str] = "approve_contact_disclosure"
    department: ContactDepartment = Field(
        description="Department whose contacts may be given out (not sales) / 部门")
    head: str = Field(min_length=1, max_length=80,
                      description="Name of that department's head, who approved / 部门主管")


class SendContactWindow(CustomerCommand):
    """The assigned assistant sends the customer the External Contact Window (R-S1)."""

    name: ClassVar[str] = "send_contact_window"
    contacts: tuple[WindowContact, ...] = Field(
        min_length=1, max_length=50, description="Names, duties and contacts / 联络人")


class FileCustomerDocument(CustomerCommand, DocumentContent):
    """The assistant files a document in the electronic customer file (R-S2).

    Clients send the content; the service checks it, computes its hash and size, and stores it
    in the object store only once the customer's rules accepted the document (role, customer
    state, not filed twice). A hash sent without the content is refused.
    """

    name: ClassVar[str] = "file_customer_document"
    category: DocumentCategory = Field(description="File category / 类别")
    title: str = Field(min_length=1, max_length=200, description="Title / 标题")
    filed_on: DocumentDay = Field(description="Document date the file is kept by, from "
                                  "1970-01-01 to today / 日期")


COMMANDS: tuple[type[Command], ...] = (
    SubmitCustomer,
    ConfirmCustomer,
    ApproveContactDisclosure,
    SendContactWindow,
    FileCustomerDocument,
)
