"""``/health`` and ``/metrics``: is everything reachable, and how is it doing.

Neither asks for a sign-in: a load balancer probes ``/health`` and Prometheus scrapes
``/metrics``. ``/health`` shows reachability and lag only; ``/metrics`` shows counts, no content
(the gateway binds to 127.0.0.1 by default; put it behind the proxy's access rules otherwise).
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from services.gateway.auth import gateway_of
from services.gateway.health import snapshot

HEALTH_EXAMPLE: dict[str, Any] = {
    "ok": False, "failing": ["engineering"],
    "checks": {"nats": True, "accounts": True,
               "components": {"sales": {"ok": True, "role": "active", "relay_backlog": 0,
                                        "relay_failing": False},
                              "engineering": {"ok": False}},
               "consumer_lag": {"engineering-from-sales": 3, "projections-from-sales": 0}},
}


def add_routes(app: FastAPI) -> None:
    @app.get("/health", tags=["operations"],
             summary="Is NATS connected, are the accounts read, does every component answer, "
                     "how far behind is each consumer / 健康检查",
             description="200 when every part answers, 503 naming the parts that do not "
                         "(`failing`). Consumer lag is shown, not judged. No sign-in needed.",
             responses={200: {"content": {"application/json": {"example": HEALTH_EXAMPLE}}},
                        503: {"description": "A part is down; `failing` names it / 有组件不可用",
                              "content": {"application/json": {"example": HEALTH_EXAMPLE}}}})
    async def health(request: Request) -> JSONResponse:
        found = await snapshot(gateway_of(request), full=False)
        body = found.health()
        return JSONResponse(body, status_code=200 if body["ok"] else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics / 监控指标",
             description="Commands by outcome and latency, components up, consumer lag, relay "
                         "backlog, dead letters, SLA breaches. No sign-in needed.",
             response_class=Response,
             responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
    async def metrics(request: Request) -> Response:
        gateway = gateway_of(request)
        found = await snapshot(gateway)
        return Response(gateway.metrics.text(found), media_type=CONTENT_TYPE_LATEST)
