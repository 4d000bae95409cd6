"""Queries the projections answer about samples (R-S5, R-S8), orders (R-O3, R-O5, R-O6),
complaints (R-C2, R-C3, R-C5, R-C6) and the audit trail.

Every query is answered: its handler validates the payload itself (a FastStream-typed argument
would drop an invalid one without a reply) and refuses it with ``{"error": ErrorBody}``; a read
model being rebuilt after a schema change, or an unexpected failure, is a refusal too.
``register`` is called by the projections process with its broker, store and read models.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from faststream.nats import NatsBroker, NatsMessage
from pydantic import BaseModel, ValidationError

from contracts.calendar import WorkingCalendar
from contracts.queries import (
    CalendarQuery,
    ComplaintMonthQuery,
    ComplaintsQuery,
    HistoryQuery,
    MeetingInputsQuery,
    OrderMonthQuery,
    OrdersQuery,
    SampleMonthQuery,
    SamplesQuery,
    SlaQuery,
    query_error,
    refusal,
)
from contracts.replies import ErrorBody
from contracts.subjects import (
    PROJECTIONS,
    QUERY_CALENDAR,
    QUERY_COMPLAINT_MONTH,
    QUERY_COMPLAINTS,
    QUERY_HISTORY,
    QUERY_MEETING_INPUTS,
    QUERY_ORDER_MONTH,
    QUERY_ORDERS,
    QUERY_SAMPLE_MONTH,
    QUERY_SAMPLES,
    QUERY_SLA,
)
from events.registry import REGISTRY
from events.sla import CALENDAR_ENTRIES
from projections import complaint_month, order_month, sample_month
from projections.model import Rebuilding
from projections.month_notes import MonthNotes
from projections.projector import ReadModels
from projections.store import ViewStore
from projections.summary_table import SummaryTable
from projections.table_paging import Slice

log = logging.getLogger(__name__)
Q = TypeVar("Q", bound=BaseModel)
TableQuery = SamplesQuery | OrdersQuery | ComplaintsQuery
MonthQuery = SampleMonthQuery | OrderMonthQuery | ComplaintMonthQuery
Handler = Callable[[NatsMessage], Awaitable[bytes]]
# A table query's fields that pick the part of the table, not the rows (``TablePaging``, sort).
PAGING = frozenset({"limit", "offset", "sort", "desc", "search"})
Analyse = Callable[[str, list[dict[str, Any]], WorkingCalendar], dict[str, Any]]


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


# nats-py's default: what a server says when it sets no max_payload (the embedded one says 16 MB)
DEFAULT_MAX_PAYLOAD = 1024 * 1024
_REPLY_OVERHEAD = 4096  # headers and subject of the reply message


def too_large(size: int, limit: int) -> dict[str, Any]:
    """A reply larger than NATS carries would never arrive (the asker would only time out):
    refused, saying how large it is and how to ask for less."""
    mb, limit_mb = size / 1_048_576, limit / 1_048_576
    return refusal(ErrorBody(
        kind="validation",
        message_en=f"the answer is {mb:.1f} MB, more than the {limit_mb:.0f} MB a NATS message "
                   "carries here: ask for less (a month, a customer, a status, or a page: limit)",
        message_zh=f"查询结果为 {mb:.1f} MB，超过 NATS 单条消息上限 {limit_mb:.0f} MB："
                   "请缩小查询范围（按月份、客户或状态，或分页：limit）"))


async def answer(contract: type[Q], body: bytes, read: Callable[[Q], Any],
                 limit: int = DEFAULT_MAX_PAYLOAD) -> bytes:
    """Validate ``body`` as ``contract``, read in a thread, and reply (or refuse) as JSON; an
    answer over ``limit`` bytes (the connection's max payload) is refused instead."""
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
    data = dumps(result)
    if len(data) > limit - _REPLY_OVERHEAD:
        log.warning("query %s: answer of %d bytes refused (max payload %d)", contract.__name__,
                    len(data), limit)
        return dumps(too_large(len(data), limit))
    return data


def dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def register(broker: NatsBroker, store: ViewStore, models: ReadModels,
             calendar: WorkingCalendar, max_payload: int = DEFAULT_MAX_PAYLOAD) -> None:
    """Add the sample, order, complaint and audit query subscribers to the projections' broker
    (``max_payload``: the server's, the largest reply that can be sent)."""
    reply = functools.partial(answer, limit=max_payload)

    def table(contract: type[TableQuery], summary: SummaryTable) -> Handler:
        """A summary table's rows, filtered, now or as of a moment (the 16:00 view), each with
        its SLA flags from the SLA read model (``sla_flags``)."""
        def read(query: TableQuery) -> list[dict[str, Any]] | dict[str, Any]:
            filters = query.model_dump(mode="json", exclude={"as_of", *PAGING})
            part = Slice(sort=query.sort, desc=query.desc, search=query.search,
                         limit=query.limit, offset=query.offset or 0)
            rows, total = summary.page(store, part, query.as_of, **filters)
            rows = with_sla_flags(store, models, calendar, rows, summary.key, query.as_of)
            if query.limit is None:  # the whole (filtered) table, as before paging existed
                return rows
            return {"items": rows, "total": total, "offset": part.offset, "limit": query.limit}

        async def on_rows(msg: NatsMessage) -> bytes:
            return await reply(contract, msg.body, read)
        return on_rows

    def month(contract: type[MonthQuery], summary: SummaryTable, analyse: Analyse,
              notes: MonthNotes) -> Handler:
        """A month's analysis of a summary table, with its notes (R-S8, R-O6, R-C6)."""
        def read(query: MonthQuery) -> dict[str, Any]:
            rows = summary.rows(store, month=query.month)
            return {**analyse(query.month, rows, company_calendar(store, models, calendar)),
                    "notes": notes.notes(store, query.month)}

        async def on_month(msg: NatsMessage) -> bytes:
            return await reply(contract, msg.body, read)
        return on_month

    for subject, title, handler in (
        (QUERY_SAMPLES, "Sample Record Summary", table(SamplesQuery, models.samples)),
        (QUERY_ORDERS, "Order Summary", table(OrdersQuery, models.orders)),
        (QUERY_COMPLAINTS, "Complaint Summary", table(ComplaintsQuery, models.complaints)),
        (QUERY_SAMPLE_MONTH, "Month-end sample analysis", month(
            SampleMonthQuery, models.samples, sample_month.analyse, models.month_notes)),
        (QUERY_ORDER_MONTH, "Month-end order analysis", month(
            OrderMonthQuery, models.orders, order_month.analyse, models.order_notes)),
        (QUERY_COMPLAINT_MONTH, "Month-end complaint analysis per customer and per problem",
         month(ComplaintMonthQuery, models.complaints, complaint_month.analyse,
               models.complaint_notes)),
    ):
        broker.subscriber(subject, queue=PROJECTIONS, title=title)(handler)

    @broker.subscriber(QUERY_MEETING_INPUTS, queue=PROJECTIONS,
                       title="Resource needs and improvements for a month's sales meeting")
    async def on_meeting_inputs(msg: NatsMessage) -> bytes:
        return await reply(MeetingInputsQuery, msg.body, lambda q: {
            "month": q.month, "items": models.meeting_inputs.items(store, q.month)})

    @broker.subscriber(QUERY_CALENDAR, queue=PROJECTIONS, title="The company calendar's entries")
    async def on_calendar(msg: NatsMessage) -> bytes:
        return await reply(CalendarQuery, msg.body,
                            lambda q: {"entries": models.calendar.entries(store)})

    @broker.subscriber(QUERY_SLA, queue=PROJECTIONS,
                       title="SLA clocks: breaches, at-risk runs and the rest")
    async def on_sla(msg: NatsMessage) -> bytes:
        return await reply(SlaQuery, msg.body, lambda q: models.sla.rows(
            store, calendar, datetime.now(UTC), q.as_of, states=q.states, clock=q.clock,
            department=q.department, person=q.person, record=q.record))

    @broker.subscriber(QUERY_HISTORY, queue=PROJECTIONS, title="Audit trail of one record")
    async def on_history(msg: NatsMessage) -> bytes:
        return await reply(HistoryQuery, msg.body,
                            lambda q: models.audit.history(store, q.record_no))


def company_calendar(store: ViewStore, models: ReadModels, base: WorkingCalendar,
                     ) -> WorkingCalendar:
    """The environment's calendar with the company's entries (the ``calendar`` read model), so
    the month analyses count working hours as the clocks do; the base alone while that model
    is being rebuilt."""
    try:
        entries = models.calendar.entries(store)
    except Rebuilding:
        return base
    decoded = (REGISTRY.decode(e["type"], e["event"]) for e in entries)
    return base.with_entries(e for e in decoded if isinstance(e, CALENDAR_ENTRIES))


FLAGGED_RECORDS = 500  # up to this many records, their SLA flags are read by name


def with_sla_flags(store: ViewStore, models: ReadModels, calendar: WorkingCalendar,
                   rows: list[dict[str, Any]], key: str, as_of: datetime | None,
                   ) -> list[dict[str, Any]]:
    """``rows`` with their ``sla_flags``: the clock runs of each record the SLA read model
    finds breached, at risk or breached then met (now, or as of the table's moment); None
    while the SLA model is being rebuilt (the table is still answered)."""
    try:
        # Only the records answered (a page of a table), unless that is most of the table.
        wanted = {str(row[key]) for row in rows} if len(rows) <= FLAGGED_RECORDS else None
        flags = models.sla.flags(store, calendar, datetime.now(UTC), as_of, records=wanted)
    except Rebuilding:
        return [dict(row, sla_flags=None) for row in rows]
    return [dict(row, sla_flags=flags.get(row[key], [])) for row in rows]
