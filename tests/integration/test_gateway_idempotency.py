"""``Idempotency-Key`` (issue 10): a command sent twice, or many times at once, under one key
stores one event and every sender gets the same reply; the key is the sender's own."""
from __future__ import annotations

import asyncio
import copy

from services.runtime.settings import Settings
from tests.integration.gateway_harness import gateway_on

SAMPLE = {"request_no": "S-IDEM", "customer": "ACME", "product": "gasket", "part_no": "P-1",
          "salesperson": "bob", "materials": {"drawings": True}, "purpose": "sample"}
PATH = "/commands/sales/request_sample"


async def test_the_same_command_sent_twice_with_one_key_is_stored_once(settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        first = await h.post(PATH, "amy", SAMPLE, **{"Idempotency-Key": "order-form-17"})
        again = await h.post(PATH, "amy", SAMPLE, **{"Idempotency-Key": "order-form-17"})
        assert first.status_code == again.status_code == 200, (first.text, again.text)
        assert first.json() == again.json()
        assert h.stored("sales") == 1
        without = await h.post(PATH, "amy", SAMPLE)
        assert without.status_code == 409, "without the key, the repeat is a new command"
        assert h.stored("sales") == 1


async def test_the_same_command_sent_concurrently_with_one_key_is_stored_once(
        settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        replies = await asyncio.gather(*(
            h.post(PATH, "amy", SAMPLE, **{"Idempotency-Key": "burst-1"}) for _ in range(8)))
        assert {r.status_code for r in replies} == {200}, [r.text for r in replies]
        assert len({r.text for r in replies}) == 1, "every sender gets the first reply"
        assert h.stored("sales") == 1


async def test_a_key_reused_for_another_command_is_refused_and_keys_are_per_person(
        settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales"]) as h:
        await h.person("amy", "sales_assistant")
        await h.person("ann", "sales_assistant")
        assert (await h.post(PATH, "amy", SAMPLE, **{"Idempotency-Key": "k1"})).status_code == 200
        other = copy.deepcopy(SAMPLE) | {"request_no": "S-IDEM-2"}
        reused = await h.post(PATH, "amy", other, **{"Idempotency-Key": "k1"})
        assert reused.status_code == 409 and reused.json()["field"] == "Idempotency-Key"
        assert "幂等键" in reused.json()["message_zh"]
        theirs = await h.post(PATH, "ann", other, **{"Idempotency-Key": "k1"})
        assert theirs.status_code == 200, "another person's key of the same text is theirs"
        assert h.stored("sales") == 2
        bad = await h.post(PATH, "amy", other, **{"Idempotency-Key": "two words"})
        assert bad.status_code == 422 and bad.json()["field"] == "Idempotency-Key"
