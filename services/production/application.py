"""The production application: sample work orders, opened by engineering's scheduling,
production orders, opened by sales' internal orders, and the complaints that reach production or
are escalated to it (R-C4, R-C2)."""
from __future__ import annotations

from eventsourcing.persistence import Tracking

from contracts.commands import production as cmd
from contracts.replies import EventRef
from contracts.timers import TimerDue
from events import production as ev
from events.engineering import SamplingScheduled
from events.envelope import Department, Role
from events.quality import InspectionFailed
from events.sales import InternalOrderIssued, OrderImported, SampleImported
from services.complaint_desk import DeskTerms
from services.complaint_desk_cases import ComplaintDeskUseCases
from services.domain import Context
from services.production.production_order import ProductionOrder, production_order_id
from services.production.sample_work_order import SampleWorkOrder, work_order_id
from services.runtime.store import SYSTEM, DepartmentApplication

# Who answers complaints in production, and the events its desk records (R-C4, R-C2).
DESK = DeskTerms(roles=(Role.PMC_PLANNER, Role.PRODUCTION_SUPERVISOR),
                 redirected=ev.ProductionComplaintRedirected,
                 opened=ev.ProductionComplaintInvestigationOpened,
                 analysed=ev.ProductionComplaintAnalysed)

# The stages of an imported order that production goes on with (see services.sales.order_import).
TAKEN_OVER = frozenset({"internal_order_issued", "promised", "customer_notified"})


class ProductionApplication(ComplaintDeskUseCases, DepartmentApplication):
    """Production's event store and use cases."""

    name = Department.PRODUCTION.value
    desk = DESK

    def work_order(self, request_no: str) -> SampleWorkOrder:
        return self.load(SampleWorkOrder, work_order_id(request_no), f"sample work order {request_no}")

    def promise_delivery(self, c: cmd.PromiseDelivery, ctx: Context) -> list[EventRef]:
        order = self.work_order(c.request_no)
        order.promise(ctx, c.promised_at)
        return self.store(order)

    def notify_delay(self, c: cmd.NotifyDelay, ctx: Context) -> list[EventRef]:
        order = self.work_order(c.request_no)
        order.notify_delay(ctx, kind=c.kind, reason=c.reason, new_promised_at=c.new_promised_at,
                           calendar=self.calendar)
        return self.store(order)

    def complete_sample(self, c: cmd.CompleteSample, ctx: Context) -> list[EventRef]:
        order = self.work_order(c.request_no)
        order.complete(ctx)
        return self.store(order)

    def pause_sample_work(self, c: cmd.PauseSampleWork, ctx: Context) -> list[EventRef]:
        order = self.work_order_or_new(c.request_no)
        order.pause(ctx, c.reason, c.note or "")
        return self.store(order)

    def resume_sample_work(self, c: cmd.ResumeSampleWork, ctx: Context) -> list[EventRef]:
        order = self.work_order_or_new(c.request_no)
        order.resume(ctx, c.note or "")
        return self.store(order)

    def work_order_or_new(self, request_no: str) -> SampleWorkOrder:
        """The work order, or a new one that refuses until the documents arrive (R-S3: an order
        of steps, not a missing record)."""
        order = self.load_or_new(SampleWorkOrder, work_order_id(request_no))
        order.request_no = order.request_no or request_no
        return order

    def on_sampling_scheduled(self, event: SamplingScheduled, tracking: Tracking) -> None:
        order = self.load_or_new(SampleWorkOrder, work_order_id(event.request_no))
        order.receive_documents(self.reaction_context(event), event)
        self.store(order, tracking=tracking)

    def on_sample_imported(self, event: SampleImported, tracking: Tracking) -> None:
        """Issue 12: an open imported sample in production gets its work order there."""
        if not SampleWorkOrder.takes_over(event):  # closed, or at another department's step
            self.store(tracking=tracking)
            return
        order = self.load_or_new(SampleWorkOrder, work_order_id(event.request_no))
        order.import_stage(self.reaction_context(event), event)
        self.store(order, tracking=tracking)

    def on_promise_due(self, due: TimerDue, tracking: Tracking) -> None:
        """R-S7: a promised time passed (a JetStream schedule fired); production decides.

        Also given sales' timers of old versions, which have the same key."""
        request_no, round_no, _ = due.key.split(".", 2)  # see events.production.promise_timer
        order = self.work_order(request_no)
        ctx = Context(actor=SYSTEM, now=self.clock(), correlation_id=due.correlation_id,
                      causation_id=due.source_event_id)
        order.promise_fell_due(ctx, int(round_no), due.due_at)
        self.store(order, tracking=tracking)

    # -- customer orders (R-O2, R-O4, R-S7) -------------------------------------------------
    def production_order(self, order_no: str) -> ProductionOrder:
        """The order, or a new one that refuses every command until sales' internal order
        arrives (R-O2: an order of steps, not a missing record)."""
        return self.load_or_new(ProductionOrder, production_order_id(order_no))

    def promise_order_delivery(self, c: cmd.PromiseOrderDelivery, ctx: Context) -> list[EventRef]:
        order = self.production_order(c.order_no)
        order.promise(ctx, c.promised_at, c.quantity, c.note)
        return self.store(order)

    def notify_order_delay(self, c: cmd.NotifyOrderDelay, ctx: Context) -> list[EventRef]:
        order = self.production_order(c.order_no)
        order.notify_delay(ctx, kind=c.kind, reason=c.reason, new_promised_at=c.new_promised_at,
                           calendar=self.calendar)
        return self.store(order)

    def complete_lot(self, c: cmd.CompleteLot, ctx: Context) -> list[EventRef]:
        order = self.production_order(c.order_no)
        order.complete_lot(ctx, c.lot_no, c.quantity)
        return self.store(order)

    def on_internal_order_issued(self, event: InternalOrderIssued, tracking: Tracking) -> None:
        order = self.production_order(event.order_no)
        order.receive(self.reaction_context(event), event)
        self.store(order, tracking=tracking)

    def on_order_imported(self, event: OrderImported, tracking: Tracking) -> None:
        """Issue 12: an imported order past its internal order continues here; others only
        move the tracking on."""
        if event.stage not in TAKEN_OVER:
            self.store(tracking=tracking)
            return
        order = self.production_order(event.order_no)
        order.take_over_import(self.reaction_context(event), event)
        self.store(order, tracking=tracking)

    def on_inspection_failed(self, event: InspectionFailed, tracking: Tracking) -> None:
        order = self.production_order(event.order_no)
        order.start_rework(self.reaction_context(event), event)
        self.store(order, tracking=tracking)

    def on_order_promise_due(self, due: TimerDue, tracking: Tracking) -> None:
        """R-S7 for orders: an order's promised time passed; production decides."""
        order_no, _ = due.key.rsplit(".", 1)  # see events.production.order_promise_timer
        order = self.production_order(order_no)
        ctx = Context(actor=SYSTEM, now=self.clock(), correlation_id=due.correlation_id,
                      causation_id=due.source_event_id)
        order.promise_fell_due(ctx, due.due_at)
        self.store(order, tracking=tracking)
