"""GET endpoints for every read model: the three summary tables (now or ``as_of``), the month
analyses, customers and their files, the SLA clocks, the calendar, a record's audit trail, the
dead letters, and documents from the object store. Each asks the projections over NATS with the
query's own contract. The summary tables are paged, sorted and searched by the projections
(``limit``, ``offset``, ``sort``, ``desc``, ``search``); the other lists are paged here."""
from __future__ import annotations

from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import nats.errors
from fastapi import FastAPI, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from contracts import subjects as s
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
    TablePaging,
)
from services.cli.client import QueryRefused
from services.gateway.auth import Admin, SignedIn, gateway_of
from services.gateway.errors import ERROR_RESPONSES, STATUS, ApiError, validation
from services.gateway.state import Gateway
from services.runtime.connect import NatsUnavailable
from services.runtime.customer_queries import CustomerFileQuery, CustomersQuery

MAX_PAGE = 1000
Q = TypeVar("Q", bound=BaseModel)


class Paging(BaseModel):
    """Which part of a long list to answer."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=200, ge=1, le=MAX_PAGE, description="Rows per page / 每页行数")
    offset: int = Field(default=0, ge=0, le=10_000_000, description="Rows to skip / 跳过行数")


class Page(BaseModel):
    """Rows of a table, one page of them."""

    items: list[dict[str, Any]]
    total: int = Field(description="Rows in the whole answer / 总行数")
    offset: int
    limit: int


LISTS: tuple[tuple[str, str, type[BaseModel], str], ...] = (
    ("/tables/samples", s.QUERY_SAMPLES, SamplesQuery, "Sample Record Summary / 打样记录汇总表"),
    ("/tables/orders", s.QUERY_ORDERS, OrdersQuery, "Order Summary / 订单汇总表"),
    ("/tables/complaints", s.QUERY_COMPLAINTS, ComplaintsQuery, "Complaint Summary / 客诉汇总表"),
    ("/tables/customers", s.QUERY_CUSTOMERS, CustomersQuery, "Customers / 客户"),
    ("/sla", s.QUERY_SLA, SlaQuery, "SLA clocks: breaches first, then at-risk runs / 时限"),
)
MONTHS: tuple[tuple[str, str, type[BaseModel], str], ...] = (
    ("samples", s.QUERY_SAMPLE_MONTH, SampleMonthQuery, "Month-end sample analysis / 打样月度分析"),
    ("orders", s.QUERY_ORDER_MONTH, OrderMonthQuery, "Month-end order analysis / 订单月度分析"),
    ("complaints", s.QUERY_COMPLAINT_MONTH, ComplaintMonthQuery,
     "Month-end complaint analysis / 客诉月度分析"),
    ("meeting-inputs", s.QUERY_MEETING_INPUTS, MeetingInputsQuery,
     "Resource needs and improvements for the monthly sales meeting (R-M2) / 月度会议资源需求与改进"),
)


async def ask(gateway: Gateway, subject: str, query: dict[str, Any]) -> Any:
    """The projections' answer, or the refusal as an ``ApiError``."""
    try:
        return await gateway.client().query(subject, query, timeout=gateway.query_timeout)
    except QueryRefused as refused:
        raise ApiError(STATUS.get(refused.error.kind, 500), refused.error) from None
    except (NatsUnavailable, nats.errors.Error):  # nobody answered, or NATS itself is gone
        raise ApiError.of("unavailable", "the projections did not answer in time; is the "
                          "projections service running?", "投影服务没有及时响应，请确认其正在运行"
                          ) from None


def checked(contract: type[Q], data: dict[str, Any]) -> Q:
    """The query's own contract, refused as 422 naming the field."""
    try:
        return contract.model_validate(data)
    except ValidationError as error:
        raise validation(error, "query", "查询") from None


def page(rows: list[dict[str, Any]], paging: Paging) -> Page:
    return Page(items=rows[paging.offset:paging.offset + paging.limit], total=len(rows),
                offset=paging.offset, limit=paging.limit)


def add_routes(app: FastAPI) -> None:
    for path, subject, contract, title in LISTS:
        _list_route(app, path, subject, contract, title)
    for table, subject, contract, title in MONTHS:
        _month_route(app, table, subject, contract, title)
    _record_routes(app)


def _list_route(app: FastAPI, path: str, subject: str, contract: type[BaseModel],
                title: str) -> None:
    # Paging first: its page size (200 unless asked) wins over the table query's "no limit".
    paged = create_model(f"{contract.__name__}Page", __base__=(Paging, contract))
    by_projections = issubclass(contract, TablePaging)

    async def handle(request: Request, who: SignedIn, q: Any) -> Page:
        if by_projections:  # only the page travels; ``total`` counts every row that matched
            query = q.model_dump(mode="json", exclude_none=True)
            return Page.model_validate(await ask(gateway_of(request), subject, query))
        query = q.model_dump(mode="json", exclude={"limit", "offset"}, exclude_none=True)
        rows = await ask(gateway_of(request), subject, query)
        return page(rows, q)

    handle.__annotations__["q"] = Annotated[paged, Query()]
    app.add_api_route(path, handle, methods=["GET"], response_model=Page, summary=title,
                      tags=["tables"], responses=ERROR_RESPONSES, name=path.strip("/"))


def _month_route(app: FastAPI, table: str, subject: str, contract: type[BaseModel],
                 title: str) -> None:
    async def handle(request: Request, who: SignedIn,
                     month: Annotated[str, Path(pattern=r"^\d{4}-\d{2}$",
                                                description="YYYY-MM / 月份")]) -> dict[str, Any]:
        result: dict[str, Any] = await ask(gateway_of(request), subject, {"month": month})
        return result

    app.add_api_route(f"/months/{table}/{{month}}", handle, methods=["GET"], summary=title,
                      tags=["month analyses"], responses=ERROR_RESPONSES,
                      name=f"months.{table}")


def _record_routes(app: FastAPI) -> None:
    @app.get("/records/{record_no}/history", tags=["audit"], responses=ERROR_RESPONSES,
             summary="Audit trail of one record: who did what, when / 记录的审计轨迹")
    async def history(request: Request, who: SignedIn,
                      record_no: Annotated[str, Path(min_length=1, max_length=80)],
                      paging: Annotated[Paging, Query()]) -> Page:
        checked(HistoryQuery, {"record_no": record_no})
        rows = await ask(gateway_of(request), s.QUERY_HISTORY, {"record_no": record_no})
        return page(rows, paging)

    @app.get("/customers/{customer_no}/file", tags=["tables"], responses=ERROR_RESPONSES,
             summary="A customer's electronic file, by category and date / 客户电子档案")
    async def customer_file(request: Request, who: SignedIn,
                            customer_no: Annotated[str, Path(min_length=1, max_length=40)],
                            category: str | None = None) -> dict[str, Any]:
        query = checked(CustomerFileQuery, {"customer_no": customer_no, "category": category})
        result: dict[str, Any] = await ask(gateway_of(request), s.QUERY_CUSTOMER_FILE,
                                           query.model_dump(mode="json", exclude_none=True))
        return result

    @app.get("/calendar", tags=["tables"], responses=ERROR_RESPONSES,
             summary="The company calendar's entries / 公司日历")
    async def calendar(request: Request, who: SignedIn) -> dict[str, Any]:
        result: dict[str, Any] = await ask(gateway_of(request), s.QUERY_CALENDAR,
                                           CalendarQuery().model_dump())
        return result

    @app.get("/dead-letters", tags=["operations"], responses=ERROR_RESPONSES,
             summary="Messages a consumer could not apply (admin) / 死信")
    async def dead_letters(request: Request, who: Admin,
                           paging: Annotated[Paging, Query()]) -> Page:
        from services.runtime.dead_letters import letters

        gateway = gateway_of(request)
        found = await letters(gateway.js, limit=paging.offset + paging.limit)
        return page([letter.summary() for letter in found], paging)

    @app.get("/documents/{sha256}", tags=["documents"], responses={
        **ERROR_RESPONSES, 200: {"content": {"application/octet-stream": {}},
                                 "description": "The document's bytes / 文件内容"}},
        summary="A document from the object store, by its SHA-256 / 下载文件",
        response_class=Response)
    async def document(request: Request, who: SignedIn,
                       sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
                       filename: Annotated[str | None, Query(max_length=200,
                                                             pattern=r"^[^/\\\x00-\x1f\"]+$")]
                       = None) -> Response:
        from services.runtime.object_store import fetch

        try:
            content = await fetch(gateway_of(request).js, sha256)
        except Exception as error:  # noqa: BLE001 - nats' object store raises several kinds
            if type(error).__name__ in ("ObjectNotFoundError", "NotFoundError", "KeyError"):
                raise ApiError.of("not_found", f"no document {sha256}", f"没有文件 {sha256}",
                                  field="sha256") from None
            raise ApiError.of("unavailable", "the object store did not answer",
                              "文件存储没有响应") from None
        # RFC 6266 / 5987: a Chinese file name travels percent-encoded.
        headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename or sha256)}"}
        return Response(content, media_type="application/octet-stream", headers=headers)
