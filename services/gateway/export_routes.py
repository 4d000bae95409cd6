"""GET endpoints for the Excel files (issue 11): the three summary tables as ``.xlsx`` (now or
``as_of``, a month with its analysis and notes) and the daily, weekly and monthly packs (R-S5,
R-O5, R-C5, R-M1, R-M2) as ``.xlsx``, a page to print (``.html``) and ``.pdf``, for signed-in
users."""
from __future__ import annotations

import os
from datetime import date, datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import FastAPI, Path, Query, Request
from fastapi.responses import Response

from contracts.calendar import WorkingCalendar
from services.gateway.auth import SignedIn, gateway_of
from services.gateway.errors import ERROR_RESPONSES, ApiError
from services.gateway.query_routes import ask
from services.gateway.state import Gateway
from services.reports import exports, pack_data, packs, pdf, printable
from services.reports.workbook import to_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TableName = Literal["samples", "orders", "complaints"]
MonthText = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$",
                                        description="Only this month, with its month-end analysis "
                                                    "and notes (YYYY-MM) / 月份")]
AsOfText = Annotated[datetime | None, Query(description="The table as it stood at this moment; "
                                                        "company time zone unless an offset is "
                                                        "given / 截至该时刻")]
LangText = Annotated[Literal["zh", "en"], Query(description="Header language / 表头语言")]


def disposition(how: str, filename: str) -> dict[str, str]:
    """``Content-Disposition``: ``attachment`` (save) or ``inline`` (show), named ``filename``."""
    return {"Content-Disposition": f"{how}; filename*=UTF-8''{quote(filename)}"}


def xlsx(data: bytes, filename: str) -> Response:
    """An Excel file the browser saves under ``filename``."""
    return Response(content=data, media_type=XLSX, headers=disposition("attachment", filename))


def local(gateway: Gateway, moment: datetime | None) -> datetime | None:
    """A moment given without an offset is the company's wall-clock time, as in the CLI."""
    if moment is None or moment.utcoffset() is not None:
        return moment
    return moment.replace(tzinfo=gateway.settings.zone())


def add_routes(app: FastAPI) -> None:
    @app.get("/exports/{table}.xlsx", tags=["exports"], responses=ERROR_RESPONSES,
             response_class=Response, name="exports.table",
             summary="A summary table as an Excel file / 汇总表 Excel 导出")
    async def export_table(request: Request, who: SignedIn,
                           table: Annotated[TableName, Path(description="samples, orders or "
                                                                        "complaints / 表")],
                           month: MonthText = None, as_of: AsOfText = None,
                           lang: LangText = "zh") -> Response:
        gateway = gateway_of(request)
        zone = gateway.settings.zone()
        moment = local(gateway, as_of)
        asked = exports.page_by_page(lambda subject, query: ask(gateway, subject, query))
        book = await exports.export(asked, table, zone=zone, now=gateway.now(), lang=lang,
                                    month=month, as_of=moment)
        return xlsx(to_bytes(book), exports.file_name(table, month, moment, zone))

    _pack_route(app, "daily", r"^\d{4}-\d{2}-\d{2}$", "YYYY-MM-DD",
                "The daily 16:00 pack: the three tables as of 16:00 / 16:00 日报")
    _pack_route(app, "weekly", r"^\d{4}-W\d{2}$", "YYYY-Www",
                "The weekly meeting pack (R-M1) / 周例会资料")
    _pack_route(app, "monthly", r"^\d{4}-\d{2}$", "YYYY-MM",
                "The monthly meeting pack (R-M2) / 月度会议资料")


PACK_FORMATS = ("xlsx", "html", "pdf")
# The printable page runs nothing and loads nothing: its CSS and charts are inline.
PAGE_HEADERS = {"Content-Security-Policy": printable.POLICY, "X-Content-Type-Options": "nosniff"}


def _pack_route(app: FastAPI, kind: str, pattern: str, written: str, title: str) -> None:
    for extension in PACK_FORMATS:
        _pack_format_route(app, kind, extension, pattern, written, title)


def _pack_format_route(app: FastAPI, kind: str, extension: str, pattern: str, written: str,
                       title: str) -> None:
    async def handle(request: Request, who: SignedIn, period: str,
                     lang: LangText = "zh") -> Response:
        gateway = gateway_of(request)
        try:
            if kind == "daily":
                date.fromisoformat(period)
            data = await pack_data.gather(
                exports.page_by_page(lambda subject, query: ask(gateway, subject, query)),
                kind, period, calendar_of(gateway), gateway.now())
        except ValueError as error:  # a week or day that does not exist, e.g. 2025-W53
            raise ApiError.of("validation", f"{period!r} is not a {written} period",
                              f"{period!r} 不是有效的 {written}", field="period") from error
        name = packs.pack_name(kind, period, extension)
        if extension == "xlsx":
            return xlsx(to_bytes(packs.workbook(data, lang)), name)
        page = printable.page(data, lang)
        if extension == "html":
            return Response(content=page, media_type="text/html; charset=utf-8",
                            headers={**PAGE_HEADERS, **disposition("inline", name)})
        try:
            document = await pdf.html_to_pdf(page)
        except pdf.PdfUnavailable as error:
            raise ApiError.of("unavailable", error.en, error.zh) from error
        return Response(content=document, media_type="application/pdf",
                        headers=disposition("inline", name))

    # The pattern is this route's own: annotations naming closure variables are not resolved
    # under postponed evaluation, so the annotation is set as an object.
    handle.__annotations__["period"] = Annotated[str, Path(pattern=pattern, description=written)]
    what = {"xlsx": "Excel file", "html": "page to print (HTML, A4, charts)",
            "pdf": "PDF (printed by headless Chromium; 503 without it)"}[extension]
    what_zh = {"xlsx": "Excel 文件", "html": "打印页面（HTML）", "pdf": "PDF 文件"}[extension]
    app.add_api_route(f"/packs/{kind}/{{period}}.{extension}", handle, methods=["GET"],
                      summary=f"{title}: {what} / {what_zh}", tags=["packs"],
                      responses=ERROR_RESPONSES, response_class=Response,
                      name=f"packs.{kind}" if extension == "xlsx" else f"packs.{kind}.{extension}")


def calendar_of(gateway: Gateway) -> WorkingCalendar:
    """The environment's calendar; the company's entries are added from the calendar query."""
    return WorkingCalendar.from_env(os.environ)
