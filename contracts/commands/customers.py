"""Customer commands of the sales service (R-S1 onboarding, R-S2 customer file).

Subjects ``salesflow.cmd.sales.<name>``, like every sales command.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Self

from pydantic import Field, PrivateAttr

from contracts.commands.base import Command
from contracts.commands.bounds import DocumentDay
from events.customers import ContactDepartment, CustomerContact, DocumentCategory, WindowContact

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# base64 of MAX_DOCUMENT_BYTES, so an oversized document is refused before it is decoded
MAX_BASE64_CHARS = 4 * ((MAX_DOCUMENT_BYTES + 2) // 3)


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
        description="Responsible salesperson (user name); the submitting salesperson when absent")


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


class FileCustomerDocument(CustomerCommand):
    """The assistant files a document in the electronic customer file (R-S2).

    Clients send the content; the service checks it, computes its hash and size, and stores it
    in the object store only once the customer's rules accepted the document (role, customer
    state, not filed twice). A hash sent without the content is refused.
    """

    name: ClassVar[str] = "file_customer_document"
    category: DocumentCategory = Field(description="File category / 类别")
    title: str = Field(min_length=1, max_length=200, description="Title / 标题")
    filename: str = Field(min_length=1, max_length=200, description="File name / 文件名")
    media_type: str = Field(default="application/octet-stream", max_length=120,
                            pattern=r"^[\w.+-]+/[\w.+-]+$", description="e.g. application/pdf")
    filed_on: DocumentDay = Field(description="Document date the file is kept by, from "
                                  "1970-01-01 to today / 日期")
    content_base64: str | None = Field(
        default=None, min_length=1, max_length=MAX_BASE64_CHARS,
        description=f"The document, base64; at most {MAX_DOCUMENT_BYTES // 2**20} MB decoded")
    content_sha256: str | None = Field(
        default=None, max_length=64, pattern=r"^[0-9a-f]{64}$",
        description="Optional check: hex SHA-256 the content must have; set by the service")
    size: int | None = Field(default=None, ge=0, le=MAX_DOCUMENT_BYTES,
                             description="Set by the service: bytes stored")

    # Not on the wire: set only on the copy the service made after checking the content.
    _store_content: Callable[[], None] | None = PrivateAttr(default=None)

    @property
    def content_checked(self) -> bool:
        """True only on the copy the service made after checking the content itself."""
        return self._store_content is not None

    def with_checked_content(self, sha256: str, size: int, store: Callable[[], None]) -> Self:
        """The copy the use case goes on with: the hash and size the service computed, and the
        step that stores the content, which the use case runs once the rules accepted it."""
        checked = self.model_copy(update={"content_base64": None, "content_sha256": sha256,
                                          "size": size})
        checked._store_content = store
        return checked

    def store_content(self) -> None:
        """Store the checked content (blocking; called from the use case's thread)."""
        if self._store_content is None:
            raise RuntimeError("the content was not checked by the service")
        self._store_content()


COMMANDS: tuple[type[Command], ...] = (
    SubmitCustomer,
    ConfirmCustomer,
    ApproveContactDisclosure,
    SendContactWindow,
    FileCustomerDocument,
)
