"""Bad input against a real nats-server (and PostgreSQL): refused whole, nothing left behind."""
from __future__ import annotations

import base64
import hashlib
from typing import Any

import nats
import pytest
from nats.js.errors import NotFoundError

from projections.customer_file import CustomerFile
from projections.store import ViewStore
from services.cli.client import Client
from services.runtime.object_store import BUCKET
from services.runtime.settings import Settings
from tests.integration.system import running, until

STREAM = f"OBJ_{BUCKET}"  # where nats-py keeps an object store's chunks
DOCUMENT = {"category": "basic_data", "title": "Licence", "filename": "l.pdf",
            "media_type": "application/pdf", "filed_on": "2026-11-02",
            "content_base64": base64.b64encode(b"%PDF licence").decode()}


async def stored_objects(js: Any) -> int:
    """Messages in the customer files bucket's stream (chunks and metadata); 0 if none yet."""
    try:
        return int((await js.stream_info(STREAM)).state.messages)
    except NotFoundError:
        return 0


async def test_refused_documents_leave_nothing_in_the_object_store(settings: Settings) -> None:
    """rule: R-S2 — wrong role, unknown customer, customer not confirmed: nothing stored."""
    async with running(settings, ["sales"]):
        nc = await nats.connect(settings.nats_url)
        client, js = Client(nc), nc.jetstream()

        async def send(name: str, who: tuple[str, str], no: str = "C-1", **fields: Any) -> Any:
            return await client.command("sales", name, {
                "actor": {"user": who[0], "role": who[1]}, "customer_no": no, **fields})

        amy = ("amy", "sales_assistant")
        try:
            assert (await send("file_customer_document", amy, "C-404", **DOCUMENT)).error
            assert (await send("submit_customer", ("bob", "salesperson"), customer_name="ACME",
                               contact={"person": "Mr. Wu", "phone": "0512-1"})).ok
            early = await send("file_customer_document", amy, **DOCUMENT)
            assert early.error and early.error.rule == "R-S2"
            assert (await send("confirm_customer", ("max", "sales_manager"), assistant="amy")).ok
            wrong = await send("file_customer_document", ("bob", "salesperson"), **DOCUMENT)
            assert wrong.error and wrong.error.kind == "forbidden"
            assert await stored_objects(js) == 0

            filed = await send("file_customer_document", amy, **DOCUMENT)
            assert filed.ok, filed.error and filed.error.sentence()
            bucket = await js.object_store(BUCKET)
            sha = hashlib.sha256(b"%PDF licence").hexdigest()
            assert (await bucket.get(sha)).data == b"%PDF licence"
            stored = await stored_objects(js)
            twice = await send("file_customer_document", amy, **DOCUMENT)
            assert twice.error and twice.error.rule == "R-S2"
            assert await stored_objects(js) == stored
        finally:
            await nc.close()


async def test_a_promise_in_year_9999_is_refused_before_it_reaches_the_relay(
        settings: Settings) -> None:
    """rule: R-S7 — it once stopped the relay for good (its timer could not be scheduled)."""
    async with running(settings, ["production"]):
        nc = await nats.connect(settings.nats_url)
        try:
            for promised_at in ("9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"):
                reply = await Client(nc).command("production", "promise_delivery", {
                    "actor": {"user": "pam", "role": "pmc_planner"}, "request_no": "S-1",
                    "promised_at": promised_at})
                assert reply.error and reply.error.kind == "validation"
                assert reply.error.field == "promised_at"
        finally:
            await nc.close()


@pytest.mark.parametrize("text", ["ACME\x00Ltd", "ACME\x1b[2J"])
async def test_a_control_character_is_refused_and_the_clean_command_reaches_the_tables(
        backend_settings: Settings, text: str) -> None:
    """NUL was accepted, then PostgreSQL refused the projection row: the customer was missing
    on PostgreSQL only. Now refused at the door, on both stores."""
    settings = backend_settings
    async with running(settings, ["sales", "projections"]):
        nc = await nats.connect(settings.nats_url)
        client = Client(nc)
        body = {"actor": {"user": "bob", "role": "salesperson"}, "customer_no": "C-1",
                "contact": {"person": "Mr. Wu", "phone": "0512-1"}}
        store = ViewStore(settings.store_env("projections"))
        try:
            refused = await client.command("sales", "submit_customer",
                                           {**body, "customer_name": text})
            assert refused.error and refused.error.kind == "validation"
            assert refused.error.field == "customer_name"
            accepted = await client.command("sales", "submit_customer",
                                            {**body, "customer_name": "ACME Ltd"})
            assert accepted.ok
            await until(lambda: [c["name"] for c in CustomerFile().customers(store)] == ["ACME Ltd"],
                        "the customer to reach the projections")
        finally:
            store.close()
            await nc.close()
