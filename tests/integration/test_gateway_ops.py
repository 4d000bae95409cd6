"""The gateway's /health and /metrics (issue 10) on a real nats-server with real services."""
from __future__ import annotations

import asyncio
import json
import socket
import time
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from contracts.subjects import COMPONENTS, HEADER_TYPE, dead_letter_subject, stream_name
from events.sla import SlaBreached
from services.gateway.server import bind
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from tests.integration.gateway_harness import Harness, gateway_on
from tests.integration.system import running, until

# Every probe gives up after a second and they run at once: a part down costs ~1 s, not more.
HEALTH_SECONDS = 1.5


def sample(no: str) -> dict[str, Any]:
    return {"request_no": no, "customer": "ACME", "product": "gasket", "part_no": "P-1",
            "salesperson": "bob", "materials": {"drawings": True}, "purpose": "sample"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            found[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return found


async def scrape(h: Harness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await h.http.get("/metrics")  # no sign-in: Prometheus scrapes it
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return samples(answer.text)


async def timed_health(h: Harness) -> tuple[int, dict[str, Any], float]:
    started = time.monotonic()
    answer = await h.http.get("/health")  # no sign-in: a load balancer probes it
    return answer.status_code, answer.json(), time.monotonic() - started


async def test_health_is_200_when_nats_the_accounts_and_every_component_answer(
        settings: Settings) -> None:
    async with gateway_on(settings, COMPONENTS) as h:
        async def projections_consume() -> bool:
            _, body, _ = await timed_health(h)
            return "projections-from-sales" in (body["checks"]["consumer_lag"] or {})

        await until(projections_consume, "the projections' durable consumers to exist")
        status, body, seconds = await timed_health(h)
        assert status == 200, body
        assert body["ok"] is True and body["failing"] == []
        checks = body["checks"]
        assert checks["nats"] is True and checks["accounts"] is True
        assert set(checks["components"]) == set(COMPONENTS)
        assert all(part["ok"] for part in checks["components"].values())
        assert checks["components"]["sales"]["relay_backlog"] == 0
        assert "pid" not in json.dumps(body), "an anonymous caller sees no process ids"
        assert seconds < HEALTH_SECONDS


async def test_health_is_503_naming_the_components_that_do_not_answer_and_still_answers_fast(
        settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        status, body, seconds = await timed_health(h)
        assert status == 503, body
        assert body["ok"] is False
        assert sorted(body["failing"]) == ["engineering", "production", "projections", "quality"]
        assert body["checks"]["components"]["engineering"] == {"ok": False}
        assert body["checks"]["components"]["sales"]["ok"] is True
        assert seconds < HEALTH_SECONDS, f"/health took {seconds:.2f} s with four parts down"


async def test_health_says_nats_is_down_at_once_and_recovers_with_it(
        settings: Settings, nats_server: EmbeddedNats) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        nats_server.kill()

        async def nats_down() -> bool:
            status, body, seconds = await timed_health(h)
            assert seconds < HEALTH_SECONDS, f"/health took {seconds:.2f} s with NATS down"
            return status == 503 and "nats" in body["failing"]

        await until(nats_down, "/health to report NATS down")
        nats_server.start()  # same port, same store: every connection comes back by itself

        async def nats_back() -> bool:
            _, body, _ = await timed_health(h)
            return "nats" not in body["failing"] and body["checks"]["components"]["sales"]["ok"]

        await until(nats_back, "/health to see NATS and the sales service again", 30)


async def test_metrics_count_commands_by_outcome_dead_letters_and_sla_breaches(
        settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        await h.person("bob", "salesperson")
        done = await h.post("/commands/sales/request_sample", "amy", sample("S-M1"))
        assert done.status_code == 200, done.text
        refused = await h.post("/commands/sales/request_sample", "bob", sample("S-M2"))
        assert refused.status_code == 403, refused.text
        # A dead letter and a breach published by hand on their real subjects: the metrics
        # count what the streams hold, whoever put it there.
        js = h.gateway.js
        letter = {"consumer": "projections", "stream": stream_name("sales"), "seq": 1,
                  "subject": "salesflow.sales.sample.sample_requested", "error": "test",
                  "attempts": 5, "headers": {}, "data": "{}"}
        dlq = dead_letter_subject("projections", stream_name("sales"))
        await js.publish(dlq, json.dumps(letter).encode())
        await js.publish(SlaBreached.subject(), b"{}",
                         headers={HEADER_TYPE: SlaBreached.type_key()})

        found = await scrape(h)
        command = (("command", "request_sample"), ("department", "sales"))
        assert found[("salesflow_gateway_commands_total", (*command, ("outcome", "ok")))] == 1
        assert found[("salesflow_gateway_commands_total",
                      (*command, ("outcome", "forbidden")))] == 1
        assert found[("salesflow_gateway_command_seconds_count", (("department", "sales"),))] == 2
        assert found[("salesflow_dead_letters", (("subject", dlq),))] == 1
        assert found[("salesflow_sla_breaches_total", ())] == 1
        assert found[("salesflow_component_up", (("component", "sales"),))] == 1
        assert found[("salesflow_component_up", (("component", "quality"),))] == 0
        assert ("salesflow_relay_backlog", (("component", "sales"),)) in found
        for part in ("nats", "accounts", "jetstream", "dead_letters", "sla_breaches"):
            assert found[("salesflow_probe_ok", (("part", part),))] == 1, part


async def test_a_stopped_consumer_shows_its_lag_while_events_arrive(settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        lag_key = ("salesflow_consumer_lag", (("durable", "projections-from-sales"),
                                              ("stream", stream_name("sales"))))
        async with running(settings, ["projections"]):
            async def consuming() -> bool:
                return (await scrape(h)).get(lag_key) == 0

            await until(consuming, "the projections to consume the sales stream")
        for no in ("S-L1", "S-L2", "S-L3"):
            done = await h.post("/commands/sales/request_sample", "amy", sample(no))
            assert done.status_code == 200, done.text

        async def lagging() -> bool:
            return (await scrape(h)).get(lag_key, 0) >= 3

        await until(lagging, "the stopped projections' lag to count the three new events")
        status, body, _ = await timed_health(h)
        assert status == 503 and "projections" in body["failing"]
        assert body["checks"]["consumer_lag"]["projections-from-sales"] >= 3


async def test_the_gateway_answers_without_waiting_for_nagle() -> None:
    """Without TCP_NODELAY a response written in two parts waits ~40 ms for a delayed ACK."""
    sock = bind("127.0.0.1", 0)
    accepted: list[bool] = []

    async def on_connection(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raw = writer.get_extra_info("socket")
        accepted.append(bool(raw.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)))
        writer.close()

    server = await asyncio.start_server(on_connection, sock=sock)
    async with server:
        _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
        await until(lambda: bool(accepted), "the connection to be accepted")
        writer.close()
    assert accepted == [True]
