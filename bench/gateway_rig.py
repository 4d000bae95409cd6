"""The gateway benchmark's system: nats-server, the sla and sales services and the gateway as
child processes (as ``salesflow up`` starts them), and the one person who sends the commands."""
from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from nats.aio.client import Client as Nats

from bench import latency
from contracts.subjects import command_subject, status_subject
from services.gateway.accounts import hash_password, new_token
from services.gateway.server import ADDRESS_FILE

PROCESSES = ("sla", "sales", "gateway")
USER = "bench"
ROLE = "sales_assistant"
OPERATOR = {"user": "bench@cli", "role": "admin"}


class System(latency.System):
    """nats-server, the sla and sales services and the gateway, as child processes."""

    def __init__(self, data: Path) -> None:
        # The gateway picks a free port and writes its address into the data directory.
        super().__init__(data, PROCESSES, {"SALESFLOW_GATEWAY_PORT": "0"})

    async def ready(self, nc: Nats, timeout: float = 60.0) -> str:
        """The gateway's address, once the services answer and the gateway listens."""
        deadline = time.monotonic() + timeout
        address = self.data / ADDRESS_FILE
        for name in PROCESSES:
            while True:
                self._alive(name)
                try:
                    if name == "gateway":
                        if address.exists():
                            return address.read_text().strip()
                    else:
                        await nc.request(status_subject(name), b"", timeout=0.5)
                        break
                except Exception:  # noqa: BLE001, S110 - not answering yet
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{name} did not get ready within {timeout:.0f} s")
                await asyncio.sleep(0.1)
        raise AssertionError("unreachable")

    def _alive(self, name: str) -> None:
        process = self.children[name]
        if process.poll() is not None:
            tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")



async def operator(nc: Nats, command: str, payload: dict[str, object]) -> None:
    """An account command as ``salesflow users`` sends it."""
    data = {"actor": OPERATOR, "username": USER, "command_id": str(uuid.uuid4()), **payload}
    reply = json.loads((await nc.request(command_subject("sla", command),
                                         json.dumps(data).encode(), timeout=10)).data)
    if not reply.get("ok"):
        raise RuntimeError(f"{command} refused: {reply.get('error')}")


async def person_with_token(nc: Nats, http: httpx.AsyncClient) -> str:
    """Add the bench's person and a token; wait until the gateway accepts the token."""
    await operator(nc, "add_user", {"display_name": "Bench", "user_department": "sales",
                                    "roles": [ROLE], "password_hash": hash_password(uuid.uuid4().hex)})
    text, token_id, token_hash = new_token()
    expires = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await operator(nc, "issue_api_token", {"token_id": token_id, "token_hash": token_hash,
                                           "label": "bench", "expires_at": expires})
    deadline = time.monotonic() + 10
    while (await http.get("/session", headers={"Authorization": f"Bearer {text}"})
           ).status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError("the gateway did not accept the bench's token within 10 s")
        await asyncio.sleep(0.05)
    return text
