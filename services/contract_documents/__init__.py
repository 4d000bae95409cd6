"""The documents other teams read, written to contracts/ from the code: the gateway's OpenAPI
and the AsyncAPI of every NATS subject. ``python -m services.contract_documents write`` writes
them; ``check`` (and tests/unit/test_contract_documents.py) fails when a committed one drifted."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
REGENERATE = "python -m services.contract_documents write"


def _openapi() -> dict[str, Any]:
    from services.contract_documents.openapi import openapi_document

    return openapi_document()


def _asyncapi() -> dict[str, Any]:
    from services.contract_documents.asyncapi import asyncapi_document

    return asyncapi_document()


# File name in contracts/ -> what builds it.
DOCUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "openapi.json": _openapi,
    "asyncapi.json": _asyncapi,
}


def render(document: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, two-space indent, UTF-8 as written, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(folder: Path = CONTRACTS) -> list[Path]:
    written = []
    for name, build in DOCUMENTS.items():
        path = folder / name
        path.write_text(render(build()), encoding="utf-8")
        written.append(path)
    return written


def drifted(folder: Path = CONTRACTS) -> list[str]:
    """One sentence per document that is missing or differs from what the code makes now."""
    found = []
    for name, build in DOCUMENTS.items():
        path = folder / name
        if not path.exists():
            found.append(f"{path} is missing / 文件不存在")
        elif path.read_text(encoding="utf-8") != render(build()):
            found.append(f"{path} differs from the code / 与代码不一致")
    return found
