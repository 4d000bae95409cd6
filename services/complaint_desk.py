"""A department's complaint desk: what production, quality or engineering does with a complaint.

A complaint that reached the department first is redirected into sales (R-C4); a complaint sales
escalated to it is investigated and answered with a cause analysis and corrective measures
(R-C2). The three departments must not import each other, so the rules live once here and each
department hands in its own ``DeskTerms``: its roles and its own event classes (their names and
streams differ). Standard library, ``events`` and ``services.domain`` only.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from events.complaint_desk import Analysed, DeskEvent, InvestigationOpened, Redirected
from events.envelope import Department, DomainEvent, Role
from events.sales.complaint import (
    ComplaintChannel,
    ComplaintEscalated,
    ComplaintImported,
    Severity,
)
from services.domain import Aggregate, Context, RuleBroken, record_id

DEPARTMENT_ZH = {Department.PRODUCTION: "生产部", Department.QUALITY: "品质部",
                 Department.ENGINEERING: "工程部"}


def desk_id(complaint_no: str) -> UUID:
    """Each department has its own store, so the same id in three stores names three desks."""
    return record_id("complaint_desk", complaint_no)


@dataclass(frozen=True)
class DeskTerms:
    """What differs between the departments' desks: who may act, and the events recorded."""

    roles: tuple[Role, ...]
    redirected: type[Redirected]
    opened: type[InvestigationOpened]
    analysed: type[Analysed]

    @property
    def department(self) -> Department:
        return self.redirected.department

    @property
    def zh(self) -> str:
        return DEPARTMENT_ZH[self.department]


@dataclass
class ComplaintDesk(Aggregate):
    """One complaint as one department knows it: redirected by it, investigated by it, or both."""

    complaint_no: str = ""
    redirected: bool = False
    # Sales' escalations this desk opened an investigation for: a repeat of one opens nothing.
    escalations: set[UUID] = field(default_factory=set)
    # An investigation is open and not yet answered since its last opening.
    awaiting_analysis: bool = False
    analyses: int = 0

    def redirect(self, ctx: Context, terms: DeskTerms, *, complaint_no: str,
                 channel: ComplaintChannel, customer: str, summary: str, how: str) -> None:
        """R-C4: a complaint that reached this department goes into sales, once."""
        ctx.require("R-C4", terms.roles, "redirect a complaint into sales", "将客诉转入业务部")
        dept, zh = terms.department.value, terms.zh
        if self.redirected:
            raise RuleBroken("R-C4", f"complaint {complaint_no} was already redirected into sales "
                             f"by {dept}", f"客诉 {complaint_no} 已由{zh}转入业务部",
                             field="complaint_no")
        if self.escalations:
            raise RuleBroken("R-C4", f"complaint {complaint_no} is already handled by sales: it "
                             f"was escalated to {dept}", f"客诉 {complaint_no} 已由业务部处理，并已"
                             f"转交{zh}", field="complaint_no")
        self.trigger(terms.redirected, ctx, complaint_no=complaint_no, channel=channel,
                     customer=customer, summary=summary, how=how)

    def open_investigation(self, ctx: Context, terms: DeskTerms,
                           escalated: ComplaintEscalated) -> None:
        """R-C2: sales escalated the complaint; only the responsible department investigates.
        A second escalation (after a reopen) opens it again; a repeat of one changes nothing."""
        if escalated.responsible != terms.department or escalated.event_id in self.escalations:
            return
        self.trigger(terms.opened, ctx, complaint_no=escalated.complaint_no,
                     purpose=escalated.purpose, form_no=escalated.form_no,
                     customer=escalated.customer, product_model=escalated.product_model,
                     problem=escalated.problem, batch=escalated.batch,
                     order_no=escalated.order_no, source_event_id=escalated.event_id)

    def open_imported(self, ctx: Context, terms: DeskTerms, imported: ComplaintImported) -> None:
        """Issue 12: a complaint imported while it waited for this department's analysis (stage
        ``escalated``) is investigated here as if sales had just escalated it (R-C2); any other
        imported complaint, or this one again, opens nothing."""
        if (imported.stage != "escalated" or imported.responsible != terms.department
                or imported.event_id in self.escalations or not imported.form_no
                or not imported.product_model):
            return
        self.trigger(terms.opened, ctx, complaint_no=imported.complaint_no,
                     purpose="data" if imported.severity is Severity.NEEDS_DATA else "handling",
                     form_no=imported.form_no, customer=imported.customer,
                     product_model=imported.product_model, problem=imported.problem,
                     batch=imported.batch, order_no=imported.order_no,
                     source_event_id=imported.event_id)

    def record_analysis(self, ctx: Context, terms: DeskTerms, *, complaint_no: str, cause: str,
                        measures: str) -> None:
        """R-C2: the department answers the investigation it was given, once per opening."""
        ctx.require("R-C2", terms.roles, "record the analysis of a complaint",
                    "记录客诉的原因分析和改善对策")
        dept, zh = terms.department.value, terms.zh
        if not self.escalations:
            raise RuleBroken("R-C2", f"complaint {complaint_no} was not escalated to {dept}: there "
                             "is no investigation to answer", f"客诉 {complaint_no} 未转交{zh}："
                             "没有需要答复的调查", field="complaint_no")
        if not self.awaiting_analysis:
            raise RuleBroken("R-C2", f"{dept} already recorded its analysis of complaint "
                             f"{complaint_no}; another one needs a new escalation by sales",
                             f"{zh}已记录客诉 {complaint_no} 的原因分析；如需再次分析，须由业务部"
                             "再次转交", field="complaint_no")
        self.trigger(terms.analysed, ctx, complaint_no=complaint_no, cause=cause,
                     measures=measures)

    def apply(self, event: DomainEvent) -> None:
        """Folds by the shared bases, since each department's events have their own names."""
        if not isinstance(event, DeskEvent):
            raise TypeError(f"a complaint desk has no fold for {type(event).__name__}")
        self.complaint_no = event.complaint_no
        match event:
            case Redirected():
                self.redirected = True
            case InvestigationOpened():
                self.escalations.add(event.source_event_id)
                self.awaiting_analysis = True
            case Analysed():
                self.awaiting_analysis = False
                self.analyses += 1
            case _:
                raise TypeError(f"a complaint desk has no fold for {type(event).__name__}")
        self.version = event.originator_version
