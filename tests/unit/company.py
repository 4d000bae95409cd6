"""Sales, engineering and production in memory, linked by hand as their consumers link them.

Each department is its real application on the in-memory (POPO) store, with a clock the test
moves. ``deliver`` hands an event to a reaction under a new stream sequence each time, which is
what a recreated stream or a restored backup does to a repeated event.
"""
from __future__ import annotations

import functools
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

from eventsourcing.persistence import Tracking

from contracts.commands import orders
from contracts.commands.base import Command
from contracts.replies import EventRef
from contracts.timers import TimerDue
from events import engineering as eng
from events import production as prod
from events import quality as qual
from events import sales
from events.envelope import Actor, DomainEvent, OrderLine, Role
from services.domain import record_id
from services.engineering.application import EngineeringApplication
from services.production.application import ProductionApplication
from services.quality.application import QualityApplication
from services.runtime.store import DepartmentApplication
from services.sales.application import SalesApplication
from services.sales.order_cases import ORDER_COMMANDS
from services.sales.wiring import SPEC as SALES
from tests.unit.builders import T0, ctx, sample_at

E = TypeVar("E", bound=DomainEvent)
STREAM = {"sales": "SALESFLOW_SALES", "engineering": "SALESFLOW_ENGINEERING",
          "production": "SALESFLOW_PRODUCTION", "quality": "SALESFLOW_QUALITY"}
TIMERS = "SALESFLOW_TIMERS"


class Company:
    """The three departments of one test, and a clock shared by them."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now
        self.sales = SalesApplication({}, clock=self.clock)
        self.engineering = EngineeringApplication({}, clock=self.clock)
        self.production = ProductionApplication({}, clock=self.clock)
        self._sequences: Counter[tuple[str, str]] = Counter()

    def clock(self) -> datetime:
        return self.now

    def at(self, hours: float) -> datetime:
        return T0 + timedelta(hours=hours)

    # -- delivery, as a consumer does it -----------------------------------------------------
    def deliver(self, reaction: Callable[[Any, Tracking], None], cause: DomainEvent | TimerDue,
                ) -> list[DomainEvent]:
        """Apply ``cause`` with ``reaction`` (a bound method of one application) under the next
        sequence of its stream; return the events the reaction stored."""
        app: DepartmentApplication = reaction.__self__  # type: ignore[attr-defined]
        stream = TIMERS if isinstance(cause, TimerDue) else STREAM[cause.department.value]
        self._sequences[(app.name, stream)] += 1
        before = len(self.events(app))
        reaction(cause, Tracking(stream, self._sequences[(app.name, stream)]))
        assert app.tracked_position(stream) == self._sequences[(app.name, stream)]
        return self.events(app)[before:]

    @staticmethod
    def events(app: DepartmentApplication) -> list[DomainEvent]:
        decode: Callable[[Any], DomainEvent] = app.mapper.to_domain_event
        return [decode(n) for n in app.process_recorder.select_notifications(1, 100_000)]

    def of_type(self, app: DepartmentApplication, cls: type[E]) -> list[E]:
        return [e for e in self.events(app) if isinstance(e, cls)]

    @staticmethod
    def fired(started: DomainEvent) -> TimerDue:
        """The ``TimerDue`` the relay's message schedule delivers for ``started``'s timer."""
        [timer] = started.timers()
        return TimerDue(name=timer.name, key=timer.key, due_at=timer.due_at,
                        record_no=started.record_no, source_event_id=started.event_id,
                        correlation_id=started.correlation_id)

    # -- the sample path, one step each -------------------------------------------------------
    def approve(self, request_no: str = "S-1") -> sales.SampleApplicationApproved:
        """Sales: a sample record up to its approved application."""
        self.sales.store(sample_at("application_approved", request_no))
        return self.of_type(self.sales, sales.SampleApplicationApproved)[-1]

    def schedule(self, request_no: str = "S-1") -> eng.SamplingScheduled:
        job = self.engineering.job(request_no)
        job.schedule(ctx(Role.ENGINEER, at=self.now), self.now + timedelta(hours=1))
        self.engineering.store(job)
        return self.of_type(self.engineering, eng.SamplingScheduled)[-1]

    def in_production(self, request_no: str = "S-1") -> dict[str, DomainEvent]:
        """Approved, job opened, scheduled, documents received; the causes, by name."""
        approved = self.approve(request_no)
        self.deliver(self.engineering.on_application_approved, approved)
        scheduled = self.schedule(request_no)
        [received] = self.deliver(self.production.on_sampling_scheduled, scheduled)
        return {"approved": approved, "scheduled": scheduled, "received": received}

    def promise(self, at: datetime, request_no: str = "S-1") -> prod.DeliveryPromised:
        order = self.production.work_order(request_no)
        order.promise(ctx(Role.PMC_PLANNER, at=self.now), at)
        self.production.store(order)
        return self.of_type(self.production, prod.DeliveryPromised)[-1]

    def notify_delay(self, new: datetime, request_no: str = "S-1") -> prod.DelayNotified:
        order = self.production.work_order(request_no)
        order.notify_delay(ctx(Role.PMC_PLANNER, at=self.now), kind="delay", reason="die steel",
                           new_promised_at=new, calendar=self.production.calendar)
        self.production.store(order)
        return self.of_type(self.production, prod.DelayNotified)[-1]

    def complete(self, request_no: str = "S-1") -> prod.SampleCompleted:
        order = self.production.work_order(request_no)
        order.complete(ctx(Role.PRODUCTION_SUPERVISOR, at=self.now))
        self.production.store(order)
        return self.of_type(self.production, prod.SampleCompleted)[-1]

    def return_sample(self, request_no: str = "S-1") -> eng.SampleReturnedToSales:
        job = self.engineering.job(request_no)
        job.return_sample(ctx(Role.ENGINEER, at=self.now))
        self.engineering.store(job)
        return self.of_type(self.engineering, eng.SampleReturnedToSales)[-1]

    def report_to_sales(self, *causes: DomainEvent) -> None:
        """Sales records production progress (R-S5) from these events."""
        for cause in causes:
            self.deliver(self.sales.on_progress, cause)

    def second_round(self, request_no: str = "S-1") -> dict[str, DomainEvent]:
        """Sales ships the returned sample, the trial is NG, a second round reaches production."""
        record = self.sales.sample(request_no)
        record.ship(ctx(Role.SALESPERSON, at=self.now), "salesperson", None, None)
        record.confirm_receipt(ctx(Role.SALESPERSON, at=self.now), self.now.date(),
                               today=self.now.date())
        record.record_trial(ctx(Role.SALESPERSON, at=self.now), "ng", "burr", "")
        record.agree_ng_fix(ctx(Role.SALESPERSON, at=self.now), "burr", "new die", ["production"],
                            "second sample")
        record.start_new_round(ctx(Role.SALES_ASSISTANT, at=self.now))
        record.open_application(ctx(Role.SALES_ASSISTANT, at=self.now), "A-2")
        record.approve_application(ctx(Role.CS_SUPERVISOR, at=self.now))
        self.sales.store(record)
        approved = self.of_type(self.sales, sales.SampleApplicationApproved)[-1]
        self.deliver(self.engineering.on_application_approved, approved)
        scheduled = self.schedule(request_no)
        [received] = self.deliver(self.production.on_sampling_scheduled, scheduled)
        return {"approved": approved, "scheduled": scheduled, "received": received}

    def ship(self, request_no: str = "S-1") -> None:
        record = self.sales.sample(request_no)
        record.ship(ctx(Role.SALESPERSON, at=self.now), "salesperson", None, None)
        self.sales.store(record)

    # -- production and quality of a customer order (R-O2, R-O4; helpers of branch prodqual) ----
    @functools.cached_property
    def quality(self) -> QualityApplication:
        return QualityApplication({}, clock=self.clock)

    def internal_order_issued(self, order_no: str = "O-1", quantity: int = 5000,
                              ) -> sales.InternalOrderIssued:
        """Sales' internal order for PMC (R-O2), made directly: production and quality are
        tested here without sales' order record."""
        return sales.InternalOrderIssued(
            originator_id=record_id("order", order_no), originator_version=3, timestamp=self.now,
            event_id=uuid.uuid4(), actor=Actor(user="amy", role=Role.SALES_ASSISTANT),
            correlation_id=uuid.uuid4(), order_no=order_no, internal_order_no=f"I{order_no}",
            customer="ACME", requested_date=(self.now + timedelta(days=20)).date(),
            lines=(OrderLine(product="gasket", part_no="P-1", quantity=quantity),))

    def production_receives(self, order_no: str = "O-1", quantity: int = 5000,
                            ) -> prod.InternalOrderReceived:
        [received] = self.deliver(self.production.on_internal_order_issued,
                                  self.internal_order_issued(order_no, quantity))
        assert isinstance(received, prod.InternalOrderReceived)
        return received

    def pmc_promises(self, at: datetime, order_no: str = "O-1", quantity: int | None = None,
                     ) -> prod.DeliveryPromised:
        order = self.production.production_order(order_no)
        order.promise(ctx(Role.PMC_PLANNER, at=self.now), at, quantity, None)
        self.production.store(order)
        return self.of_type(self.production, prod.DeliveryPromised)[-1]

    def pmc_delays(self, new: datetime, order_no: str = "O-1") -> prod.DelayNotified:
        order = self.production.production_order(order_no)
        order.notify_delay(ctx(Role.PMC_PLANNER, at=self.now), kind="delay", reason="film late",
                           new_promised_at=new, calendar=self.production.calendar)
        self.production.store(order)
        return self.of_type(self.production, prod.DelayNotified)[-1]

    def lot_completed(self, lot_no: str = "L-1", quantity: int = 5000, order_no: str = "O-1",
                      ) -> prod.LotCompleted:
        order = self.production.production_order(order_no)
        order.complete_lot(ctx(Role.PRODUCTION_SUPERVISOR, at=self.now), lot_no, quantity)
        self.production.store(order)
        return self.of_type(self.production, prod.LotCompleted)[-1]

    def lot_inspected(self, result: str = "pass", lot_no: str = "L-1", order_no: str = "O-1",
                      ) -> qual.InspectionPassed | qual.InspectionFailed:
        inspection = self.quality.inspection(order_no, lot_no)
        inspection.inspect(ctx(Role.QC_INSPECTOR, at=self.now), "pass" if result == "pass"
                           else "fail", None if result == "pass" else "burr", None)
        self.quality.store(inspection)
        [done] = [e for e in self.events(self.quality)[-1:]
                  if isinstance(e, qual.InspectionPassed | qual.InspectionFailed)]
        return done

    def lot_failed_and_reworked(self, lot_no: str = "L-1", order_no: str = "O-1",
                                ) -> dict[str, DomainEvent]:
        """The lot's current attempt goes to quality, fails, and production starts its rework."""
        completed = [e for e in self.of_type(self.production, prod.LotCompleted)
                     if (e.order_no, e.lot_no) == (order_no, lot_no)][-1]
        [requested] = self.deliver(self.quality.on_lot_completed, completed)
        failed = self.lot_inspected("fail", lot_no, order_no)
        [rework] = self.deliver(self.production.on_inspection_failed, failed)
        return {"requested": requested, "failed": failed, "rework": rework}

    # == Orders, sales side (issue 7) ==========================================================
    # Sales' order record through its use cases; what production, quality and engineering
    # report on an order is built by ``on_order`` as their services store it.
    def order_command(self, cls: type[Command], role: Role = Role.SALES_ASSISTANT,
                      **fields: Any) -> list[EventRef]:
        """Give the sales order command ``cls`` as ``role``, through its use case."""
        user = {Role.SALES_ASSISTANT: "amy", Role.SALESPERSON: "bob"}.get(role, "someone")
        command = cls.model_validate({"actor": {"user": user, "role": role}, **fields},
                                     context={"now": self.now})
        return ORDER_COMMANDS[cls](self.sales, command, self.sales.context(command.actor, None))

    def order_issued(self, order_no: str = "O-1", **intake: Any) -> sales.InternalOrderIssued:
        """Sales: an order of 5000 received, archived and issued to PMC as an internal order."""
        self.order_command(orders.ReceiveOrder, Role.SALESPERSON, **{
            "order_no": order_no, "po_no": "PO-7", "customer": "ACME",
            "lines": [{"product": "gasket", "part_no": "P-1", "quantity": 5000}],
            "requested_date": (self.now + timedelta(days=30)).date(), "salesperson": "bob",
            "assistant": "amy", **intake})
        self.order_command(orders.ArchiveOrder, order_no=order_no)
        self.order_command(orders.IssueInternalOrder, order_no=order_no,
                           internal_order_no=f"IO-{order_no}")
        return self.of_type(self.sales, sales.InternalOrderIssued)[-1]

    def on_order(self, cls: type[E], order_no: str = "O-1", **facts: Any) -> E:
        """Another department's event on order ``order_no``, as that department stores it."""
        role = {"production": Role.PMC_PLANNER, "quality": Role.QC_INSPECTOR,
                "engineering": Role.ENGINEER}[cls.department.value]
        return cls(originator_id=uuid.uuid4(), originator_version=1, timestamp=self.now,  # type: ignore[call-arg]
                   event_id=uuid.uuid4(), actor=Actor(user="someone", role=role),
                   correlation_id=uuid.uuid4(), order_no=order_no, **facts)

    def report_on_order(self, *causes: DomainEvent) -> None:
        """Sales records what the other departments report on orders, by its wired reactions."""
        for cause in causes:
            self.deliver(getattr(self.sales, SALES.reactions[type(cause)].__name__), cause)
