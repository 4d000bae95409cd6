"""Store backends for integration tests: SQLite files, or schemas on the local PostgreSQL."""
from __future__ import annotations

import pytest

from services.runtime.settings import Settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend_settings(request: pytest.FixtureRequest, settings: Settings) -> Settings:
    """The same settings, once with SQLite stores and once with PostgreSQL schemas."""
    if request.param == "sqlite":
        return settings
    url = request.getfixturevalue("pg_url")
    prefix = request.getfixturevalue("pg_schema_prefix")
    return settings.model_copy(update={"db_url": url, "db_schema_prefix": prefix})
