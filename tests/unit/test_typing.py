"""The shared vocabulary stays fully typed (STYLE.md: mypy clean on events/ and contracts/)."""
from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def test_events_and_contracts_pass_mypy_strict() -> None:
    out, err, status = api.run(["--strict", "--no-incremental", "--no-error-summary",
                                str(ROOT / "events"), str(ROOT / "contracts")])
    assert status == 0, out + err
