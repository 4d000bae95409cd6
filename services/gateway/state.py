"""What one running gateway holds: its NATS connection, the account directory, the sessions."""
from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from services.cli.client import Client
from services.gateway.accounts import Directory
from services.gateway.sessions import LoginThrottle, SessionKeeper
from services.runtime.settings import Settings

SECRET_FILE = "gateway.secret"


@dataclass
class Gateway:
    """The gateway's parts; it owns no domain state (accounts come from the sla service's events)."""

    settings: Settings
    directory: Directory
    sessions: SessionKeeper
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    nats: Client | None = None
    js: Any = None
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Command timeout: a service that does not answer within it is reported unavailable (503).
    command_timeout: float = 5.0
    query_timeout: float = 10.0
    metrics: Any = None
    feed: Any = None  # the DirectoryFeed following the accounts, when running

    def now(self) -> datetime:
        return self.clock()

    def directory_ready(self) -> bool:
        return self.feed is None or bool(self.feed.caught_up)

    def client(self) -> Client:
        if self.nats is None:
            from services.gateway.errors import ApiError

            raise ApiError.of("unavailable", "the gateway is not connected to NATS",
                              "网关未连接 NATS")
        return self.nats


def gateway_secret(settings: Settings) -> bytes:
    """``SALESFLOW_GATEWAY_SECRET`` (every copy behind one address needs the same), else one made
    once per data directory and kept in it (readable by its owner only)."""
    given = settings.gateway_secret
    if given:
        return given.encode()
    path = Path(settings.data_dir) / SECRET_FILE
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = base64.urlsafe_b64encode(secrets.token_bytes(48))
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(secret)
    return secret
