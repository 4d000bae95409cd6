"""The dashboard in the browser: its static page at ``/`` and ``/static/...``, and the live feed
``GET /events/stream`` (server-sent events) that tells every open page when something changed."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from contracts.commands import ALL
from contracts.permissions import allowed_roles, rule_of
from contracts.queries import COMPLAINT_SORTS, ORDER_SORTS, SAMPLE_SORTS
from events.envelope import Role
from services.cli.complaints import COMPLAINT_COLUMNS
from services.cli.orders import ORDER_COLUMNS
from services.cli.sla import SLA_COLUMNS
from services.cli.tables import HISTORY_COLUMNS, SAMPLE_COLUMNS
from services.gateway.auth import SignedIn, gateway_of
from services.gateway.command_routes import SERVED_ELSEWHERE
from services.gateway.errors import ERROR_RESPONSES, ApiError
from services.gateway.live import LiveFeed
from services.reports.exports import FIGURES

STATIC = Path(__file__).with_name("dashboard")
KEEPALIVE_SECONDS = 15.0  # a comment line now and then: proxies close silent connections
# Same origin only, no inline script: a stored value shown on the page cannot run as code.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


# The terminal's columns (services.cli) are the page's: one definition of each table.
TABLES = {"samples": SAMPLE_COLUMNS, "orders": ORDER_COLUMNS, "complaints": COMPLAINT_COLUMNS,
          "sla": SLA_COLUMNS, "history": HISTORY_COLUMNS}


# The columns the projections sort a summary table by (the query's ``sort``), by table; a cell
# worked out of another column is sorted by that column.
SORTS = {"samples": SAMPLE_SORTS, "orders": ORDER_SORTS, "complaints": COMPLAINT_SORTS}
SORTED_AS = {"product": "products"}


def columns() -> dict[str, list[dict[str, str]]]:
    """Each table's columns: key, English and Chinese label ("PMC reply PMC回复"), and for the
    summary tables the ``sort`` the projections sort that column by, where they can."""
    def split(label: str) -> dict[str, str]:
        en, _, zh = label.rpartition(" ")
        return {"en": en or zh, "zh": zh}

    def sort(table: str, key: str) -> dict[str, str]:
        name = SORTED_AS.get(key, key) if table == "orders" else key
        return {"sort": name} if name in SORTS.get(table, ()) else {}
    return {table: [{"key": key, **split(label), **sort(table, key)} for key, label in cols]
            for table, cols in TABLES.items()}


class CommandOffer(BaseModel):
    """A command the signed-in person may give, for the dashboard's forms."""

    department: str
    command: str
    path: str = Field(description="Where to POST it / 提交地址")
    schema_name: str = Field(alias="schema", description="Its request body under "
                             "components.schemas of /openapi.json / 请求体的模式名")
    summary: str
    rule: str | None = Field(description="The DOMAIN.md rule that says who / 规定角色的规则")
    roles: list[Role] = Field(description="The person's roles that may give it (send one as "
                                          "Salesflow-Role) / 可用于执行的角色")


def commands_for(roles: list[Role]) -> list[CommandOffer]:
    """The commands these roles allow: where to POST each, its request body's schema in the
    OpenAPI document, the rule that says who, and which of the roles may give it."""
    offered: list[CommandOffer] = []
    for department, commands in ALL.items():
        for name, cls in commands.items():
            if department == "sla" and name in SERVED_ELSEWHERE:
                continue  # the account commands are /users' (a password, a token)
            mine = [r for r in roles if r in allowed_roles(department, name)]
            if mine:
                offered.append(CommandOffer(
                    department=department, command=name, path=f"/commands/{department}/{name}",
                    schema=f"{cls.__name__}Request", rule=rule_of(department, name), roles=mine,
                    summary=(cls.__doc__ or name).strip().splitlines()[0]))
    return offered


def live_feed(request: Request) -> LiveFeed:
    """The gateway's one live feed, made the first time a page asks for it."""
    state = request.app.state
    feed: LiveFeed | None = getattr(state, "live_feed", None)
    if feed is None:
        js = gateway_of(request).js
        if js is None:
            raise ApiError.of("unavailable", "the gateway is not connected to NATS",
                              "网关未连接 NATS")
        feed = state.live_feed = LiveFeed(js)
    return feed


async def stop_live(app: FastAPI) -> None:
    """Stop the live feed, if a page started it, and end the pages' streams."""
    feed: LiveFeed | None = getattr(app.state, "live_feed", None)
    if feed is not None:
        await feed.stop()


def add_routes(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8",
                            headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"})

    @app.get("/dashboard/columns", tags=["dashboard"],
             summary="The summary tables' columns and labels / 汇总表的列")
    async def table_columns() -> dict[str, list[dict[str, str]]]:
        return columns()

    @app.get("/dashboard/figures", tags=["dashboard"],
             summary="Labels of the month analyses' figures, by key / 月度分析各项的名称")
    async def figure_labels() -> dict[str, dict[str, str]]:
        return {key: {"en": en, "zh": zh} for key, (en, zh) in FIGURES.items()}

    @app.get("/dashboard/commands", tags=["dashboard"], responses=ERROR_RESPONSES,
             summary="The commands the signed-in person's roles allow, with the name of each "
                     "one's request schema under components.schemas / 当前用户可执行的命令")
    async def my_commands(who: SignedIn) -> list[CommandOffer]:
        return commands_for(list(who.person.roles))

    @app.get("/events/stream", tags=["dashboard"], responses={
        **ERROR_RESPONSES, 200: {"content": {"text/event-stream": {}},
                                 "description": "One `data:` line of JSON per event: "
                                                "{type, record, department, at}"}},
        summary="Live notices of new events, as server-sent events / 实时事件通知",
        response_class=StreamingResponse)
    async def events(request: Request, who: SignedIn) -> StreamingResponse:
        feed = live_feed(request)
        queue = feed.subscribe()
        return StreamingResponse(_stream(request, feed, queue), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache",
                                          "X-Accel-Buffering": "no"})


async def _stream(request: Request, feed: LiveFeed,
                  queue: asyncio.Queue[dict[str, object]]) -> AsyncIterator[str]:
    try:
        # The browser reconnects a second after a lost connection; say hello so a page knows
        # the feed is open (its "live" mark) before the first event comes.
        yield "retry: 1000\nevent: hello\ndata: {}\n\n"
        while True:
            try:
                notice = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                if await request.is_disconnected():
                    return
                yield ": keepalive\n\n"
                continue
            if not notice:  # the gateway is stopping
                return
            yield f"data: {json.dumps(notice, ensure_ascii=False)}\n\n"
    finally:
        feed.unsubscribe(queue)
