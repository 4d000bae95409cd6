"""Fixtures of the unit tests."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from projections.store import ViewStore

# A read-model store that lives as long as one test.
MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}


@pytest.fixture
def store() -> Iterator[ViewStore]:
    views = ViewStore(MEMORY)
    yield views
    views.close()
