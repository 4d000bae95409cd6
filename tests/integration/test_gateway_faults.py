"""Each failure branch of the gateway, injected on a real nats-server (issue 10): NATS gone
under a command, a query and a download; a body that is not a JSON object; a bug. Every one is
an ErrorBody with its status, and nothing is stored."""
from __future__ import annotations

from typing import Any

import pytest

from services.runtime.settings import Settings
from tests.integration.gateway_harness import gateway_on

SAMPLE = {"request_no": "S-F", "customer": "ACME", "product": "gasket", "part_no": "P-1",
          "salesperson": "bob", "materials": {"drawings": True}, "purpose": "sample"}


async def test_with_nats_gone_commands_queries_and_downloads_are_503_and_nothing_is_stored(
        settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        await h.gateway.client().nc.close()  # the gateway's own connection, as after a crash
        command = await h.post("/commands/sales/request_sample", "amy", SAMPLE)
        assert command.status_code == 503 and command.json()["kind"] == "unavailable", command.text
        query = await h.get("/tables/samples", "amy")
        assert query.status_code == 503 and "投影服务" in query.json()["message_zh"], query.text
        download = await h.get(f"/documents/{'a' * 64}", "amy")
        assert download.status_code == 503 and download.json()["kind"] == "unavailable"
        assert h.stored("sales") == 0


async def test_a_body_that_is_not_a_json_object_is_refused_naming_the_body(
        settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        headers = {**h.as_user("amy"), "Content-Type": "application/json"}
        for body in (b"{not json", b"[1, 2]", b'"text"'):
            refused = await h.http.post("/commands/sales/request_sample", content=body,
                                        headers=headers)
            assert refused.status_code == 422 and refused.json()["field"] == "body", body
        assert h.stored("sales") == 0


async def test_a_bug_is_one_internal_error_with_the_reference_the_log_shows(
        settings: Settings, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    async with gateway_on(settings) as h:
        def broken() -> Any:
            raise RuntimeError("injected")

        monkeypatch.setattr(h.gateway.directory, "people", broken)
        answer = await h.get("/users", "ada")
        assert answer.status_code == 500, answer.text
        body = answer.json()
        assert body["kind"] == "internal" and body["reference"] in body["message_en"]
        assert body["reference"] in caplog.text and "injected" in caplog.text
