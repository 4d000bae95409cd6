"""``/health`` and ``/metrics``: is everything reachable, and how is it doing."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from services.gateway.auth import gateway_of


def add_routes(app: FastAPI) -> None:
    @app.get("/health", tags=["operations"], summary="Is the gateway connected and ready "
             "/ 健康检查")
    async def health(request: Request) -> JSONResponse:
        gateway = gateway_of(request)
        nats_ok = gateway.nats is not None and gateway.nats.nc.is_connected
        checks: dict[str, Any] = {"nats": nats_ok, "accounts": gateway.directory_ready()}
        ok = all(checks.values())
        return JSONResponse({"ok": ok, "checks": checks}, status_code=200 if ok else 503)

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics / 监控指标",
             response_class=Response,
             responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}})
    async def metrics(request: Request) -> Response:
        gateway = gateway_of(request)
        return Response(gateway.metrics.text(), media_type=CONTENT_TYPE_LATEST)
