"""``GET /kpis`` (issue 11): the dashboard's key figures — samples, orders and complaints per ISO
week and per month, on-time rates, complaints per customer and per problem, SLA breaches per
department — computed by ``services.reports.kpis`` from the same read models the tables answer,
now or as of a moment."""
from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from pydantic import BaseModel, Field

from contracts import subjects as s
from services.gateway.auth import SignedIn, gateway_of
from services.gateway.errors import ERROR_RESPONSES, ApiError
from services.gateway.export_routes import AsOfText, local
from services.gateway.query_routes import ask
from services.reports import kpis
from services.reports.exports import page_by_page

SUBJECTS = {"samples": s.QUERY_SAMPLES, "orders": s.QUERY_ORDERS,
            "complaints": s.QUERY_COMPLAINTS}


class PeriodFigures(BaseModel):
    """One ISO week or month (cut to the range) / 一周或一个月的数据."""

    period: str = Field(description="2026-W01 or 2026-01 / 周或月")
    first: date = Field(description="First day counted / 起始日")
    last: date = Field(description="Last day counted / 截止日")
    samples: int = Field(description="Samples requested / 新增打样")
    orders: int = Field(description="Orders received / 新接订单")
    complaints: int = Field(description="Complaints received / 新增客诉")
    orders_on_time: int = Field(description="Orders delivered by their latest promise / 准时交货订单")
    orders_late: int = Field(description="Orders delivered late or past a missed promise / 逾期订单")
    orders_on_time_rate: float | None = Field(description="On time of decided orders / 订单准时率")
    samples_on_time: int = Field(description="Sample makes within SLA-SAMPLE-MAKE / 按时打样")
    samples_late: int = Field(description="Sample makes past SLA-SAMPLE-MAKE / 超时打样")
    samples_on_time_rate: float | None = Field(description="On time of decided makes / 打样准时率")
    sla_breaches: int = Field(description="SLA clocks breached that were due then / 时限违规")


class Totals(BaseModel):
    """The whole range's figures / 整个期间的合计."""

    samples: int
    orders: int
    complaints: int
    orders_on_time: int
    orders_late: int
    orders_on_time_rate: float | None
    samples_on_time: int
    samples_late: int
    samples_on_time_rate: float | None
    sla_breaches: int


class Count(BaseModel):
    """A name and how many / 名称与数量."""

    name: str
    count: int


class Kpis(BaseModel):
    """The dashboard's key figures / 看板关键指标."""

    zone: str = Field(description="The company time zone days are counted in / 公司时区")
    from_: date = Field(alias="from", description="First day of the monthly figures and totals "
                                                  "/ 月度数据与合计的起始日")
    weeks_from: date = Field(description="First day of the weekly figures / 周数据起始日")
    to: date = Field(description="Last day counted / 截止日")
    as_of: str | None = Field(description="The moment the tables were read at, or null for now "
                                          "/ 截至时刻")
    totals: Totals
    weeks: list[PeriodFigures]
    months: list[PeriodFigures]
    complaints_per_customer: list[Count] = Field(description="R-C6 / 按客户")
    complaints_per_problem: list[Count] = Field(description="R-C6, by category / 按问题类别")
    sla_breaches_per_department: list[Count] = Field(description="Breaches due in the range, "
                                                                  "by responsible department "
                                                                  "/ 各部门时限违规")
    undated: dict[str, int] = Field(description="Rows without their entry time / 缺少日期的记录")


DayText = Annotated[date | None, Query(description="YYYY-MM-DD, company time zone / 日期")]


def add_routes(app: FastAPI) -> None:
    @app.get("/kpis", tags=["tables"], responses=ERROR_RESPONSES, response_model=Kpis,
             response_model_by_alias=True,
             summary="Key figures: per week and month, on-time rates, complaints per customer "
                     "and problem, SLA breaches per department / 关键指标")
    async def key_figures(request: Request, who: SignedIn, as_of: AsOfText = None,
                          first: Annotated[date | None, Query(
                              alias="from", description="First day (default: 12 weeks and 12 "
                              "months back) / 起始日（默认最近12周、12个月）")] = None,
                          to: DayText = None) -> dict[str, Any]:
        gateway = gateway_of(request)
        moment = local(gateway, as_of)
        query: dict[str, Any] = {"as_of": moment.isoformat()} if moment else {}
        async def asked(subject: str, body: dict[str, Any]) -> Any:
            return await ask(gateway, subject, body)

        paged = page_by_page(asked)  # a table larger than one NATS message, page by page
        answers = await asyncio.gather(*(paged(subject, query)
                                         for subject in (*SUBJECTS.values(), s.QUERY_SLA)))
        tables = dict(zip(SUBJECTS, answers[:3], strict=True))
        try:
            figures = kpis.kpis(tables, answers[3], zone=gateway.settings.zone(),
                                now=moment or gateway.now(), first=first, last=to)
        except kpis.RangeRefused as refused:
            raise ApiError.of("validation", f"{refused}", "日期范围不合法：起始日须不晚于截止日，"
                              f"且不超过 {kpis.MAX_DAYS} 天", field="from") from None
        return figures | {"as_of": moment.isoformat() if moment else None}
