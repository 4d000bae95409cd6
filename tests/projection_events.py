"""Events of whole sample paths and customers, made by the aggregates, for projection tests.

They are applied straight to a ``Projector`` (unit tests) or published straight into the
department streams (integration tests), so the projections are tested without the services.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from eventsourcing.persistence import Tracking

from contracts.calendar import WorkingCalendar
from contracts.subjects import HEADER_TYPE, stream_name
from events.customers import (
    ContactDepartment,
    CustomerContact,
    DocumentCategory,
    WindowContact,
)
from events.envelope import Actor, DomainEvent, Role
from projections.model import Item
from services.engineering.sampling_job import SamplingJob, job_id
from services.production.sample_work_order import SampleWorkOrder, work_order_id
from services.sales.customer import Customer, customer_id
from services.sales.month import SampleMonth, month_id
from tests.unit.builders import T0, ctx, sample_at

STAGES = ("scheduled", "in_production", "promised", "completed", "returned")


def sample_path(no: str, trials: Sequence[str] = ("ok",), *, delayed: bool = False,
                start: datetime = T0) -> list[DomainEvent]:
    """Every event of one sample, each department's in its own order: one round per trial
    result (an NG trial is followed by an agreed fix and a new round)."""
    def at(hours: float) -> datetime:
        return start + timedelta(hours=hours)

    record = sample_at("application_approved", request_no=no)
    job, order = SamplingJob(id=job_id(no)), SampleWorkOrder(id=work_order_id(no))
    sales = record.collect_events()
    events: list[DomainEvent] = []
    for round_no, result in enumerate(trials, start=1):
        base = 200.0 * (round_no - 1)
        job.open(ctx(Role.SYSTEM, at=at(base)), sales[-1])  # type: ignore[arg-type]
        job.schedule(ctx(Role.ENGINEER, at=at(base + 1)), at(base + 2))
        engineering = job.collect_events()
        order.receive_documents(ctx(Role.SYSTEM, at=at(base + 1)), engineering[-1])  # type: ignore[arg-type]
        order.promise(ctx(Role.PMC_PLANNER, at=at(base + 1)), at(base + 40))
        if delayed:
            order.notify_delay(ctx(Role.PMC_PLANNER, at=at(base + 2)), kind="delay",
                               reason="die re-cut", new_promised_at=at(base + 60),
                               calendar=WorkingCalendar())
        order.complete(ctx(Role.PRODUCTION_SUPERVISOR, at=at(base + 30)))
        production = order.collect_events()
        job.receive_finished(ctx(Role.SYSTEM, at=at(base + 30)), production[-1])  # type: ignore[arg-type]
        job.return_sample(ctx(Role.ENGINEER, at=at(base + 31)))
        engineering += job.collect_events()
        for hours, stage in enumerate(STAGES):
            record.record_progress(ctx(Role.SYSTEM, at=at(base + 31)), stage, at(base + hours),
                                   uuid.uuid4(), record.round)
        record.ship(ctx(Role.SALES_ASSISTANT, at=at(base + 32)), "courier", "SF", f"SF-{no}")
        record.confirm_receipt(ctx(Role.SALESPERSON, at=at(base + 50)), at(base + 50).date(),
                               at(base + 50).date())
        record.record_trial(ctx(Role.SALESPERSON, at=at(base + 120)), result,
                            "burr on the edge" if result == "ng" else None, "")
        if result == "ng" and round_no < len(trials):
            record.agree_ng_fix(ctx(Role.SALESPERSON, at=at(base + 121)), cause="burr",
                                fix="sharpen the die", departments=["production"],
                                customer_reply="new sample next week")
            record.start_new_round(ctx(Role.SALES_ASSISTANT, at=at(base + 122)))
            record.open_application(ctx(Role.SALES_ASSISTANT, at=at(base + 122)),
                                    f"A-{no}-{round_no + 1}")
            record.approve_application(ctx(Role.CS_SUPERVISOR, at=at(base + 123)))
        sales += record.collect_events()
        events += engineering + production
    return sales + events


def customer_events(no: str, documents: int = 1) -> list[DomainEvent]:
    """A customer submitted, confirmed, with one disclosure approved, its window sent, and
    ``documents`` documents on file (R-S1, R-S2)."""
    def person(name: str, role: Role | None, dept: ContactDepartment) -> WindowContact:
        return WindowContact(name=name, role=role, department=dept, duty="duties", phone="0755-1")

    customer = Customer(id=customer_id(no))
    customer.submit(ctx(Role.SALESPERSON, "bob"), customer_no=no, name=f"Customer {no}",
                    contact=CustomerContact(person="Mr. Wu", phone="021-1"))
    customer.confirm(ctx(Role.SALES_MANAGER, "max"), "amy")
    customer.approve_disclosure(ctx(Role.SALES_MANAGER, "max"), ContactDepartment.QUALITY, "Zhao")
    customer.send_window(ctx(Role.SALES_ASSISTANT, "amy"), [
        person("Mia", Role.MARKETING_MANAGER, ContactDepartment.SALES),
        person("Sue", Role.CS_SUPERVISOR, ContactDepartment.SALES),
        person("Amy", Role.SALES_ASSISTANT, ContactDepartment.SALES),
        person("Tina", Role.TECHNICAL_SUPPORT, ContactDepartment.SALES),
        person("Li", None, ContactDepartment.QUALITY)])
    for n in range(documents):
        customer.file_document(ctx(Role.SALES_ASSISTANT, "amy"), category=DocumentCategory.ENGINEERING_DRAWING,
                               title=f"Drawing {n}", filename=f"d{n}.pdf",
                               media_type="application/pdf", filed_on=date(2026, 11, 2),
                               sha256=f"{n:064x}", size=100 + n)
    return customer.collect_events()


def month_note(month: str, text: str) -> list[DomainEvent]:
    notes = SampleMonth(id=month_id(month))
    notes.note(ctx(Role.SALES_ASSISTANT, "amy"), month, text)
    return notes.collect_events()


def by_stream(events: Iterable[DomainEvent], first: int = 1) -> dict[str, list[Item]]:
    """The events as each department's stream delivers them: items with stream positions."""
    streams: dict[str, list[Item]] = {}
    for event in events:
        stream = stream_name(event.department)
        items = streams.setdefault(stream, [])
        items.append((event, Tracking(stream, first + len(items)), event.model_dump_json().encode()))
    return streams


async def publish(js: object, events: Iterable[DomainEvent], msg_id: str = "{event_id}") -> None:
    """Publish events into their department's stream as the relay does; ``msg_id`` shapes the
    dedupe id (a different one lets a duplicate through, as after the dedupe window)."""
    for event in events:
        await js.publish(event.subject(), event.model_dump_json().encode(),  # type: ignore[attr-defined]
                         headers={HEADER_TYPE: event.type_key(),
                                  "Nats-Msg-Id": msg_id.format(event_id=event.event_id)})


E = TypeVar("E", bound=DomainEvent)


class Aggregate:
    """Numbers the events of one aggregate as its store would."""

    def __init__(self, kind: str, no: str) -> None:
        self.id = uuid.uuid5(uuid.NAMESPACE_URL, f"salesflow:{kind}:{no}")
        self.version = 0
        self.correlation = uuid.uuid5(uuid.NAMESPACE_URL, f"salesflow:order:{no}")

    def __call__(self, cls: type[E], when: datetime, role: Role, user: str = "someone", /,
                 **facts: Any) -> E:
        self.version += 1
        return cls(originator_id=self.id, originator_version=self.version, timestamp=when,
                   event_id=uuid.uuid4(), actor=Actor(user=user, role=role),
                   correlation_id=self.correlation, **facts)
