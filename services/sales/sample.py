"""The sample record kept by sales: R-S3 / R-S4's ordered steps from request to approved application.

The steps after the sample is made (shipment, trial, NG loop, delays) are in ``followup.py``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from events import sales as ev
from events.envelope import DieDifficulty, DomainEvent, Role
from events.imports import ImportSource
from events.sales.sample_import import IMPORTED_FACTS
from services.domain import Aggregate, Conflict, Context, RuleBroken, record_id
from services.sales.followup import SampleFollowUp

MANAGERS = (Role.CS_SUPERVISOR, Role.SALES_MANAGER, Role.MARKETING_MANAGER)
# Sales' view of production progress, in order; a later stage never goes back to an earlier one.
PROGRESS = ("scheduled", "in_production", "promised", "completed", "returned")
SALES_MANAGERS = (Role.SALES_MANAGER, Role.CS_SUPERVISOR)


def sample_id(request_no: str) -> UUID:
    return record_id("sample", request_no)


@dataclass
class SampleRecord(SampleFollowUp, Aggregate):
    """One customer sample, from request to the sample's return to sales."""

    request_no: str = ""
    customer: str = ""
    product: str = ""
    part_no: str = ""
    materials: ev.MaterialSet | None = None
    die_difficulty: DieDifficulty | None = None
    quotation_no: str | None = None
    unit_price: Decimal | None = None
    price_approved: bool = False  # once approved it stays so; an order's price may rest on it (R-O1)
    status: str = "new"
    purpose: str = "sample"
    round: int = 1
    progress: str | None = None
    stages: frozenset[str] = frozenset()  # progress stages recorded in the current round
    reported: frozenset[UUID] = frozenset()  # other departments' events already reacted to
    promised_at: datetime | None = None
    completed_at: datetime | None = None
    penalised: frozenset[tuple[int, datetime]] = frozenset()  # (round, promised time)
    received_on: date | None = None
    imported: ev.SampleImported | None = None  # the old table's row this record was loaded from

    # -- commands ---------------------------------------------------------------------------
    def request(self, ctx: Context, *, request_no: str, customer: str, product: str, part_no: str,
                salesperson: str, materials: ev.MaterialSet, purpose: str = "sample") -> None:
        ctx.require("R-S3", [Role.SALES_ASSISTANT], "register a sample request", "登记打样申请")
        if self.version:
            raise RuleBroken("R-S3", f"sample request {request_no} already exists",
                             f"打样申请 {request_no} 已存在")
        self.trigger(ev.SampleRequested, ctx, request_no=request_no, customer=customer,
                     product=product, part_no=part_no, salesperson=salesperson,
                     assistant=ctx.actor.user, materials=materials, purpose=purpose)

    def import_row(self, ctx: Context, source: ImportSource, **facts: Any) -> None:
        """R-S5: load a row of the old Sample Record Summary at its stage (issue 12). The same
        row again (same file, sheet and row, or the same facts) changes nothing; another row
        with this number is refused."""
        ctx.require("R-S5", [Role.SALES_ASSISTANT], "import the Sample Record Summary",
                    "导入打样记录汇总表")
        if self.version:
            if self._same_import(ctx, source, facts):
                return
            raise Conflict("R-S5", f"sample request {self.request_no} already exists with other "
                           "facts; it is not imported again", f"打样申请 {self.request_no} 已存在且"
                           "内容不同，不能重复导入", field="request_no")
        self.trigger(ev.SampleImported, ctx, source=source, **facts)

    def _same_import(self, ctx: Context, source: ImportSource, facts: dict[str, Any]) -> bool:
        row = self.imported
        if row is None:
            return False
        if (row.source.file_sha256, row.source.sheet, row.source.row) == (
                source.file_sha256, source.sheet, source.row):
            return True
        stored = row.facts()
        return row.timestamp == ctx.now and all(
            stored[key] == facts.get(key) for key in IMPORTED_FACTS if key != "timestamp")

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

    def send_quotation(self, ctx: Context) -> None:
        ctx.require("R-S3", [Role.SALES_ASSISTANT], "send a quotation to the customer", "寄送报价单")
        self._expect("R-S3", {"signed"}, "only a signed quotation goes to the customer",
                     "只有签核后的报价单才能发给客户")
        self.trigger(ev.QuotationSent, ctx, request_no=self.request_no)

    def approve_price(self, ctx: Context) -> None:
        ctx.require("R-S3", [Role.SALESPERSON], "report the customer's price approval",
                    "回报客户价格确认")
        self._expect("R-S3", {"sent"}, "the customer can approve only a quotation sent to them",
                     "客户只能确认已寄送的报价")
        self.trigger(ev.PriceApproved, ctx, request_no=self.request_no)

    def reject_price(self, ctx: Context, reason: str) -> None:
        ctx.require("R-S4", [Role.SALESPERSON], "report the customer's price refusal",
                    "回报客户拒绝报价")
        self._expect("R-S4", {"sent"}, "only a quotation sent to the customer can be refused",
                     "只有已寄送的报价才能被拒绝")
        self.trigger(ev.PriceRejected, ctx, request_no=self.request_no, reason=reason)

    def resolve_escalation(self, ctx: Context, decision: str, note: str) -> None:
        ctx.require("R-S4", SALES_MANAGERS, "resolve a refused price", "处理客户拒绝的报价")
        self._expect("R-S4", {"price_rejected"}, "only a refused price is escalated",
                     "只有被拒绝的报价才会上报")
        self.trigger(ev.PriceEscalationResolved, ctx, request_no=self.request_no,
                     decision=decision, note=note)

    def chase_order(self, ctx: Context, note: str) -> None:
        ctx.require("R-S4", [Role.SALESPERSON], "chase the customer's order", "跟催客户下单")
        allowed = {"price_approved"} if self.purpose == "quotation" else {"approval_signed"}
        self._expect("R-S4" if self.purpose == "quotation" else "R-S6", allowed,
                     "the order is chased after the price (quotation) or the sample approval "
                     "(sample) is obtained", "报价获批（仅报价）或样品承认书签回后才跟催订单")
        self.trigger(ev.OrderChaseStarted, ctx, request_no=self.request_no, note=note)

    def open_application(self, ctx: Context, application_no: str) -> None:
        ctx.require("R-S3", [Role.SALES_ASSISTANT], "open a sample application", "开立样品加工申请表")
        if self.purpose == "quotation":
            raise RuleBroken("R-S4", f"{self.request_no} is a quotation without a sample: no sample "
                             "application; chase the order instead",
                             f"{self.request_no} 为仅报价，不开样品加工申请表，请跟催订单")
        self._expect("R-S3", {"price_approved", "round_started"},
                     "a sample application needs an approved price",
                     "价格未经客户确认，不能开立样品加工申请表")
        self.trigger(ev.SampleApplicationOpened, ctx, request_no=self.request_no,
                     application_no=application_no, round=self.round)

    def approve_application(self, ctx: Context) -> None:
        ctx.require("R-S3", MANAGERS, "approve a sample application", "审核样品加工申请表")
        self._expect("R-S3", {"application_opened"}, "only an opened application can be approved",
                     "只有已开立的申请表才能审核")
        assert self.die_difficulty is not None
        self.trigger(ev.SampleApplicationApproved, ctx, request_no=self.request_no,
                     customer=self.customer, product=self.product, part_no=self.part_no,
                     die_difficulty=self.die_difficulty, round=self.round)

    def record_progress(self, ctx: Context, stage: str, at: datetime, source: UUID,
                        round: int = 1) -> None:
        """R-S5: keep production status current; repeats and stale reports change nothing.

        Production's and engineering's streams are consumed independently, so a stage can
        arrive after a later one (a completion after the return): its time is still recorded
        when the record keeps it, without moving the status back."""
        if source in self.reported or round != self.round or stage in self.stages:
            return
        if not self._advances(stage):
            if stage not in TIMED_STAGES:
                return
        elif self.status not in IN_PRODUCTION:
            return
        self.trigger(ev.SampleProgressRecorded, ctx, request_no=self.request_no, stage=stage,
                     at=at, source_event_id=source, round=round)

    def _advances(self, stage: str) -> bool:
        return self.progress is None or PROGRESS.index(stage) > PROGRESS.index(self.progress)

    def _expect(self, rule: str, statuses: set[str], en: str, zh: str) -> None:
        if self.status not in statuses:
            raise RuleBroken(rule, f"{en} (sample {self.request_no} is {self.status})",
                             f"{zh}（打样 {self.request_no} 当前状态：{self.status}）")

    # -- state changes ------------------------------------------------------------------------
    def when_SampleImported(self, e: ev.SampleImported) -> None:
        """The record where the row stands, so the next live command of that stage is accepted."""
        self.imported, self.request_no, self.customer = e, e.request_no, e.customer
        self.product, self.part_no, self.round = e.product or "", e.part_no or "", e.round
        self.die_difficulty, self.quotation_no = e.die_difficulty, e.quotation_no
        self.status = "application_approved" if e.status == "job_opened" else e.status
        self.price_approved = e.status in PRICE_APPROVED
        # The old table lists no material set: what was costed had it complete (R-S3).
        self.materials = ev.MaterialSet() if e.status == "requested" else COMPLETE
        if e.status in PROGRESS:
            self.progress = e.status
            self.stages = frozenset(PROGRESS[:PROGRESS.index(e.status) + 1])
        self.promised_at, self.completed_at = e.promised_at, e.completed_at
        self.received_on = e.received_on

    def when_SampleRequested(self, e: ev.SampleRequested) -> None:
        self.request_no, self.customer, self.product = e.request_no, e.customer, e.product
        self.part_no, self.materials, self.status = e.part_no, e.materials, "requested"
        self.purpose = e.purpose

    def when_SampleMaterialsUpdated(self, e: ev.SampleMaterialsUpdated) -> None:
        self.materials = e.materials

    def when_SampleCosted(self, e: ev.SampleCosted) -> None:
        self.die_difficulty, self.status = e.die_difficulty, "costed"

    def when_QuotationPrepared(self, e: ev.QuotationPrepared) -> None:
        self.quotation_no, self.unit_price, self.status = e.quotation_no, e.unit_price, "quoted"

    def when_QuotationSigned(self, e: DomainEvent) -> None:
        self.status = "signed"

    def when_QuotationSent(self, e: DomainEvent) -> None:
        self.status = "sent"

    def when_PriceApproved(self, e: DomainEvent) -> None:
        self.status, self.price_approved = "price_approved", True

    def when_PriceRejected(self, e: DomainEvent) -> None:
        self.status = "price_rejected"

    def when_PriceEscalationResolved(self, e: ev.PriceEscalationResolved) -> None:
        self.status = "costed" if e.decision == "requote" else "closed"

    def when_OrderChaseStarted(self, e: DomainEvent) -> None:
        self.status = "order_chasing"

    def when_SampleApplicationOpened(self, e: DomainEvent) -> None:
        self.status = "application_opened"

    def when_SampleApplicationApproved(self, e: DomainEvent) -> None:
        self.status = "application_approved"

    def when_SampleProgressRecorded(self, e: ev.SampleProgressRecorded) -> None:
        if self._advances(e.stage):
            self.progress, self.status = e.stage, e.stage
        self.stages = self.stages | {e.stage}
        self.reported = self.reported | {e.source_event_id}
        if e.stage == "promised":
            self.promised_at = e.at
        elif e.stage == "completed":
            self.completed_at = e.at


COMPLETE = ev.MaterialSet(**dict.fromkeys(ev.MaterialSet.model_fields, True))
# Imported stages at which the customer had approved the price.
PRICE_APPROVED = frozenset({
    "price_approved", "order_chasing", "round_started", "application_opened",
    "application_approved", "job_opened", *PROGRESS, "shipped", "received", "trial_ok",
    "trial_ng", "ng_fix_agreed", "approval_signed"})
# Statuses in which production progress is still being reported for the current round.
IN_PRODUCTION = frozenset({"application_approved", *PROGRESS})
# Stages whose time the record keeps (promised_at, completed_at): recorded even when late.
TIMED_STAGES = frozenset({"promised", "completed"})
