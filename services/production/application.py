"""The production application: sample work orders, opened by engineering's scheduling."""
from __future__ import annotations

from eventsourcing.persistence import Tracking

from contracts.commands import production as cmd
from contracts.replies import EventRef
from contracts.timers import TimerDue
from events.engineering import SamplingScheduled
from events.envelope import Department
from services.domain import Context
from services.production.sample_work_order import SampleWorkOrder, work_order_id
from services.runtime.store import SYSTEM, DepartmentApplication


class ProductionApplication(DepartmentApplication):
    """Production's event store and use cases."""

    name = Department.PRODUCTION.value

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

    def on_sampling_scheduled(self, event: SamplingScheduled, tracking: Tracking) -> None:
        order = self.load_or_new(SampleWorkOrder, work_order_id(event.request_no))
        order.receive_documents(self.reaction_context(event), event)
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
