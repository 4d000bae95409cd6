"""Which code runs for each component name (``salesflow service <name>``)."""
from __future__ import annotations

import importlib

from services.runtime.lifecycle import report_ready, until_signalled
from services.runtime.settings import Settings


async def ready_until_signalled() -> None:
    """What a component awaits once it answers: say so to ``salesflow up``, then wait for a stop."""
    report_ready()
    await until_signalled()


async def run_component(name: str, settings: Settings) -> None:
    # `serve(..., stopped=...)` awaits `stopped` once the component is ready (subscribers started).
    if name == "projections":
        from services.runtime.projection_service import serve as serve_projections

        await serve_projections(settings, stopped=ready_until_signalled)
        return
    if name == "gateway":
        from services.gateway.server import serve as serve_gateway

        await serve_gateway(settings, stopped=ready_until_signalled)
        return
    from services.runtime.service import serve

    spec = importlib.import_module(f"services.{name}.wiring").SPEC
    await serve(spec, settings, stopped=ready_until_signalled)
