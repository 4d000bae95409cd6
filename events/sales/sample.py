"""Sales events of a sample request: materials, costing, quotation, price, application (R-S3, R-S4)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import Field

from events.envelope import Department, DieDifficulty, DomainEvent, Frozen


class MaterialSet(Frozen):
    """The R-S3 material checklist the assistant gathers before costing."""

    drawings: bool = Field(default=False, description="Engineering drawings / 工程图纸")
    technical_requirements: bool = Field(default=False, description="Technical requirements / 技术要求")
    original_sample: bool = Field(default=False, description="Physical original sample / 原样")
    quality_requirements: bool = Field(default=False, description="Quality requirements / 品质要求")
    key_notes: bool = Field(default=False, description="Key notes / 重点注意事项")

    def missing(self) -> list[str]:
        return [name for name in type(self).model_fields if not getattr(self, name)]


class SampleEvent(DomainEvent):
    """An event of the sales sample record (aggregate ``sample``)."""

    department: ClassVar[Department] = Department.SALES
    aggregate: ClassVar[str] = "sample"
    record_field: ClassVar[str | None] = "request_no"

    request_no: str = Field(description="Sample request number / 打样申请编号")


class SampleRequested(SampleEvent):
    """The assistant registered a customer's sample request with its material checklist."""

    customer: str = Field(description="Customer name / 客户")
    product: str = Field(description="Product / 产品")
    part_no: str = Field(description="Part number / 料号")
    salesperson: str = Field(description="Responsible salesperson / 业务员")
    assistant: str = Field(description="Responsible sales assistant / 业务助理")
    materials: MaterialSet
    purpose: Literal["sample", "quotation"] = Field(
        default="sample", description="A sample, or a quotation without a sample (R-S4)")


class SampleMaterialsUpdated(SampleEvent):
    """The assistant completed or corrected the material checklist."""

    materials: MaterialSet


class SampleCosted(SampleEvent):
    """Technical support evaluated materials and process cost and made the BOM."""

    bom_ref: str = Field(description="BOM reference / 物料清单编号")
    material_cost: Decimal = Field(description="Material cost / 材料成本")
    process_cost: Decimal = Field(description="Process cost / 加工成本")
    die_difficulty: DieDifficulty = Field(description="Die difficulty / 刀模难度")


class QuotationPrepared(SampleEvent):
    """The quotation specialist prepared the quotation."""

    quotation_no: str = Field(description="Quotation number / 报价单号")
    unit_price: Decimal = Field(description="Unit price / 单价")
    currency: str = Field(description="Currency, e.g. CNY")


class QuotationSigned(SampleEvent):
    """The CS supervisor signed the printed quotation off."""


class QuotationSent(SampleEvent):
    """The signed quotation went to the customer and the salesperson was informed (R-S3)."""


class PriceApproved(SampleEvent):
    """The salesperson reported that the customer approved the price."""


class PriceRejected(SampleEvent):
    """The customer did not approve the price; the case goes to a manager (R-S4)."""

    reason: str = Field(description="Why the customer refused / 客户拒绝原因")


class PriceEscalationResolved(SampleEvent):
    """The sales manager or CS supervisor decided: quote again, or close the request (R-S4)."""

    decision: Literal["requote", "close"]
    note: str = Field(description="The solution found / 解决办法")


class OrderChaseStarted(SampleEvent):
    """The salesperson chases the customer's order after an approved price or sample (R-S4, R-S6)."""

    note: str = ""


class SampleApplicationOpened(SampleEvent):
    """The assistant opened the Sample Processing Application (样品加工申请表)."""

    application_no: str = Field(description="Application number / 申请单号")
    round: int = Field(default=1, ge=1, description="Sample round (a new round after an NG trial)")


class SampleApplicationApproved(SampleEvent):
    """The CS supervisor or a manager approved the sample application; it goes to engineering."""

    customer: str
    product: str
    part_no: str
    die_difficulty: DieDifficulty
    round: int = Field(default=1, ge=1)


class SampleProgressRecorded(SampleEvent):
    """Sales recorded production progress reported by another department (R-S5)."""

    stage: Literal["scheduled", "in_production", "promised", "completed", "returned"]
    at: datetime = Field(description="When the reported step happened")
    source_event_id: UUID = Field(description="The other department's event this records")
    round: int = Field(default=1, ge=1)
