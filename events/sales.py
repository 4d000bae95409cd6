"""Events of the sales department (业务部): the sample record and its quotation (R-S3, R-S5)."""
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


class PriceApproved(SampleEvent):
    """The salesperson reported that the customer approved the price."""


class SampleApplicationOpened(SampleEvent):
    """The assistant opened the Sample Processing Application (样品加工申请表)."""

    application_no: str = Field(description="Application number / 申请单号")


class SampleApplicationApproved(SampleEvent):
    """The CS supervisor or a manager approved the sample application; it goes to engineering."""

    customer: str
    product: str
    part_no: str
    die_difficulty: DieDifficulty


class SampleProgressRecorded(SampleEvent):
    """Sales recorded production progress reported by another department (R-S5)."""

    stage: Literal["scheduled", "in_production", "promised", "completed", "returned"]
    at: datetime = Field(description="When the reported step happened")
    source_event_id: UUID = Field(description="The other department's event this records")


EVENTS: tuple[type[DomainEvent], ...] = (
    SampleRequested,
    SampleMaterialsUpdated,
    SampleCosted,
    QuotationPrepared,
    QuotationSigned,
    PriceApproved,
    SampleApplicationOpened,
    SampleApplicationApproved,
    SampleProgressRecorded,
)
