"""A body larger than NATS takes (16 MB) is refused while it streams in (issue 10: every input
has a bound), with or without a Content-Length, and nothing is stored."""
from __future__ import annotations

from collections.abc import AsyncIterator

from services.gateway.command_routes import MAX_BODY_BYTES
from services.runtime.settings import Settings
from tests.integration.gateway_harness import gateway_on


async def megabytes(count: int) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b" " * (1024 * 1024)


async def test_an_oversized_body_is_refused_as_413_naming_the_body(settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        headers = {**h.as_user("amy"), "Content-Type": "application/json"}
        chunked = await h.http.post("/commands/sales/request_sample", headers=headers,
                                    content=megabytes(MAX_BODY_BYTES // (1024 * 1024) + 1))
        assert chunked.status_code == 413, chunked.text
        declared = await h.http.post("/commands/sales/request_sample",
                                     headers={**headers,
                                              "Content-Length": str(MAX_BODY_BYTES + 1)},
                                     content=b"{}")
        assert declared.status_code == 413
        assert declared.json()["field"] == "body" and "字节" in declared.json()["message_zh"]
        assert h.stored("sales") == 0
