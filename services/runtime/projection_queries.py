"""Queries the projections answer about samples (R-S5, R-S8), orders (R-O3, R-O5, R-O6),
complaints (R-C2, R-C3, R-C5, R-C6) and the audit trail.

Every query is answered: its handler validates the payload itself (a FastStream-typed argument
would drop an invalid one without a reply) and refuses it with ``{"error": ErrorBody}``; a read
model being rebuilt after a schema change, or an unexpected failure, is a refusal too.
``register`` is called by the projections process with its broker, store and read models.
"""
from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from faststream.nats import NatsBroker, NatsMessage
from pydantic import BaseModel, ValidationError

from contracts.calendar import WorkingCalendar
from contracts.queries import (
    ComplaintMonthQuery,
    ComplaintsQuery,
    HistoryQuery,
    OrderMonthQuery,
    OrdersQuery,
    SampleMonthQuery,
    SamplesQuery,
    query_error,
    refusal,
)
from contracts.replies import ErrorBody
from contracts.subjects import (
    PROJECTIONS,
    QUERY_COMPLAINT_MONTH,
    QUERY_COMPLAINTS,
    QUERY_HISTORY,
    QUERY_ORDER_MONTH,
    QUERY_ORDERS,
    QUERY_SAMPLE_MONTH,
    QUERY_SAMPLES,
)
from projections import as_of, complaint_month, order_month, sample_month
from projections.model import Rebuilding
from projections.projector import ReadModels
from projections.store import ViewStore

log = logging.getLogger(__name__)
Q = TypeVar("Q", bound=BaseModel)


def rebuilding(error: Rebuilding) -> ErrorBody:
    return ErrorBody(
        kind="unavailable",
        message_en=f"the read model {error.model} is being rebuilt from the streams after a "
                   "change of its tables; ask again in a moment (`salesflow status` shows progress)",
        message_zh=f"读模型 {error.model} 的表结构已变更，正在从事件流重建，请稍后再查询"
                   "（`salesflow status` 显示进度）")


def internal(what: str, error: BaseException, en: str = "", zh: str = "") -> dict[str, Any]:
    """An unexpected failure, with a reference the log shows next to the traceback; ``en`` and
    ``zh`` add what it means for the user.

    Built as a plain object: ``ErrorBody`` gains the ``internal`` kind and its ``reference``
    in the command path's part of this issue (brief decision 7)."""
    reference = uuid.uuid4().hex[:12]
    log.error("%s failed (reference %s)", what, reference, exc_info=error)
    return {"error": {"kind": "internal", "reference": reference,
                      "message_en": f"{what} failed unexpectedly (reference {reference} in the "
                                    f"projections log){en}",
                      "message_zh": f"{what} 意外失败（投影服务日志中的编号 {reference}）{zh}"}}


async def answer(contract: type[Q], body: bytes, read: Callable[[Q], Any]) -> bytes:
    """Validate ``body`` as ``contract``, read in a thread, and reply (or refuse) as JSON."""
    try:
        query = contract.model_validate_json(body or b"{}")
    except ValidationError as error:
        return dumps(refusal(query_error(error)))
    try:
        result = await asyncio.to_thread(read, query)
    except Rebuilding as error:
        return dumps(refusal(rebuilding(error)))
    except Exception as error:  # noqa: BLE001 - every query gets a reply
        return dumps(internal(f"query {contract.__name__}", error))
    return dumps(result)


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def register(broker: NatsBroker, store: ViewStore, models: ReadModels,
             calendar: WorkingCalendar) -> None:
    """Add the sample, order, complaint and audit query subscribers to the projections' broker."""

    @broker.subscriber(QUERY_SAMPLES, queue=PROJECTIONS, title="Sample Record Summary")
    async def on_samples(msg: NatsMessage) -> bytes:
        def read(q: SamplesQuery) -> list[dict[str, Any]]:
            if q.as_of is not None:  # R-S5: e.g. the table as it stood at 16:00
                return as_of.rows(store, models.samples.fold(), q.as_of,
                                  customer=q.customer, status=q.status, month=q.month)
            return models.samples.rows(store, q.customer, q.status, q.month)

        return await answer(SamplesQuery, msg.body, read)

    @broker.subscriber(QUERY_SAMPLE_MONTH, queue=PROJECTIONS, title="Month-end sample analysis")
    async def on_sample_month(msg: NatsMessage) -> bytes:
        def read(query: SampleMonthQuery) -> dict[str, Any]:
            rows = models.samples.rows(store, month=query.month)
            return {**sample_month.analyse(query.month, rows, calendar),
                    "notes": models.month_notes.notes(store, query.month)}

        return await answer(SampleMonthQuery, msg.body, read)

    @broker.subscriber(QUERY_ORDERS, queue=PROJECTIONS, title="Order Summary")
    async def on_orders(msg: NatsMessage) -> bytes:
        def read(q: OrdersQuery) -> list[dict[str, Any]]:
            if q.as_of is not None:  # R-O5: e.g. the table as it stood at 16:00
                return as_of.rows(store, models.orders.fold(), q.as_of, customer=q.customer,
                                  status=q.status, month=q.month, salesperson=q.salesperson)
            return models.orders.rows(store, q.customer, q.status, q.month, q.salesperson)

        return await answer(OrdersQuery, msg.body, read)

    @broker.subscriber(QUERY_ORDER_MONTH, queue=PROJECTIONS, title="Month-end order analysis")
    async def on_order_month(msg: NatsMessage) -> bytes:
        def read(query: OrderMonthQuery) -> dict[str, Any]:
            rows = models.orders.rows(store, month=query.month)
            return {**order_month.analyse(query.month, rows, calendar),
                    "notes": models.order_notes.notes(store, query.month)}

        return await answer(OrderMonthQuery, msg.body, read)

    @broker.subscriber(QUERY_COMPLAINTS, queue=PROJECTIONS, title="Complaint Summary")
    async def on_complaints(msg: NatsMessage) -> bytes:
        def read(q: ComplaintsQuery) -> list[dict[str, Any]]:
            filters = {"customer": q.customer, "status": q.status, "month": q.month,
                       "salesperson": q.salesperson, "severity": q.severity}
            if q.as_of is not None:  # R-C5: e.g. the table the CS supervisor had at 16:00
                return as_of.rows(store, models.complaints.fold(), q.as_of, **filters)
            return models.complaints.rows(store, **filters)

        return await answer(ComplaintsQuery, msg.body, read)

    @broker.subscriber(QUERY_COMPLAINT_MONTH, queue=PROJECTIONS,
                       title="Month-end complaint analysis per customer and per problem")
    async def on_complaint_month(msg: NatsMessage) -> bytes:
        def read(query: ComplaintMonthQuery) -> dict[str, Any]:
            rows = models.complaints.rows(store, month=query.month)
            return {**complaint_month.analyse(query.month, rows, calendar),
                    "notes": models.complaint_notes.notes(store, query.month)}

        return await answer(ComplaintMonthQuery, msg.body, read)

    @broker.subscriber(QUERY_HISTORY, queue=PROJECTIONS, title="Audit trail of one record")
    async def on_history(msg: NatsMessage) -> bytes:
        return await answer(HistoryQuery, msg.body,
                            lambda q: models.audit.history(store, q.record_no))
