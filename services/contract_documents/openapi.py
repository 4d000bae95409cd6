"""The gateway's OpenAPI document, as FastAPI serves it at /openapi.json."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from services.gateway.app import build_app
from services.gateway.server import make_gateway
from services.runtime.settings import Settings


def openapi_document() -> dict[str, Any]:
    # make_gateway keeps a session secret in the data directory: a throwaway one here.
    with tempfile.TemporaryDirectory(prefix="salesflow-openapi-") as data_dir:
        document: dict[str, Any] = build_app(make_gateway(Settings(data_dir=Path(data_dir)))).openapi()
    return document
