"""The gateway's composition root: one FastAPI application from the gateway's parts."""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from services.gateway import (
    command_routes,
    dashboard_routes,
    errors,
    export_routes,
    kpi_routes,
    ops_routes,
    query_routes,
    session_routes,
    user_routes,
)
from services.gateway.schemas import Components
from services.gateway.state import Gateway

DESCRIPTION = """\
One door for every command and query of salesflow (业务部流程系统).

Sign in with `POST /session` (browser: the session cookie, plus `X-CSRF-Token` on every
state-changing request) or send `Authorization: Bearer <API token>`. Every command acts as the
signed-in person, in one of their roles; `Idempotency-Key` makes a retried command take effect
once. Refusals are `ErrorBody` objects in English and Chinese that name the field or the
DOMAIN.md rule.
"""


def build_app(gateway: Gateway) -> FastAPI:
    app = FastAPI(title="salesflow gateway", version="1", description=DESCRIPTION,
                  docs_url="/docs", redoc_url=None)
    app.state.gateway = gateway
    errors.install(app)
    components = Components()
    session_routes.add_routes(app)
    user_routes.add_routes(app)
    command_routes.add_routes(app, components)
    query_routes.add_routes(app)
    ops_routes.add_routes(app)
    dashboard_routes.add_routes(app)
    export_routes.add_routes(app)
    kpi_routes.add_routes(app)
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = components.add_to(plain())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
