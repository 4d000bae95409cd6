"""The sales application: each command loads a sample record, calls it, saves it."""
from __future__ import annotations

from eventsourcing.persistence import Tracking

from contracts.commands import sales as cmd
from contracts.replies import EventRef
from events import engineering, production
from events.envelope import Department, DomainEvent
from services.domain import Context
from services.runtime.store import DepartmentApplication
from services.sales.customers import CustomerUseCases
from services.sales.sample import SampleRecord, sample_id


class SalesApplication(CustomerUseCases, DepartmentApplication):
    """Sales' event store and use cases."""

    name = Department.SALES.value

    def sample(self, request_no: str) -> SampleRecord:
        return self.load(SampleRecord, sample_id(request_no), f"sample request {request_no}")

    def request_sample(self, c: cmd.RequestSample, ctx: Context) -> list[EventRef]:
        record = self.load_or_new(SampleRecord, sample_id(c.request_no))
        record.request(ctx, request_no=c.request_no, customer=c.customer, product=c.product,
                       part_no=c.part_no, salesperson=c.salesperson, materials=c.materials)
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

    def approve_price(self, c: cmd.ApprovePrice, ctx: Context) -> list[EventRef]:
        record = self.sample(c.request_no)
        record.approve_price(ctx)
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
    def on_progress(self, event: DomainEvent, tracking: Tracking) -> None:
        stage, at = PROGRESS_OF[type(event)](event)
        record = self.sample(event.record_no or "")
        record.record_progress(self.reaction_context(event), stage, at, event.event_id)
        self.store(record, tracking=tracking)


PROGRESS_OF = {
    engineering.SamplingScheduled: lambda e: ("scheduled", e.scheduled_for),
    production.SampleDocumentsReceived: lambda e: ("in_production", e.timestamp),
    production.DeliveryPromised: lambda e: ("promised", e.promised_at),
    production.SampleCompleted: lambda e: ("completed", e.timestamp),
    engineering.SampleReturnedToSales: lambda e: ("returned", e.timestamp),
}
