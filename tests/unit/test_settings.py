"""Settings come from the environment; the store is SQLite unless PostgreSQL is configured."""
from __future__ import annotations

from pathlib import Path

import pytest

from services.runtime.settings import Settings


def test_sqlite_files_under_the_data_directory_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SALESFLOW_DB_URL", "POSTGRES_DBNAME", "PERSISTENCE_MODULE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SALESFLOW_DATA_DIR", str(tmp_path / "d"))
    env = Settings().store_env("sales")
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str((tmp_path / "d" / "sales.sqlite").resolve())


def test_the_libraries_postgres_variables_are_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SALESFLOW_DB_URL", raising=False)
    monkeypatch.setenv("PERSISTENCE_MODULE", "eventsourcing.postgres")
    monkeypatch.setenv("POSTGRES_DBNAME", "erp")
    monkeypatch.setenv("POSTGRES_HOST", "db.local")
    monkeypatch.setenv("POSTGRES_USER", "sf")
    monkeypatch.setenv("POSTGRES_PASSWORD", "p@ss")
    assert Settings().database_url() == "postgresql://sf:p%40ss@db.local:5432/erp"


def test_nats_url_wins_over_the_address_recorded_by_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "nats.url").write_text("nats://127.0.0.1:4999\n")
    monkeypatch.delenv("NATS_URL", raising=False)
    assert Settings(data_dir=tmp_path).resolved_nats_url() == "nats://127.0.0.1:4999"
    monkeypatch.setenv("NATS_URL", "nats://elsewhere:4222")
    assert Settings(data_dir=tmp_path).resolved_nats_url() == "nats://elsewhere:4222"


def test_only_postgresql_urls_are_accepted_for_the_database(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="postgresql://"):
        Settings(data_dir=tmp_path, db_url="mysql://x@y/z").store_env("sales")
