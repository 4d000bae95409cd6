"""The system as a user runs it, in a private data directory, checked for leftovers after."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.cli import System


@pytest.fixture
def system(tmp_path: Path) -> Iterator[System]:
    running = System(tmp_path / "data")
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()
    assert not running.leftovers(), "processes outlived `salesflow up`"
