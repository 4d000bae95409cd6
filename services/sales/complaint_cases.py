"""Complaint use cases of the sales application (R-C1 to R-C7) and sales' reactions to what
production, quality and engineering record of complaints: one redirected into sales (R-C4), the
analysis of one escalated to them (R-C2)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import Tracking

from contracts.commands import complaints as cmd
from contracts.commands.base import Command
from contracts.commands.imports_complaints import ImportComplaint
from contracts.replies import EventRef
from events import engineering, production, quality
from events.complaint_desk import Analysed, Redirected
from events.envelope import Department, DomainEvent
from services.domain import Context, NotFound
from services.runtime import object_store
from services.runtime.commands import UseCase
from services.sales.complaint import ComplaintRecord, complaint_id
from services.sales.complaint_month import ComplaintMonth, complaint_month_id

if TYPE_CHECKING:
    from services.runtime.store import DepartmentApplication as _Application
else:
    _Application = object


class ComplaintUseCases(_Application):
    """Mixed into ``SalesApplication``: get, call, save, for the complaint record."""

    def complaint(self, complaint_no: str) -> ComplaintRecord:
        try:
            return self.repository.get(complaint_id(complaint_no),
                                       projector_func=ComplaintRecord.project)
        except AggregateNotFoundError:
            raise NotFound(None, f"complaint {complaint_no} does not exist",
                           f"客诉 {complaint_no} 不存在", field="complaint_no") from None

    def receive_complaint(self, c: cmd.ReceiveComplaint, ctx: Context) -> list[EventRef]:
        record = self.load_or_new(ComplaintRecord, complaint_id(c.complaint_no))
        record.receive(ctx, complaint_no=c.complaint_no, channel=c.channel, customer=c.customer,
                       summary=c.summary, salesperson=c.salesperson)
        return self.store(record)

    def forward_complaint(self, c: cmd.ForwardComplaint, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.forward(ctx, c.to)
        return self.store(record)

    def register_complaint(self, c: cmd.RegisterComplaint, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.register(ctx, customer=c.customer, salesperson=c.salesperson,
                        product_model=c.product_model, shipping_date=c.shipping_date,
                        batch=c.batch, problem=c.problem, category=c.category,
                        order_no=c.order_no, shipping_note_no=c.shipping_note_no)
        return self.store(record)

    def attach_complaint_file(self, c: cmd.AttachComplaintFile, ctx: Context) -> list[EventRef]:
        sha256, size = object_store.checked(c)
        record = self.complaint(c.complaint_no)
        record.attach_file(ctx, filename=c.filename, media_type=c.media_type, sha256=sha256,
                           size=size)
        # Only now, with the role and the complaint's state checked: a refused command leaves
        # nothing in the object store. The content is stored before the event that names it.
        c.store_content()
        return self.store(record)

    def record_customer_contact(self, c: cmd.RecordCustomerContact,
                                ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.contact_customer(ctx, c.note)
        return self.store(record)

    def judge_complaint_severity(self, c: cmd.JudgeComplaintSeverity,
                                 ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.judge(ctx, c.severity, Department(c.responsible) if c.responsible else None)
        return self.store(record)

    def fill_complaint_form(self, c: cmd.FillComplaintForm, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.fill_form(ctx, c.form_no, c.handling)
        return self.store(record)

    def sign_complaint_form(self, c: cmd.SignComplaintForm, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.sign_form(ctx)
        return self.store(record)

    def escalate_complaint(self, c: cmd.EscalateComplaint, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.escalate(ctx)
        return self.store(record)

    def answer_minor_complaint(self, c: cmd.AnswerMinorComplaint,
                               ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.answer_minor(ctx, c.reply)
        return self.store(record)

    def reply_to_complaint(self, c: cmd.ReplyToComplaint, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.reply(ctx, c.reply)
        return self.store(record)

    def record_complaint_follow_up(self, c: cmd.RecordComplaintFollowUp,
                                   ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.follow_up(ctx, c.satisfied, c.note, c.new_requirement)
        return self.store(record)

    def verify_satisfaction(self, c: cmd.VerifySatisfaction, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.verify(ctx)
        return self.store(record)

    def close_complaint(self, c: cmd.CloseComplaint, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.close(ctx)
        return self.store(record)

    def schedule_complaint_visit(self, c: cmd.ScheduleComplaintVisit,
                                 ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.schedule_visit(ctx, visit_on=c.visit_on, technical_support=c.technical_support,
                              salesperson=c.salesperson, quality=c.quality)
        return self.store(record)

    def record_complaint_visit(self, c: cmd.RecordComplaintVisit, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.record_visit(ctx, c.findings)
        return self.store(record)

    def archive_complaint_form(self, c: cmd.ArchiveComplaintForm, ctx: Context) -> list[EventRef]:
        record = self.complaint(c.complaint_no)
        record.archive_form(ctx)
        return self.store(record)

    def import_complaint(self, c: ImportComplaint, ctx: Context) -> list[EventRef]:
        """Issue 12: one row of the old Complaint Summary, at its received time (business
        time); recorded now by the clock."""
        record = self.load_or_new(ComplaintRecord, complaint_id(c.complaint_no))
        facts = c.model_dump(exclude={"actor", "correlation_id", "command_id", "occurred_at",
                                      "received_at"})
        facts["source"] = c.source
        facts["responsible"] = Department(c.responsible) if c.responsible else None
        record.import_row(replace(ctx, now=c.received_at, explicit=False), facts)
        return self.store(record)

    def note_complaint_month(self, c: cmd.NoteComplaintMonth, ctx: Context) -> list[EventRef]:
        month = self.load_or_new(ComplaintMonth, complaint_month_id(c.month))
        month.note(ctx, c.month, c.text)
        return self.store(month)

    # -- reactions ---------------------------------------------------------------------------------
    def on_complaint_redirected(self, event: Redirected, tracking: Tracking) -> None:
        """R-C4: a complaint another department received first enters through sales."""
        record = self.load_or_new(ComplaintRecord, complaint_id(event.complaint_no))
        record.take_over(self.reaction_context(event), event)
        self.store(record, tracking=tracking)

    def on_complaint_analysed(self, event: Analysed, tracking: Tracking) -> None:
        """R-C2: the responsible department's analysis; a complaint sales does not know is not
        found, and the consumer dead-letters it (as for orders)."""
        record = self.complaint(event.complaint_no)
        record.record_measures(self.reaction_context(event), event)
        self.store(record, tracking=tracking)


COMPLAINT_COMMANDS: Mapping[type[Command], UseCase] = {
    cmd.ReceiveComplaint: ComplaintUseCases.receive_complaint,
    cmd.ForwardComplaint: ComplaintUseCases.forward_complaint,
    cmd.RegisterComplaint: ComplaintUseCases.register_complaint,
    cmd.AttachComplaintFile: ComplaintUseCases.attach_complaint_file,
    cmd.RecordCustomerContact: ComplaintUseCases.record_customer_contact,
    cmd.JudgeComplaintSeverity: ComplaintUseCases.judge_complaint_severity,
    cmd.FillComplaintForm: ComplaintUseCases.fill_complaint_form,
    cmd.SignComplaintForm: ComplaintUseCases.sign_complaint_form,
    cmd.EscalateComplaint: ComplaintUseCases.escalate_complaint,
    cmd.AnswerMinorComplaint: ComplaintUseCases.answer_minor_complaint,
    cmd.ReplyToComplaint: ComplaintUseCases.reply_to_complaint,
    cmd.RecordComplaintFollowUp: ComplaintUseCases.record_complaint_follow_up,
    cmd.VerifySatisfaction: ComplaintUseCases.verify_satisfaction,
    cmd.CloseComplaint: ComplaintUseCases.close_complaint,
    cmd.ScheduleComplaintVisit: ComplaintUseCases.schedule_complaint_visit,
    cmd.RecordComplaintVisit: ComplaintUseCases.record_complaint_visit,
    cmd.ArchiveComplaintForm: ComplaintUseCases.archive_complaint_form,
    cmd.NoteComplaintMonth: ComplaintUseCases.note_complaint_month,
    ImportComplaint: ComplaintUseCases.import_complaint,
}
# Async steps run before a command's use case: a complaint's photo or file is checked first.
COMPLAINT_PREPARERS: Mapping[type[Command], Callable[..., Awaitable[Any]]] = {
    cmd.AttachComplaintFile: object_store.check_content,
}
# What the other departments' complaint desks record, and sales' reaction to it.
COMPLAINT_REACTIONS: Mapping[type[DomainEvent], Callable[..., None]] = {
    production.ProductionComplaintRedirected: ComplaintUseCases.on_complaint_redirected,
    quality.QualityComplaintRedirected: ComplaintUseCases.on_complaint_redirected,
    engineering.EngineeringComplaintRedirected: ComplaintUseCases.on_complaint_redirected,
    production.ProductionComplaintAnalysed: ComplaintUseCases.on_complaint_analysed,
    quality.QualityComplaintAnalysed: ComplaintUseCases.on_complaint_analysed,
    engineering.EngineeringComplaintAnalysed: ComplaintUseCases.on_complaint_analysed,
}
