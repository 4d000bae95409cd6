"""The complaint record kept by sales (客诉): intake through the marketing department's one window,
also of complaints another department received first (R-C1, R-C4); registration, severity, the
Complaint Handling Form signed by the CS supervisor, a minor complaint answered by sales or the
form escalated to the responsible department, whose measures come back (R-C2); follow-up,
verified satisfaction, closing (R-C3); on-site visits and the archived form (R-C7).

R-C5: every event of the record (except the delivery itself) is followed, in the same command or
reaction, by a ``ComplaintEntryDelivered`` to the responsible salesperson, from the first event
that names them on: an intake that names them, else the registration, which is delivered too.
Entries made before are not sent afterwards: the registration is the complaint's entry in the
Complaint Summary (R-C2) and carries all the intake said, so repeating the intake would tell the
salesperson nothing new. When the registration names another salesperson than the intake, the
registration's is the responsible one from then on.

R-C3: a dissatisfied follow-up reopens the handling, and a new reply is needed: sales answers a
minor complaint again; for an escalated one the responsible department records a new analysis
(technical support may also send the form again by escalating it), then technical support
replies. Any analysis that department records before closing asks for a new reply, so a
verification never stands for measures the customer has not heard of.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from events.complaint_desk import Analysed, Redirected
from events.envelope import Department, DomainEvent
from events.sales import complaint as ev
from events.sales.complaint import ComplaintChannel, Severity
from services.domain import Aggregate, Conflict, Context, RuleBroken, record_id
from services.sales import complaint_rules as rules
from services.sales.complaint_rules import (
    CS_SUPERVISOR,
    FRONT_LINE,
    SALES,
    TECHNICAL_SUPPORT,
)
from services.sales.complaint_visits import ComplaintVisits

E = TypeVar("E", bound=DomainEvent)


def complaint_id(complaint_no: str) -> UUID:
    return record_id("complaint", complaint_no)


@dataclass
class ComplaintRecord(ComplaintVisits, Aggregate):
    """One customer complaint, from intake to closing."""

    complaint_no: str = ""
    status: str = "new"
    customer: str = ""
    salesperson: str | None = None  # the responsible salesperson, once known (R-C5)
    product_model: str = ""
    problem: str = ""
    batch: str | None = None
    order_no: str | None = None
    severity: Severity | None = None
    responsible: Department | None = None
    form_no: str = ""
    escalated_to: Department | None = None
    archived: bool = False
    visit_pending: bool = False
    files: frozenset[str] = frozenset()  # SHA-256 of the attached files
    causes: frozenset[UUID] = frozenset()  # other departments' events already reacted to
    imported: ev.ComplaintImported | None = None  # the row it was loaded from (issue 12)

    def trigger(self, event_cls: type[E], ctx: Context, **facts: Any) -> E:
        """Record an entry and, once the salesperson is known, deliver it to them (R-C5)."""
        facts.setdefault("complaint_no", self.complaint_no)
        event = super().trigger(event_cls, ctx, **facts)
        if self.salesperson is not None and event_cls is not ev.ComplaintEntryDelivered:
            super().trigger(ev.ComplaintEntryDelivered, ctx, complaint_no=self.complaint_no,
                            to=self.salesperson, entry=event_cls.__name__,
                            entry_event_id=event.event_id)
        return event

    # -- R-C1, R-C4: intake -------------------------------------------------------------------
    def receive(self, ctx: Context, *, complaint_no: str, channel: ComplaintChannel,
                customer: str, summary: str, salesperson: str | None) -> None:
        ctx.require("R-C1", SALES, "take in a complaint", "接收客诉")
        if self.version:
            raise RuleBroken("R-C1", f"complaint {complaint_no} was already taken in",
                             f"客诉 {complaint_no} 已接收", field="complaint_no")
        self.trigger(ev.ComplaintReceived, ctx, complaint_no=complaint_no, channel=channel,
                     customer=customer, summary=summary, salesperson=salesperson)

    def take_over(self, ctx: Context, redirected: Redirected) -> None:
        """R-C4: a complaint another department received first enters through sales. A number
        sales already knows (this redirect again, or a complaint taken in directly) is not
        taken in twice."""
        if self.version:
            return
        self.trigger(ev.ComplaintReceived, ctx, complaint_no=redirected.complaint_no,
                     channel=redirected.channel, customer=redirected.customer,
                     summary=redirected.summary, redirected_from=redirected.department,
                     source_event_id=redirected.event_id)

    # -- issue 12: a row of the old Complaint Summary -------------------------------------------
    def import_row(self, ctx: Context, facts: dict[str, Any]) -> None:
        """The complaint as the row shows it, one event at its received time; the same row or
        the same facts again change nothing, other facts for a known number are refused. No
        entry is delivered (R-C5): the table the salesperson got then already held it."""
        ctx.require("R-C2", TECHNICAL_SUPPORT, "import the Complaint Summary", "导入客诉投诉汇总表")
        no = facts["complaint_no"]
        if self.imported is not None and rules.same_import(self.imported, facts, ctx.now):
            return
        if self.version:
            raise Conflict(None, f"complaint {no} already exists with other facts; it is not "
                           "imported over them", f"客诉 {no} 已存在且内容不同，不予导入覆盖",
                           field="complaint_no")
        refusal = rules.import_gap(facts["stage"], facts) or rules.before_receipt(facts, ctx.now)
        if refusal is not None:
            raise refusal
        Aggregate.trigger(self, ev.ComplaintImported, ctx, **facts)

    # -- R-C2: registration and handling --------------------------------------------------------
    def forward(self, ctx: Context, to: str) -> None:
        ctx.require("R-C2", FRONT_LINE, "pass a complaint to technical support",
                    "转交客诉给技术支持")
        self._expect("forward")
        self.trigger(ev.ComplaintForwarded, ctx, to=to)

    def register(self, ctx: Context, *, customer: str, salesperson: str, product_model: str,
                 shipping_date: date | None, batch: str | None, problem: str, category: str,
                 order_no: str | None, shipping_note_no: str | None) -> None:
        ctx.require("R-C1", TECHNICAL_SUPPORT, "register a complaint", "登记客诉")
        self._expect("register")
        self.trigger(ev.ComplaintRegistered, ctx, customer=customer, salesperson=salesperson,
                     product_model=product_model, shipping_date=shipping_date, batch=batch,
                     problem=problem, category=category, order_no=order_no,
                     shipping_note_no=shipping_note_no)

    def attach_file(self, ctx: Context, *, filename: str, media_type: str, sha256: str,
                    size: int) -> None:
        ctx.require("R-C1", TECHNICAL_SUPPORT, "attach a file to a complaint", "上传客诉附件")
        self._expect("handle")
        if sha256 in self.files:
            raise RuleBroken("R-C2", f"this file is already attached to complaint "
                             f"{self.complaint_no}", f"客诉 {self.complaint_no} 已有相同附件",
                             field="content_base64")
        self.trigger(ev.ComplaintFileAttached, ctx, filename=filename, media_type=media_type,
                     sha256=sha256, size=size)

    def contact_customer(self, ctx: Context, note: str) -> None:
        ctx.require("R-C1", TECHNICAL_SUPPORT, "record a conversation with the customer",
                    "登记客户沟通")
        self._expect("handle")
        self.trigger(ev.CustomerContacted, ctx, note=note)

    def judge(self, ctx: Context, severity: Severity, responsible: Department | None) -> None:
        ctx.require("R-C1", TECHNICAL_SUPPORT, "judge a complaint's severity",
                    "判定客诉严重程度")
        self._expect("judge")
        # A minor complaint may still name a department (the month analysis counts complaints
        # by responsible department); it is answered by sales, never escalated.
        if severity is not Severity.MINOR and responsible is None:
            raise RuleBroken("R-C2", f"a {severity.value} complaint names the responsible "
                             "department (production, quality or engineering)",
                             "非轻微客诉须指定责任部门（生产、品质或工程）", field="responsible")
        self.trigger(ev.ComplaintSeverityJudged, ctx, severity=severity, responsible=responsible)

    def fill_form(self, ctx: Context, form_no: str, handling: str) -> None:
        ctx.require("R-C1", TECHNICAL_SUPPORT, "fill in the Complaint Handling Form",
                    "填写客诉处理单")
        self._expect("fill")
        self.trigger(ev.ComplaintFormFilled, ctx, form_no=form_no, handling=handling)

    def sign_form(self, ctx: Context) -> None:
        ctx.require("R-C2", CS_SUPERVISOR, "sign the Complaint Handling Form", "签核客诉处理单")
        self._expect("sign")
        self.trigger(ev.ComplaintFormSigned, ctx, form_no=self.form_no)

    def answer_minor(self, ctx: Context, reply: str) -> None:
        ctx.require("R-C2", FRONT_LINE, "answer a minor complaint", "答复轻微客诉")
        self._expect("answer_minor")
        if self.severity is not Severity.MINOR:
            raise rules.wrong_severity("answer_minor", self.complaint_no, self.severity)
        self.trigger(ev.ComplaintReplied, ctx, reply=reply, by="sales")

    def escalate(self, ctx: Context) -> None:
        ctx.require("R-C1", TECHNICAL_SUPPORT, "escalate a complaint", "提交客诉给责任部门")
        self._expect("escalate")
        if self.severity is Severity.MINOR or self.responsible is None:
            raise rules.wrong_severity("escalate", self.complaint_no, self.severity)
        self.trigger(ev.ComplaintEscalated, ctx, responsible=self.responsible,
                     purpose="data" if self.severity is Severity.NEEDS_DATA else "handling",
                     form_no=self.form_no, customer=self.customer,
                     product_model=self.product_model, problem=self.problem, batch=self.batch,
                     order_no=self.order_no)

    def record_measures(self, ctx: Context, analysed: Analysed) -> None:
        """The responsible department's cause analysis and measures, or the data asked for;
        each analysis once, also after the record moved on."""
        if analysed.event_id in self.causes:
            return
        if analysed.department != self.escalated_to:
            raise rules.not_escalated_to(analysed.department, self.complaint_no,
                                         self.escalated_to)
        self._expect("measures")
        self.trigger(ev.ComplaintMeasuresRecorded, ctx, responsible=analysed.department,
                     cause=analysed.cause, measures=analysed.measures,
                     source_event_id=analysed.event_id)

    def reply(self, ctx: Context, reply: str) -> None:
        ctx.require("R-C1", TECHNICAL_SUPPORT, "reply to the customer", "答复客户")
        self._expect("reply")
        self.trigger(ev.ComplaintReplied, ctx, reply=reply, by="technical_support")

    # -- R-C3: follow-up, verification, closing --------------------------------------------------
    def follow_up(self, ctx: Context, satisfied: bool, note: str,
                  new_requirement: str | None) -> None:
        ctx.require("R-C3", TECHNICAL_SUPPORT, "follow the customer up", "跟进客户")
        self._expect("follow_up")
        self.trigger(ev.ComplaintFollowUpRecorded, ctx, satisfied=satisfied, note=note,
                     new_requirement=new_requirement)
        if not satisfied:
            self.trigger(ev.ComplaintReopened, ctx, reason=note)

    def verify(self, ctx: Context) -> None:
        ctx.require("R-C3", CS_SUPERVISOR, "verify the customer's satisfaction", "确认客户满意度")
        self._expect("verify")
        self.trigger(ev.SatisfactionVerified, ctx)

    def close(self, ctx: Context) -> None:
        ctx.require("R-C3", CS_SUPERVISOR, "close a complaint", "客诉结案")
        self._expect("close")
        self.trigger(ev.ComplaintClosed, ctx)

    def _expect(self, step: str) -> None:
        if self.status not in rules.STEPS[step].after:
            raise rules.out_of_step(step, self.complaint_no, self.status)

    # -- state changes ----------------------------------------------------------------------------
    def when_ComplaintReceived(self, e: ev.ComplaintReceived) -> None:
        self.complaint_no, self.customer, self.status = e.complaint_no, e.customer, "received"
        self.salesperson = e.salesperson
        if e.source_event_id is not None:
            self.causes = self.causes | {e.source_event_id}

    def when_ComplaintForwarded(self, e: ev.ComplaintForwarded) -> None:
        self.status = "forwarded"

    def when_ComplaintRegistered(self, e: ev.ComplaintRegistered) -> None:
        self.customer, self.salesperson, self.status = e.customer, e.salesperson, "registered"
        self.product_model, self.problem, self.batch = e.product_model, e.problem, e.batch
        self.order_no = e.order_no

    def when_ComplaintImported(self, e: ev.ComplaintImported) -> None:
        self.imported, self.complaint_no, self.status = e, e.complaint_no, e.stage
        self.customer, self.salesperson, self.problem = e.customer, e.salesperson, e.problem
        self.product_model, self.batch, self.order_no = e.product_model or "", e.batch, e.order_no
        self.severity, self.responsible, self.form_no = e.severity, e.responsible, e.form_no or ""
        if e.severity is not Severity.MINOR and e.stage in rules.AFTER_SIGNING - {"form_signed"}:
            self.escalated_to = e.responsible  # it went there before the import (R-C2)

    def when_ComplaintFileAttached(self, e: ev.ComplaintFileAttached) -> None:
        self.files = self.files | {e.sha256}

    def when_ComplaintSeverityJudged(self, e: ev.ComplaintSeverityJudged) -> None:
        self.severity, self.responsible, self.status = e.severity, e.responsible, "judged"

    def when_ComplaintFormFilled(self, e: ev.ComplaintFormFilled) -> None:
        self.form_no, self.status = e.form_no, "form_filled"

    def when_ComplaintFormSigned(self, e: ev.ComplaintFormSigned) -> None:
        self.status = "form_signed"

    def when_ComplaintEscalated(self, e: ev.ComplaintEscalated) -> None:
        self.escalated_to, self.status = e.responsible, "escalated"

    def when_ComplaintMeasuresRecorded(self, e: ev.ComplaintMeasuresRecorded) -> None:
        self.causes, self.status = self.causes | {e.source_event_id}, "measures_recorded"

    def when_ComplaintReplied(self, e: ev.ComplaintReplied) -> None:
        self.status = "replied"

    def when_ComplaintFollowUpRecorded(self, e: ev.ComplaintFollowUpRecorded) -> None:
        # A satisfied follow-up after the verification leaves it standing (R-C7's continuous
        # follow-up); a dissatisfied one is followed by ComplaintReopened.
        if e.satisfied and self.status != "verified":
            self.status = "satisfied"

    def when_ComplaintReopened(self, e: ev.ComplaintReopened) -> None:
        self.status = "reopened"

    def when_SatisfactionVerified(self, e: ev.SatisfactionVerified) -> None:
        self.status = "verified"

    def when_ComplaintClosed(self, e: ev.ComplaintClosed) -> None:
        self.status = "closed"
