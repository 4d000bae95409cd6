"""Queries the projections answer about customers (R-S1) and their file (R-S2).

``register`` is called by the projections process with its broker, store and read model.
"""
from __future__ import annotations

from typing import Any

from faststream.nats import NatsBroker, NatsMessage
from pydantic import BaseModel, ConfigDict, Field

from contracts.subjects import PROJECTIONS as QUEUE
from contracts.subjects import QUERY_CUSTOMER_FILE, QUERY_CUSTOMERS
from events.customers import DocumentCategory
from projections.customer_file import CustomerFile
from projections.store import ViewStore
from services.runtime.projection_queries import answer


class CustomersQuery(BaseModel):
    """Every customer with its onboarding status."""

    model_config = ConfigDict(extra="forbid")


class CustomerFileQuery(BaseModel):
    """One customer's electronic file, by category and date."""

    model_config = ConfigDict(extra="forbid")

    customer_no: str = Field(min_length=1, description="Customer number / 客户编号")
    category: DocumentCategory | None = Field(default=None, description="Only this category / 类别")


def register(broker: NatsBroker, store: ViewStore, model: CustomerFile) -> None:
    """Add the customer query subscribers to the projections' broker; each validates its query
    and refuses an invalid one with ``{"error": ...}`` (see ``projection_queries.answer``)."""

    @broker.subscriber(QUERY_CUSTOMERS, queue=QUEUE, title="Customers and their onboarding")
    async def on_customers(msg: NatsMessage) -> bytes:
        return await answer(CustomersQuery, msg.body, lambda q: model.customers(store))

    @broker.subscriber(QUERY_CUSTOMER_FILE, queue=QUEUE, title="Electronic customer file")
    async def on_customer_file(msg: NatsMessage) -> bytes:
        def read(query: CustomerFileQuery) -> dict[str, Any]:
            category = query.category.value if query.category else None
            return {"customer": model.customer(store, query.customer_no),
                    "documents": model.documents(store, query.customer_no, category)}

        return await answer(CustomerFileQuery, msg.body, read)
