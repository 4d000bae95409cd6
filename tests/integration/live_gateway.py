"""The whole system (every service, the projections and the gateway's real HTTP server) running
in a background thread's event loop, for clients that are synchronous (schemathesis)."""
from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats

from contracts.subjects import COMPONENTS, command_subject
from events.envelope import Role
from services.gateway.accounts import hash_password
from services.gateway.server import ADDRESS_FILE, serve
from services.runtime.settings import Settings
from tests.integration.system import running, until

PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Live:
    url: str
    token: str  # of a person holding every role: each command passes the role check


@contextmanager
def live_gateway(settings: Settings) -> Iterator[Live]:
    settings = settings.model_copy(update={"gateway_port": 0})
    loop = asyncio.new_event_loop()
    started: list[Live] = []
    failed: list[BaseException] = []
    stop = asyncio.Event()
    ready = threading.Event()

    async def main() -> None:
        try:
            async with running(settings, list(COMPONENTS)):
                server = asyncio.create_task(serve(settings, stop.wait))
                address = Path(settings.data_dir, ADDRESS_FILE)
                await until(lambda: address.exists() or server.done(), "the gateway to listen")
                if server.done():
                    server.result()
                url = address.read_text().strip()
                started.append(Live(url, await everyone(settings, url)))
                ready.set()
                await server
        except BaseException as error:  # noqa: BLE001 - reported to the test's thread
            failed.append(error)
            ready.set()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    ready.wait(120)
    try:
        if failed:
            raise failed[0]
        yield started[0]
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(60)
    if failed:
        raise failed[0]


async def everyone(settings: Settings, url: str) -> str:
    """The first admin (over NATS, as `salesflow users add` does), then a person with every role
    and a token for them (over HTTP)."""
    nc = await nats.connect(settings.nats_url or "")
    try:
        body = {"actor": {"user": "root@cli", "role": "admin"}, "username": "ada",
                "display_name": "Ada", "user_department": "administration", "roles": ["admin"],
                "password_hash": hash_password(PASSWORD), "command_id": str(uuid.uuid4())}
        msg = await nc.request(command_subject("sla", "add_user"), json.dumps(body).encode(),
                               timeout=10)
        assert json.loads(msg.data)["ok"], msg.data
    finally:
        await nc.drain()
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:
        async def signed_in() -> bool:
            answer = await http.post("/session", json={"username": "ada", "password": PASSWORD})
            return answer.status_code == 200

        await until(signed_in, "the admin to sign in")
        csrf = {"X-CSRF-Token": (await http.get("/session")).json()["csrf_token"]}
        roles = [r.value for r in Role if r is not Role.SYSTEM]
        added = await http.post("/users", headers=csrf, json={
            "username": "omni", "display_name": "Every Role", "user_department": "sales",
            "roles": roles, "password": PASSWORD})
        assert added.status_code == 200, added.text
        issued = await http.post("/users/omni/tokens", headers=csrf, json={"label": "fuzz"})
        assert issued.status_code == 201, issued.text
        return str(issued.json()["token"])
