"""Events of the sales department's customer records (R-S1 onboarding, R-S2 customer file)."""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar, Self

from pydantic import Field, model_validator

from events.envelope import Department, DomainEvent, Frozen, Role


class ContactDepartment(StrEnum):
    """A department whose people may appear on the External Contact Window (R-S1)."""

    SALES = "sales"
    QUALITY = "quality"
    PURCHASING = "purchasing"
    PRODUCTION = "production"
    ENGINEERING = "engineering"
    FINANCE = "finance"

    @property
    def zh(self) -> str:
        return _DEPARTMENT_ZH[self]


_DEPARTMENT_ZH = {
    ContactDepartment.SALES: "业务部", ContactDepartment.QUALITY: "品质部",
    ContactDepartment.PURCHASING: "采购部", ContactDepartment.PRODUCTION: "生产部",
    ContactDepartment.ENGINEERING: "工程部", ContactDepartment.FINANCE: "财务部",
}


class DocumentCategory(StrEnum):
    """The R-S2 categories of the customer file, in the order the file is kept."""

    BASIC_DATA = "basic_data"
    PRODUCT_INFO = "product_info"
    ENGINEERING_DRAWING = "engineering_drawing"
    QUOTATION_INFO = "quotation_info"

    @property
    def zh(self) -> str:
        return _CATEGORY_ZH[self]


_CATEGORY_ZH = {
    DocumentCategory.BASIC_DATA: "基本资料", DocumentCategory.PRODUCT_INFO: "产品资料",
    DocumentCategory.ENGINEERING_DRAWING: "工程图纸", DocumentCategory.QUOTATION_INFO: "报价资料",
}


class CustomerContact(Frozen):
    """The customer's own contact person, as the salesperson brought them."""

    person: str = Field(min_length=1, max_length=80, description="Contact person / 联系人")
    phone: str | None = Field(default=None, max_length=40, description="Phone / 电话")
    email: str | None = Field(default=None, max_length=120, description="E-mail / 邮箱")
    address: str | None = Field(default=None, max_length=200, description="Address / 地址")


class WindowContact(Frozen):
    """One line of the External Contact Window (外部联络窗口): who, what for, how to reach them."""

    name: str = Field(min_length=1, max_length=80, description="Name / 姓名")
    department: ContactDepartment = Field(default=ContactDepartment.SALES,
                                          description="Department / 部门")
    role: Role | None = Field(default=None, description="Role, for sales contacts / 职位")
    duty: str = Field(min_length=1, max_length=200, description="Short duties / 职责")
    phone: str | None = Field(default=None, max_length=40, description="Phone / 电话")
    email: str | None = Field(default=None, max_length=120, description="E-mail / 邮箱")

    @model_validator(mode="after")
    def reachable(self) -> Self:
        if not (self.phone or self.email):
            raise ValueError(f"contact {self.name} needs a phone or an e-mail")
        return self


class CustomerEvent(DomainEvent):
    """An event of one customer record (aggregate ``customer``), found by its customer number."""

    department: ClassVar[Department] = Department.SALES
    aggregate: ClassVar[str] = "customer"
    record_field: ClassVar[str | None] = "customer_no"

    customer_no: str = Field(description="Customer number / 客户编号")


class CustomerSubmitted(CustomerEvent):
    """A salesperson submitted a new customer with its contact data (R-S1)."""

    name: str = Field(description="Customer name / 客户名称")
    contact: CustomerContact
    salesperson: str = Field(description="Responsible salesperson / 业务员")


class CustomerConfirmed(CustomerEvent):
    """The sales manager confirmed the customer and assigned a sales assistant (R-S1)."""

    assistant: str = Field(description="Assigned sales assistant (user name) / 业务助理")


class ContactDisclosureApproved(CustomerEvent):
    """The head of another department approved giving that department's contacts to the customer."""

    disclosed_department: ContactDepartment = Field(
        description="Department whose contacts may be given out / 可对外提供联络人的部门")
    head: str = Field(description="Name of the department head who approved / 部门主管")


class ContactWindowSent(CustomerEvent):
    """The assigned assistant sent the customer the External Contact Window (R-S1)."""

    contacts: tuple[WindowContact, ...] = Field(description="The window's contacts / 联络人")


class CustomerDocumentFiled(CustomerEvent):
    """The assistant filed a document in the electronic customer file (R-S2); the content is
    in the object store under its SHA-256."""

    category: DocumentCategory = Field(description="File category / 类别")
    title: str = Field(description="Title / 标题")
    filename: str = Field(description="File name / 文件名")
    media_type: str = Field(description="Media type, e.g. application/pdf")
    filed_on: date = Field(description="Document date the file is kept by / 日期")
    sha256: str = Field(description="SHA-256 of the content, hex; the object's name")
    size: int = Field(ge=0, description="Content size in bytes / 大小")


EVENTS: tuple[type[DomainEvent], ...] = (
    CustomerSubmitted,
    CustomerConfirmed,
    ContactDisclosureApproved,
    ContactWindowSent,
    CustomerDocumentFiled,
)
