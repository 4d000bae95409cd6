"""Small builders for unit tests: contexts, actors, and a sample record at any step."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from events.envelope import Actor, DieDifficulty, Role
from events.sales import MaterialSet
from services.domain import Context
from services.sales.sample import SampleRecord, sample_id

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
FULL = MaterialSet(drawings=True, technical_requirements=True, original_sample=True,
                   quality_requirements=True, key_notes=True)


def ctx(role: Role, user: str = "someone", at: datetime = T0) -> Context:
    return Context(actor=Actor(user=user, role=role), now=at, correlation_id=uuid.uuid4())


def sample_at(step: str, request_no: str = "S-1", materials: MaterialSet = FULL) -> SampleRecord:
    """A sample record brought, through its own commands, up to and including ``step``."""
    record = SampleRecord(id=sample_id(request_no))
    steps = [
        ("requested", lambda: record.request(ctx(Role.SALES_ASSISTANT, "amy"), request_no=request_no,
                                             customer="ACME", product="gasket", part_no="P-1",
                                             salesperson="bob", materials=materials)),
        ("costed", lambda: record.cost(ctx(Role.TECHNICAL_SUPPORT), bom_ref="B-1",
                                       material_cost=Decimal("1"), process_cost=Decimal("2"),
                                       die_difficulty=DieDifficulty.NORMAL)),
        ("quoted", lambda: record.prepare_quotation(ctx(Role.QUOTATION_SPECIALIST), quotation_no="Q-1",
                                                    unit_price=Decimal("3.5"), currency="CNY")),
        ("signed", lambda: record.sign_quotation(ctx(Role.CS_SUPERVISOR))),
        ("sent", lambda: record.send_quotation(ctx(Role.SALES_ASSISTANT))),
        ("price_approved", lambda: record.approve_price(ctx(Role.SALESPERSON))),
        ("application_opened", lambda: record.open_application(ctx(Role.SALES_ASSISTANT), "A-1")),
        ("application_approved", lambda: record.approve_application(ctx(Role.CS_SUPERVISOR))),
    ]
    for name, do in steps:
        do()
        if name == step:
            return record
    raise ValueError(step)


def later(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)
