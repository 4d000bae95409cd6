"""Group commit on a real nats-server: many commands sent at once are written in batches, each
gets the reply it would get alone, and the relay publishes every stored event exactly once, in
the store's order (SQLite, and PostgreSQL where available)."""
from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import nats

from services.runtime.settings import Settings
from services.sales.application import SalesApplication
from tests.integration.streamtools import messages, stored_event_ids
from tests.integration.system import request, running, until

ASSISTANT = {"user": "amy", "role": "sales_assistant"}
MATERIALS = {"drawings": True, "technical_requirements": True, "original_sample": True,
             "quality_requirements": True, "key_notes": False}
SUBJECT = "salesflow.cmd.sales."
RECORDS = 150


def sample(no: str, **more: Any) -> dict[str, Any]:
    return {"actor": ASSISTANT, "request_no": no, "customer": "ACME", "product": "gasket",
            "part_no": f"P-{no}", "salesperson": "bob", "materials": MATERIALS, **more}


def materials_of(no: str, key_notes: bool) -> dict[str, Any]:
    return {"actor": ASSISTANT, "request_no": no, "materials": {**MATERIALS, "key_notes": key_notes}}


async def test_commands_sent_at_once_are_answered_and_relayed_exactly_once_in_order(
        backend_settings: Settings) -> None:
    """rule: R-S3 (a request registers the record, once; its materials change before costing)

    Commands in flight together have no order among them (as with several service copies):
    the second wave changes records the first one made, several times each."""
    repeated = str(uuid.uuid4())
    requests = [sample(f"G-{i}") for i in range(RECORDS)]
    requests += [sample(f"G-{i}") for i in range(0, RECORDS, 10)]  # a number used twice
    requests += [sample("G-once", command_id=repeated)] * 3  # a lost reply, sent again
    updates = [materials_of(f"G-{i}", key_notes=n % 2 == 0)
               for i in range(0, RECORDS, 3) for n in range(3)]
    async with running(backend_settings, ["sales"]):
        nc = await nats.connect(backend_settings.nats_url)
        js = nc.jetstream()
        first = await asyncio.gather(*(request(nc, SUBJECT + "request_sample", body, timeout=60)
                                       for body in requests))
        second = await asyncio.gather(*(
            request(nc, SUBJECT + "update_sample_materials", body, timeout=60)
            for body in updates))
        replies = [*first, *second]
        refused = [r for r in replies if not r["ok"]]
        # each number used twice is refused once, by its rule, whichever came first
        assert len(refused) == len(range(0, RECORDS, 10)), refused
        assert all(r["error"]["kind"] == "rule" and r["error"]["rule"] == "R-S3" for r in refused)
        once = first[-3:]
        assert once[0]["ok"] and once[1] == once[0] and once[2] == once[0]
        assert all(r["ok"] for r in second)
        stored = {e["event_id"] for r in replies if r["ok"] for e in r["events"]}
        assert len(stored) == RECORDS + 1 + len(updates)

        async def all_relayed() -> bool:
            status = await request(nc, "salesflow.ctl.sales.status", {})
            return bool(status["relay"]["published"] >= len(stored))

        await until(all_relayed, "every stored event to be relayed", timeout=60)
        status = await request(nc, "salesflow.ctl.sales.status", {})
        in_stream = await messages(js)
        await nc.close()
    assert status["commands"]["largest"] > 1  # written in batches, not one by one
    assert status["commands"]["batches"] < len(replies)
    app = SalesApplication(backend_settings.store_env("sales"))
    try:
        in_store = stored_event_ids(app)
        assert set(in_store) == stored  # nothing stored that was not answered as stored
        # exactly once, in the store's order
        assert [json.loads(m.data)["event_id"] for m in in_stream] == in_store
        assert [m.headers["Nats-Msg-Id"] for m in in_stream] == in_store
        for i in range(0, RECORDS, 3):  # three updates on each, one after another
            versions = [e.originator_version for e in app.events.get(app.sample(f"G-{i}").id)]
            assert versions == [1, 2, 3, 4]
    finally:
        app.close()
