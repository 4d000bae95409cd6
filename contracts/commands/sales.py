"""Commands of the sales service (subjects ``salesflow.cmd.sales.<name>``)."""
from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field, ValidationInfo, field_validator

from contracts.commands.base import Command, SampleCommand
from contracts.commands.bounds import Cost, UnitPrice, bilingual
from events.envelope import DieDifficulty
from events.sales import MaterialSet


class RequestSample(SampleCommand):
    """Register a customer's sample request with the R-S3 material checklist."""

    name: ClassVar[str] = "request_sample"
    customer: str = Field(min_length=1, max_length=120, description="Customer name / 客户")
    product: str = Field(min_length=1, max_length=120, description="Product / 产品")
    part_no: str = Field(min_length=1, max_length=60, description="Part number / 料号")
    salesperson: str = Field(min_length=1, max_length=80, description="Salesperson / 业务员")
    materials: MaterialSet = Field(default_factory=MaterialSet,
                                   description="Materials received / 已收资料")
    purpose: Literal["sample", "quotation"] = Field(
        default="sample", description="A sample, or a quotation without a sample (R-S4) / "
                                   "打样，或只报价不打样")


class UpdateSampleMaterials(SampleCommand):
    """Complete or correct the material checklist."""

    name: ClassVar[str] = "update_sample_materials"
    materials: MaterialSet = Field(description="Materials received / 已收资料")


class CompleteCosting(SampleCommand):
    """Technical support records the costing and BOM."""

    name: ClassVar[str] = "complete_costing"
    bom_ref: str = Field(min_length=1, max_length=60, description="BOM reference / BOM 编号")
    # Either may be 0 (customer-supplied material, 客供料), not both: that is no costing.
    material_cost: Cost = Field(description="Material cost, at most 4 decimals / 材料成本")
    process_cost: Cost = Field(description="Process cost, at most 4 decimals / 加工成本")
    die_difficulty: DieDifficulty = Field(description="Die difficulty / 刀模难度")

    @field_validator("process_cost")
    @classmethod
    def some_cost(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        if value == 0 and info.data.get("material_cost") == 0:
            raise bilingual("costing_empty", "material and process cost cannot both be 0",
                            "材料成本和加工成本不能都为 0")
        return value


class PrepareQuotation(SampleCommand):
    """The quotation specialist prepares the quotation."""

    name: ClassVar[str] = "prepare_quotation"
    quotation_no: str = Field(min_length=1, max_length=40, description="Quotation no. / 报价单号")
    unit_price: UnitPrice = Field(description="Unit price, above 0, at most 6 decimals / 单价")
    currency: str = Field(default="CNY", max_length=3, pattern=r"^[A-Z]{3}$",
                          description="Currency (ISO code) / 币种")


class SignQuotation(SampleCommand):
    """The CS supervisor signs the quotation off."""

    name: ClassVar[str] = "sign_quotation"


class SendQuotation(SampleCommand):
    """The assistant sends the signed quotation to the customer and informs the salesperson."""

    name: ClassVar[str] = "send_quotation"


class ApprovePrice(SampleCommand):
    """The salesperson reports the customer's price approval."""

    name: ClassVar[str] = "approve_price"


class RejectPrice(SampleCommand):
    """The salesperson reports the customer's refusal; the case goes to a manager (R-S4)."""

    name: ClassVar[str] = "reject_price"
    multiline: ClassVar[frozenset[str]] = frozenset({"reason"})
    reason: str = Field(min_length=1, max_length=500, description="Reason / 原因")


class ResolvePriceEscalation(SampleCommand):
    """The sales manager or CS supervisor decides: quote again, or close (R-S4)."""

    name: ClassVar[str] = "resolve_price_escalation"
    multiline: ClassVar[frozenset[str]] = frozenset({"note"})
    decision: Literal["requote", "close"] = Field(description="Decision / 决定")
    note: str = Field(min_length=1, max_length=1000, description="Note / 备注")


class ChaseOrder(SampleCommand):
    """The salesperson starts chasing the customer's order (R-S4, R-S6)."""

    name: ClassVar[str] = "chase_order"
    multiline: ClassVar[frozenset[str]] = frozenset({"note"})
    note: str = Field(default="", max_length=1000, description="Note / 备注")


class OpenSampleApplication(SampleCommand):
    """The assistant opens the Sample Processing Application."""

    name: ClassVar[str] = "open_sample_application"
    application_no: str = Field(min_length=1, max_length=40,
                                description="Sample application no. / 样品加工申请单号")


class ApproveSampleApplication(SampleCommand):
    """The CS supervisor or a manager approves the application; it goes to engineering."""

    name: ClassVar[str] = "approve_sample_application"


COMMANDS: tuple[type[Command], ...] = (
    RequestSample,
    UpdateSampleMaterials,
    CompleteCosting,
    PrepareQuotation,
    SignQuotation,
    ApprovePrice,
    SendQuotation,
    RejectPrice,
    ResolvePriceEscalation,
    ChaseOrder,
    OpenSampleApplication,
    ApproveSampleApplication,
)
