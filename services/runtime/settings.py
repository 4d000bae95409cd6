"""Settings from environment variables (prefix ``SALESFLOW_``, plus ``NATS_URL``)."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote, urlparse
from zoneinfo import ZoneInfo

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

NATS_ADDRESS_FILE = "nats.url"
# Every NATS user's password, written by ``salesflow up`` (services.runtime.nats_auth).
NATS_CREDENTIALS_FILE = "nats-credentials.json"


class Settings(BaseSettings):
    """Where the data lives, which database and which NATS server to use."""

    model_config = SettingsConfigDict(env_prefix="SALESFLOW_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Stores, NATS data, pid files")
    db_url: str | None = Field(
        default=None, description="postgresql://user:password@host:port/db; SQLite files when unset"
    )
    db_schema_prefix: str = Field(default="", description="Prefix of each component's PostgreSQL schema")
    nats_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("NATS_URL", "SALESFLOW_NATS_URL"),
        description="External NATS server; the embedded one is used when unset",
    )
    nats_user: str | None = Field(default=None, description="NATS user of this process "
                                  "(docker-compose: its component's; see docker/nats.conf)")
    nats_password: str | None = Field(default=None, repr=False, description="Password of nats_user")
    nats_credentials: Path | None = Field(
        default=None, description="JSON file of every NATS user's password, read by user name "
        "when nats_user is unset; by default the one `salesflow up` wrote in the data directory")
    nats_port: int = Field(default=0, description="Port of the embedded nats-server; 0 picks a free one")
    duplicate_window_hours: float = Field(default=7 * 24, description="JetStream dedupe window")
    stream_replicas: int = Field(default=1, ge=1, le=5, description="Replicas of each stream")
    max_deliver: int = Field(default=5, ge=1, description="Deliveries before a message is dead-lettered")
    ack_wait_seconds: float = Field(default=30.0, gt=0)
    relay_batch: int = Field(default=500, ge=1, le=1000,
                             description="Events per atomic batch (JetStream allows 1000)")
    fetch_batch: int = Field(default=500, ge=1)
    timezone: str = Field(default="Asia/Shanghai", description="Zone times are shown in")
    timer_grace_seconds: float = Field(
        default=5.0, ge=0, description="Timers fire this long after their time, so events "
        "that happened just before it have arrived")
    sla_hours: str = Field(
        default="", description="Allowance overrides of the SLA clocks in hours, comma-separated "
        "CLOCK=HOURS, by clock id or clock id and die difficulty, e.g. "
        "SLA-COMPLAINT-INTAKE=0.5,SLA-SAMPLE-MAKE.simple=12 (an 'until' clock: hours of notice)")
    clock_offset_seconds: float = Field(
        default=0.0, description="Tests and demos: the SLA service's clock runs this far ahead of "
        "the wall clock (its timers still fire at the matching real time)")
    timers: Literal["jetstream", "local"] = Field(
        default="jetstream", description="Who fires the timers (promises, SLA alerts, the 16:00 "
        "reports): JetStream message schedules (NATS 2.12+), or each service itself, rebuilt "
        "from its store when it becomes active (`local`, for a server without schedules)")
    command_retries: int = Field(default=3, ge=1, description="Reload-and-retry on a concurrent save")
    command_batch_size: int = Field(
        default=200, ge=1, le=5000, description="Group commit: at most this many commands that "
        "arrive together are decided one after another and written in one transaction (1: one "
        "transaction per command, as before). Commands arriving while a batch is written form "
        "the next one")
    command_batch_window_ms: float = Field(
        default=0.0, ge=0, le=1000, description="Group commit: wait this long for more commands "
        "before writing a batch that is not full. 0 (default) adds no wait: under load batches "
        "fill while the previous one is written; a few ms may save commits at moderate rates")
    command_concurrency: int = Field(
        default=400, ge=1, le=10000, description="Commands one service copy takes in at once "
        "(parsed, checked and waiting for their batch); more wait in NATS. Keep it above "
        "command_batch_size, or batches never fill")
    lease_ttl_seconds: float = Field(
        default=5.0, ge=1.0, le=300.0, description="A standby copy takes over this long after "
        "the active copy of a component died")

    smtp_host: str | None = Field(default=None, description="SMTP server the 16:00 pack is "
                                  "e-mailed through; unset: the pack is stored, not e-mailed")
    smtp_port: int = Field(default=587, ge=1, le=65535, description="Port of the SMTP server")
    smtp_user: str | None = Field(default=None, description="SMTP login (none: no login)")
    smtp_password: str | None = Field(default=None, repr=False, description="SMTP password")
    smtp_from: str = Field(default="salesflow@localhost", description="The pack's sender address")
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS "
                                "before logging in (off for a local relay without TLS)")
    smtp_timeout_seconds: float = Field(default=20.0, gt=0, le=300)

    gateway_host: str = Field(default="127.0.0.1", description="Address the HTTP gateway "
                              "listens on (0.0.0.0: every interface)")
    gateway_port: int = Field(default=8000, ge=0, le=65535, description="Port of the HTTP gateway "
                              "(0 picks a free one)")
    gateway_secret: str | None = Field(
        default=None, min_length=32, description="Signs the session cookies; every copy of the "
        "gateway behind one address needs the same. Default: made once in the data directory")
    session_hours: float = Field(default=12.0, gt=0, le=24 * 30,
                                 description="How long a browser session lasts")
    secure_cookies: bool = Field(default=False, description="Mark the session cookie Secure "
                                 "(set it when the gateway is reached over HTTPS)")

    def sla_hour_overrides(self) -> dict[str, float]:
        """``sla_hours`` as {clock id: hours}; a malformed entry is refused by name."""
        found: dict[str, float] = {}
        for item in (part.strip() for part in self.sla_hours.split(",")):
            if not item:
                continue
            name, sep, hours = item.partition("=")
            try:
                value = float(hours) if sep and name.strip() else -1.0
            except ValueError:
                value = -1.0
            if not 0 <= value <= 24 * 366:
                raise ValueError(f"SALESFLOW_SLA_HOURS: {item!r} is not CLOCK=HOURS "
                                 "(e.g. SLA-COMPLAINT-INTAKE=0.5)")
            found[name.strip()] = value
        return found

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def resolved_nats_url(self) -> str | None:
        """``NATS_URL`` if set, else the address ``salesflow up`` recorded in the data directory."""
        if self.nats_url:
            return self.nats_url
        recorded = self.data_dir / NATS_ADDRESS_FILE
        if recorded.exists():
            return recorded.read_text().strip() or None
        return None

    def nats_login(self, user: str) -> tuple[str, str] | None:
        """(user, password) to connect with: ``SALESFLOW_NATS_USER`` and ``_PASSWORD`` when set,
        else ``user``'s entry in the credentials file; None when there is neither.

        A server without users ignores the credentials, so a file left by an earlier run of
        the embedded server does no harm when ``NATS_URL`` names another server."""
        if self.nats_user:
            return self.nats_user, self.nats_password or ""
        path = self.nats_credentials or self.data_dir / NATS_CREDENTIALS_FILE
        if not path.exists():
            return None
        password = json.loads(path.read_text(encoding="utf-8")).get(user)
        return (user, str(password)) if password else None

    def database_url(self) -> str | None:
        """``SALESFLOW_DB_URL``, else one built from eventsourcing's own ``POSTGRES_*`` variables."""
        if self.db_url:
            return self.db_url
        env = os.environ
        if "POSTGRES_DBNAME" not in env and not env.get("PERSISTENCE_MODULE", "").endswith("postgres"):
            return None
        user = quote(env.get("POSTGRES_USER", "postgres"))
        password = quote(env.get("POSTGRES_PASSWORD", ""))
        auth = f"{user}:{password}@" if password else f"{user}@"
        return (f"postgresql://{auth}{env.get('POSTGRES_HOST', '127.0.0.1')}:"
                f"{env.get('POSTGRES_PORT', '5432')}/{env.get('POSTGRES_DBNAME', 'salesflow')}")

    def store_env(self, component: str) -> dict[str, str]:
        """eventsourcing environment for one component's own store (file or schema)."""
        db_url = self.database_url()
        if not db_url:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str((self.data_dir / f"{component}.sqlite").resolve()),
                "SQLITE_LOCK_TIMEOUT": "10",
            }
        url = urlparse(db_url)
        if url.scheme not in ("postgres", "postgresql"):
            raise ValueError(f"SALESFLOW_DB_URL must be a postgresql:// URL, not {url.scheme}://")
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/") or "salesflow",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_SCHEMA": f"{self.db_schema_prefix}{component}",
        }
        _create_schema(db_url, env["POSTGRES_SCHEMA"])
        return env


def _create_schema(url: str, schema: str) -> None:
    """eventsourcing creates tables, not schemas: make the component's schema first."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
