"""contracts/asyncapi.json passes the official AsyncAPI parser (@asyncapi/parser, run by node).

The parser is pinned in tests/asyncapi/package.json + package-lock.json and installed into
tests/asyncapi/node_modules (gitignored) by .ci/run, or by this test when npm is at hand.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from services.contract_documents import CONTRACTS

HERE = Path(__file__).resolve().parents[1] / "asyncapi"
PARSER = HERE / "node_modules" / "@asyncapi" / "parser" / "package.json"


@pytest.fixture(scope="module")
def node() -> str:
    """node, with the pinned parser installed next to the validation script."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not on PATH: the AsyncAPI document is checked with @asyncapi/parser, "
                    "a Node.js package (install Node.js 18+ to run this check)")
    if not PARSER.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("@asyncapi/parser is not installed and npm is missing: install npm, "
                        "then run `npm ci --ignore-scripts --prefix tests/asyncapi`")
        # --ignore-scripts: the parser needs no install step (one dependency's is telemetry).
        done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
                              check=False, cwd=HERE, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, f"npm ci in {HERE} failed:\n{done.stdout}\n{done.stderr}"
    return found


def validate(node: str, path: Path) -> tuple[int, dict[str, Any]]:
    done = subprocess.run([node, str(HERE / "validate.mjs"), str(path)], check=False,
                          capture_output=True, text=True, timeout=120)
    assert done.stdout.strip(), f"validate.mjs printed nothing:\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return done.returncode, result


def test_the_asyncapi_document_passes_the_official_parser_without_errors_or_warnings(
        node: str) -> None:
    path = CONTRACTS / "asyncapi.json"
    code, result = validate(node, path)
    assert (code, result["errors"], result["warnings"]) == (0, [], [])
    document = json.loads(path.read_text(encoding="utf-8"))
    assert result["version"] == "3.0.0"
    assert result["channels"] == len(document["channels"])
    assert result["operations"] == len(document["operations"])


def test_the_parser_refuses_an_operation_whose_message_is_not_on_its_channel(
        node: str, tmp_path: Path) -> None:
    """The check is real: a document that the parser must refuse is refused, by rule name."""
    wrong = {
        "asyncapi": "3.0.0", "info": {"title": "wrong", "version": "1"},
        "channels": {
            "a": {"address": "salesflow.a", "messages": {"A": {"payload": {"type": "object"}}}},
            "b": {"address": "salesflow.b", "messages": {"B": {"payload": {"type": "object"}}}}},
        "operations": {"a.send": {"action": "send", "channel": {"$ref": "#/channels/a"},
                                  "messages": [{"$ref": "#/channels/b/messages/B"}]}},
    }
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(wrong))
    code, result = validate(node, path)
    assert code == 1
    assert [e["code"] for e in result["errors"]] == [
        "asyncapi3-operation-messages-from-referred-channel"]
