"""The sample record kept by sales: R-S3's ordered steps from request to approved application."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from events import sales as ev
from events.envelope import DieDifficulty, DomainEvent, Role
from services.domain import Aggregate, Context, RuleBroken, record_id

MANAGERS = (Role.CS_SUPERVISOR, Role.SALES_MANAGER, Role.MARKETING_MANAGER)
# Sales' view of production progress, in order; a later stage never goes back to an earlier one.
PROGRESS = ("scheduled", "in_production", "promised", "completed", "returned")


def sample_id(request_no: str) -> UUID:
    return record_id("sample", request_no)


@dataclass
class SampleRecord(Aggregate):
    """One customer sample, from request to the sample's return to sales."""

    request_no: str = ""
    customer: str = ""
    product: str = ""
    part_no: str = ""
    materials: ev.MaterialSet | None = None
    die_difficulty: DieDifficulty | None = None
    quotation_no: str | None = None
    unit_price: Decimal | None = None
    status: str = "new"
    progress: str | None = None
    reported: frozenset[UUID] = frozenset()

    # -- commands ---------------------------------------------------------------------------
    def request(self, ctx: Context, *, request_no: str, customer: str, product: str, part_no: str,
                salesperson: str, materials: ev.MaterialSet) -> None:
        ctx.require("R-S3", [Role.SALES_ASSISTANT], "register a sample request", "登记打样申请")
        if self.version:
            raise RuleBroken("R-S3", f"sample request {request_no} already exists",
                             f"打样申请 {request_no} 已存在")
        self.trigger(ev.SampleRequested, ctx, request_no=request_no, customer=customer,
                     product=product, part_no=part_no, salesperson=salesperson,
                     assistant=ctx.actor.user, materials=materials)

    def update_materials(self, ctx: Context, materials: ev.MaterialSet) -> None:
        ctx.require("R-S3", [Role.SALES_ASSISTANT], "update the material set", "更新资料清单")
        self._expect("R-S3", {"requested"}, "the material set can change only before costing",
                     "资料清单只能在成本评估前修改")
        self.trigger(ev.SampleMaterialsUpdated, ctx, request_no=self.request_no, materials=materials)

    def cost(self, ctx: Context, *, bom_ref: str, material_cost: Decimal, process_cost: Decimal,
             die_difficulty: DieDifficulty) -> None:
        ctx.require("R-S3", [Role.TECHNICAL_SUPPORT], "cost a sample and make its BOM",
                    "评估成本并制作BOM")
        missing = self.materials.missing() if self.materials else ["materials"]
        if missing:
            raise RuleBroken("R-S3", f"costing needs the complete material set; missing: {', '.join(missing)}",
                             f"资料不齐全，不能评估成本；缺少：{', '.join(missing)}")
        self._expect("R-S3", {"requested"}, "costing is done once, after the request",
                     "成本评估只能在申请之后进行一次")
        self.trigger(ev.SampleCosted, ctx, request_no=self.request_no, bom_ref=bom_ref,
                     material_cost=material_cost, process_cost=process_cost,
                     die_difficulty=die_difficulty)

    def prepare_quotation(self, ctx: Context, *, quotation_no: str, unit_price: Decimal,
                          currency: str) -> None:
        ctx.require("R-S3", [Role.QUOTATION_SPECIALIST], "prepare a quotation", "制作报价单")
        self._expect("R-S3", {"costed"}, "a quotation needs technical support's costing and BOM",
                     "报价需要技术支持先完成成本评估和BOM")
        self.trigger(ev.QuotationPrepared, ctx, request_no=self.request_no,
                     quotation_no=quotation_no, unit_price=unit_price, currency=currency)

    def sign_quotation(self, ctx: Context) -> None:
        ctx.require("R-S3", [Role.CS_SUPERVISOR], "sign a quotation off", "签核报价单")
        self._expect("R-S3", {"quoted"}, "only a prepared quotation can be signed",
                     "只有已制作的报价单才能签核")
        self.trigger(ev.QuotationSigned, ctx, request_no=self.request_no)

    def approve_price(self, ctx: Context) -> None:
        ctx.require("R-S3", [Role.SALESPERSON], "report the customer's price approval",
                    "回报客户价格确认")
        self._expect("R-S3", {"signed"}, "the customer can approve only a signed quotation",
                     "客户只能确认已签核的报价")
        self.trigger(ev.PriceApproved, ctx, request_no=self.request_no)

    def open_application(self, ctx: Context, application_no: str) -> None:
        ctx.require("R-S3", [Role.SALES_ASSISTANT], "open a sample application", "开立样品加工申请表")
        self._expect("R-S3", {"price_approved"}, "a sample application needs an approved price",
                     "价格未经客户确认，不能开立样品加工申请表")
        self.trigger(ev.SampleApplicationOpened, ctx, request_no=self.request_no,
                     application_no=application_no)

    def approve_application(self, ctx: Context) -> None:
        ctx.require("R-S3", MANAGERS, "approve a sample application", "审核样品加工申请表")
        self._expect("R-S3", {"application_opened"}, "only an opened application can be approved",
                     "只有已开立的申请表才能审核")
        assert self.die_difficulty is not None
        self.trigger(ev.SampleApplicationApproved, ctx, request_no=self.request_no,
                     customer=self.customer, product=self.product, part_no=self.part_no,
                     die_difficulty=self.die_difficulty)

    def record_progress(self, ctx: Context, stage: str, at: datetime, source: UUID) -> None:
        """R-S5: keep production status current; repeats and stale reports change nothing."""
        if source in self.reported or (
            self.progress is not None and PROGRESS.index(stage) <= PROGRESS.index(self.progress)
        ):
            return
        self.trigger(ev.SampleProgressRecorded, ctx, request_no=self.request_no, stage=stage,
                     at=at, source_event_id=source)

    def _expect(self, rule: str, statuses: set[str], en: str, zh: str) -> None:
        if self.status not in statuses:
            raise RuleBroken(rule, f"{en} (sample {self.request_no} is {self.status})",
                             f"{zh}（打样 {self.request_no} 当前状态：{self.status}）")

    # -- state changes ------------------------------------------------------------------------
    def when_SampleRequested(self, e: ev.SampleRequested) -> None:
        self.request_no, self.customer, self.product = e.request_no, e.customer, e.product
        self.part_no, self.materials, self.status = e.part_no, e.materials, "requested"

    def when_SampleMaterialsUpdated(self, e: ev.SampleMaterialsUpdated) -> None:
        self.materials = e.materials

    def when_SampleCosted(self, e: ev.SampleCosted) -> None:
        self.die_difficulty, self.status = e.die_difficulty, "costed"

    def when_QuotationPrepared(self, e: ev.QuotationPrepared) -> None:
        self.quotation_no, self.unit_price, self.status = e.quotation_no, e.unit_price, "quoted"

    def when_QuotationSigned(self, e: DomainEvent) -> None:
        self.status = "signed"

    def when_PriceApproved(self, e: DomainEvent) -> None:
        self.status = "price_approved"

    def when_SampleApplicationOpened(self, e: DomainEvent) -> None:
        self.status = "application_opened"

    def when_SampleApplicationApproved(self, e: DomainEvent) -> None:
        self.status = "application_approved"

    def when_SampleProgressRecorded(self, e: ev.SampleProgressRecorded) -> None:
        self.progress, self.status = e.stage, e.stage
        self.reported = self.reported | {e.source_event_id}
