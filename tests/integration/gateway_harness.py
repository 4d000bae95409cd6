"""The gateway in this test's event loop, in front of real services on the fixture's nats-server.

Requests go through the real FastAPI application (httpx's ASGI transport); the gateway's NATS
connection, its account feed and the services are the real ones. People are added through the
gateway itself (``POST /users`` by the first admin, made as ``salesflow users add`` makes it) and
act with API tokens, which cost no password hashing per request.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import nats

from contracts.subjects import command_subject
from services.cli.client import Client
from services.gateway.accounts import DirectoryFeed, hash_password
from services.gateway.app import build_app
from services.gateway.server import make_gateway
from services.gateway.state import Gateway
from services.runtime.connect import server_list
from services.runtime.settings import Settings
from tests.integration.system import running, until

PASSWORD = "correct horse battery staple"
# The first admin's password hash, made once per test session (argon2 costs ~50 ms).
_ADMIN_HASH: list[str] = []


@dataclass
class Harness:
    """An HTTP client on the gateway, and who can act through it."""

    http: httpx.AsyncClient
    gateway: Gateway
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)

    def as_user(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    async def post(self, path: str, username: str, body: Any, **headers: str) -> httpx.Response:
        return await self.http.post(path, json=body, headers={**self.as_user(username),
                                                                **headers})

    async def get(self, path: str, username: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params, headers=self.as_user(username))

    async def person(self, username: str, *roles: str, department: str = "sales") -> str:
        """Add a person with these roles (as the admin) and give them a token."""
        added = await self.post("/users", "ada", {
            "username": username, "display_name": username.title(),
            "user_department": department, "roles": list(roles), "password": PASSWORD})
        assert added.status_code == 200, added.text
        issued = await self.post(f"/users/{username}/tokens", "ada", {"label": "tests"})
        assert issued.status_code == 201, issued.text
        self.tokens[username] = issued.json()["token"]
        return username

    def stored(self, component: str) -> int:
        """Events in one service's SQLite store, read from the file."""
        path = self.settings.store_env(component)["SQLITE_DBNAME"]
        if not Path(path).exists():
            return 0
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            return int(db.execute("SELECT COUNT(*) FROM stored_events").fetchone()[0])


async def first_admin(nc: Any, gateway: Gateway) -> str:
    """``salesflow users add ada --role admin``: the operator's command over NATS, then a token
    the admin issues for themself through the gateway's own code path."""
    if not _ADMIN_HASH:
        _ADMIN_HASH.append(hash_password(PASSWORD))
    body = {"actor": {"user": "root@cli", "role": "admin"}, "username": "ada",
            "display_name": "Ada", "user_department": "administration", "roles": ["admin"],
            "password_hash": _ADMIN_HASH[0], "command_id": str(uuid.uuid4())}
    msg = await nc.request(command_subject("sla", "add_user"), json.dumps(body).encode(),
                           timeout=10)
    reply = json.loads(msg.data)
    assert reply["ok"], reply
    await until(lambda: gateway.directory.person("ada") is not None, "the admin to reach the "
                "gateway's directory")
    return "ada"


@asynccontextmanager
async def gateway_on(settings: Settings, components: Sequence[str] = ("sla",),
                     clock: Any = None) -> AsyncIterator[Harness]:
    """Services ``components`` (``sla`` keeps the accounts) and a gateway in front of them."""
    async with running(settings, list(components)):
        gateway = make_gateway(settings)
        if clock is not None:
            gateway.clock = clock
        nc = await nats.connect(server_list(settings.nats_url or ""))
        gateway.nats, gateway.js = Client(nc), nc.jetstream()
        gateway.feed = DirectoryFeed(gateway.js, gateway.directory)
        await gateway.feed.start()
        try:
            # As a real server does: a bug is the 500 answer, not an exception in the client.
            transport = httpx.ASGITransport(app=build_app(gateway), raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
                harness = Harness(http, gateway, settings)
                await first_admin(nc, gateway)
                signed = await http.post("/session", json={"username": "ada",
                                                           "password": PASSWORD})
                assert signed.status_code == 200, signed.text
                csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
                issued = await http.post("/users/ada/tokens", json={"label": "tests"},
                                         headers=csrf)
                assert issued.status_code == 201, issued.text
                http.cookies.clear()
                harness.tokens["ada"] = issued.json()["token"]
                yield harness
        finally:
            await gateway.feed.stop()
            if not nc.is_closed:  # a fault test may have closed it
                await nc.drain()


def later(moment: datetime, **delta: float) -> Any:
    from datetime import timedelta

    return lambda: moment + timedelta(**delta)
