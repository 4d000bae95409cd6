"""Which code runs for each component name (``salesflow service <name>``)."""
from __future__ import annotations

import importlib

from services.runtime.settings import Settings


async def run_component(name: str, settings: Settings) -> None:
    if name == "projections":
        from services.runtime.projection_service import serve as serve_projections

        await serve_projections(settings)
        return
    from services.runtime.service import serve

    spec = importlib.import_module(f"services.{name}.wiring").SPEC
    await serve(spec, settings)
