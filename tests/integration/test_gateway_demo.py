"""The whole demo (12 samples, 7 orders, 5 complaints, the late records, the month notes)
through the gateway (issue 10): each person of the demo signs in as themself, every command goes
over HTTP in the role the demo names, and every one the demo expects to succeed does."""
from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from contracts.replies import CommandReply, ErrorBody
from contracts.subjects import COMPONENTS
from services.cli import demo
from services.cli.client import Client
from services.cli.demo_customers import PEOPLE
from services.runtime.settings import Settings
from tests.integration.gateway_harness import Harness, gateway_on


class OverHttp(Client):
    """The CLI client's shape, with commands sent through the gateway as their actor."""

    def __init__(self, harness: Harness) -> None:
        super().__init__(harness.gateway.client().nc)  # queries still go over NATS
        self.h = harness
        self.sent: Counter[tuple[str, str, int]] = Counter()

    async def command(self, department: str, name: str, payload: dict[str, Any],
                      timeout: float = 5.0) -> CommandReply:
        body = dict(payload)
        actor = body.pop("actor")
        headers = {**self.h.as_user(actor["user"]), "Salesflow-Role": actor["role"]}
        if key := body.pop("command_id", None):
            headers["Idempotency-Key"] = key
        answer = await self.h.http.post(f"/commands/{department}/{name}", json=body,
                                        headers=headers)
        self.sent[(department, name, answer.status_code)] += 1
        if answer.status_code == 200:
            return CommandReply.model_validate(answer.json())
        return CommandReply.refused(ErrorBody.model_validate(answer.json()))


async def test_the_demo_runs_through_the_gateway_as_its_people(settings: Settings) -> None:
    transport_timeout = httpx.Timeout(30.0)
    async with gateway_on(settings, list(COMPONENTS)) as h:
        h.http.timeout = transport_timeout
        roles: dict[str, set[str]] = {}
        for user, role in PEOPLE.values():
            roles.setdefault(user, set()).add(role)
        for user, held in roles.items():
            await h.person(user, *sorted(held))
        client = OverHttp(h)
        numbers = await demo.run(client, 12, "G", out=lambda *_: None)
        assert len(numbers) == 12
        used = {(d, n) for d, n, _ in client.sent}
        ok = {(d, n) for d, n, status in client.sent if status == 200}
        assert used == ok, f"refused for good: {sorted(used - ok)}"
        print(f"{len(ok)} commands, {sum(client.sent.values())} requests: "
              f"{dict(Counter(status for *_, status in client.sent.elements()))}")
        assert len(ok) >= 60, sorted(ok)
        assert not any(status == 403 for _, _, status in client.sent), client.sent
