"""The sales application: each command loads a record (sample, customer, order, complaint), calls
it, saves it."""
from __future__ import annotations

from eventsourcing.persistence import Tracking

from contracts.commands import sales as cmd
from contracts.replies import EventRef
from contracts.timers import TimerDue
from events import engineering, production
from events.envelope import Department, DomainEvent
from services.domain import Context
from services.runtime.store import DepartmentApplication
from services.sales.complaint_cases import ComplaintUseCases
from services.sales.customers import CustomerUseCases
from services.sales.followup_cases import FollowUpUseCases
from services.sales.meeting_cases import MeetingUseCases
from services.sales.order_cases import OrderUseCases
from services.sales.sample import SampleRecord, sample_id
from services.sales.sample_import_cases import SampleImportUseCases


class SalesApplication(SampleImportUseCases, FollowUpUseCases, OrderUseCases, ComplaintUseCases, CustomerUseCases,
                       MeetingUseCases, DepartmentApplication):
    """Sales' event store and use cases."""

    name = Department.SALES.value

    def sample(self, request_no: str) -> SampleRecord:
        return self.load(SampleRecord, sample_id(request_no), f"sample request {request_no}")

    def request_sample(self, c: cmd.RequestSample, ctx: Context) -> list[EventRef]:
        record = self.load_or_new(SampleRecord, sample_id(c.request_no))
        record.request(ctx, request_no=c.request_no, customer=c.customer, product=c.product,
                       part_no=c.part_no, salesperson=c.salesperson, materials=c.materials,
                       purpose=c.purpose)
        return self.store(record)

    def update_sample_materials(self, c: cmd.UpdateSampleMaterials, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.update_materials(ctx, c.materials)
        return self.store(record)

    def complete_costing(self, c: cmd.CompleteCosting, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.cost(ctx, bom_ref=c.bom_ref, material_cost=c.material_cost,
                    process_cost=c.process_cost, die_difficulty=c.die_difficulty)
        return self.store(record)

    def prepare_quotation(self, c: cmd.PrepareQuotation, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.prepare_quotation(ctx, quotation_no=c.quotation_no, unit_price=c.unit_price,
                                 currency=c.currency)
        return self.store(record)

    def sign_quotation(self, c: cmd.SignQuotation, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.sign_quotation(ctx)
        return self.store(record)

    def send_quotation(self, c: cmd.SendQuotation, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.send_quotation(ctx)
        return self.store(record)

    def approve_price(self, c: cmd.ApprovePrice, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.approve_price(ctx)
        return self.store(record)

    def reject_price(self, c: cmd.RejectPrice, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.reject_price(ctx, c.reason)
        return self.store(record)

    def resolve_price_escalation(self, c: cmd.ResolvePriceEscalation, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.resolve_escalation(ctx, c.decision, c.note)
        return self.store(record)

    def chase_order(self, c: cmd.ChaseOrder, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.chase_order(ctx, c.note)
        return self.store(record)

    def open_sample_application(self, c: cmd.OpenSampleApplication, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.open_application(ctx, c.application_no)
        return self.store(record)

    def approve_sample_application(self, c: cmd.ApproveSampleApplication, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.approve_application(ctx)
        return self.store(record)

    # -- reactions to other departments (R-S5: keep production status current) -------------
    # Production's promise events are one type for samples and orders: ``promises`` says which.
    def on_progress(self, event: DomainEvent, tracking: Tracking) -> None:
        if promises_order(event):
            self.on_order_progress(event, tracking)
            return
        stage, at = PROGRESS_OF[type(event)](event)
        record = self.sample(event.record_no or "")
        record.record_progress(self.reaction_context(event), stage, at, event.event_id,
                               getattr(event, "round", 1))
        self.store(record, tracking=tracking)

    def on_delay_notified(self, event: production.DelayNotified, tracking: Tracking) -> None:
        if promises_order(event):
            self.on_order_delay(event, tracking)
            return
        record = self.sample(event.request_no or "")
        record.record_delay_notice(
            self.reaction_context(event), kind=event.kind, reason=event.reason,
            previous=event.previous_promised_at, new=event.new_promised_at,
            timely=event.timely, source=event.event_id, round=event.round)
        self.store(record, tracking=tracking)

    def on_promise_missed(self, event: production.DeliveryPromiseMissed, tracking: Tracking) -> None:
        """R-S7: production missed a promise without timely notice: request a penalty."""
        if promises_order(event):
            self.on_order_promise_missed(event, tracking)
            return
        record = self.sample(event.request_no or "")
        record.request_penalty(self.reaction_context(event), promised_at=event.promised_at,
                               round=event.round, source=event.event_id)
        self.store(record, tracking=tracking)

    def on_promise_due(self, due: TimerDue, tracking: Tracking) -> None:
        """Sales' own promise timers (before production decided missed promises itself) may
        still fire: production decides now, so they only move the tracking on."""
        self.store(tracking=tracking)


def promises_order(event: DomainEvent) -> bool:
    return isinstance(event, production.PromiseEvent) and event.promises == "order"


PROGRESS_OF = {
    engineering.SamplingScheduled: lambda e: ("scheduled", e.scheduled_for),
    production.SampleDocumentsReceived: lambda e: ("in_production", e.timestamp),
    production.DeliveryPromised: lambda e: ("promised", e.promised_at),
    production.SampleCompleted: lambda e: ("completed", e.timestamp),
    engineering.SampleReturnedToSales: lambda e: ("returned", e.timestamp),
}
