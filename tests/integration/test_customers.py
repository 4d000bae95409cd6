"""Customer onboarding and the customer file on a real nats-server: sales service, object store,
projections, the queries and the CLI."""
from __future__ import annotations

from contracts.subjects import QUERY_CUSTOMER_FILE, QUERY_CUSTOMERS

import argparse
import base64
import hashlib
from typing import Any

import nats
import pytest
from faststream.nats import NatsBroker

from projections.customer_file import CustomerFile
from projections.store import ViewStore
from services.cli import customers as cli
from services.cli.client import Client
from services.runtime import customer_queries
from services.runtime.object_store import BUCKET
from services.runtime.settings import Settings
from tests.integration.system import request, running, until

NO = "C-100"
WINDOW = [
    {"name": "Mia Wang", "role": "marketing_manager", "duty": "major exceptions", "phone": "0755-1"},
    {"name": "Sue Li", "role": "cs_supervisor", "duty": "quotations", "email": "sue@example.com"},
    {"name": "Amy Chen", "role": "sales_assistant", "duty": "samples, orders", "phone": "0755-2"},
    {"name": "Tina Zhou", "role": "technical_support", "duty": "drawings", "phone": "0755-3"},
    {"name": "Li Wei", "department": "quality", "duty": "inspection reports", "phone": "0755-9"},
]
# (category, filed_on, title, content), filed out of date order on purpose
DOCUMENTS = [
    ("engineering_drawing", "2026-11-05", "Gasket drawing rev A", b"DXF gasket rev A"),
    ("basic_data", "2026-11-02", "Company registration", b"%PDF registration"),
    ("basic_data", "2026-10-30", "Contact sheet", b"%PDF contacts"),
]


async def answers(nc: Any) -> bool:
    try:
        await request(nc, QUERY_CUSTOMERS, {}, timeout=0.5)
        return True
    except Exception:  # noqa: BLE001 - not subscribed yet
        return False


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def test_a_customer_is_onboarded_and_its_file_kept_by_category_and_date(
        backend_settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-S1 rule: R-S2 — submit, confirm, approve quality's contacts, send the window, file
    documents; the content sits in the object store under its hash, the file lists by category
    and date."""
    settings = backend_settings
    async with running(settings, ["sales", "projections"]):
        nc = await nats.connect(settings.nats_url)
        client = Client(nc)

        async def send(name: str, user: str, role: str, **fields: Any) -> Any:
            return await client.command("sales", name, {"actor": {"user": user, "role": role},
                                                        "customer_no": NO, **fields})

        async def ok(name: str, user: str, role: str, **fields: Any) -> None:
            reply = await send(name, user, role, **fields)
            assert reply.ok, reply.error and reply.error.sentence()

        await ok("submit_customer", "bob", "salesperson", customer_name="Huaxin Electronics 华信电子",
                 contact={"person": "Mr. Wu", "phone": "0512-1"})
        early = await send("file_customer_document", "amy", "sales_assistant", category="basic_data",
                           title="t", filename="f.pdf", filed_on="2026-11-01",
                           content_base64=base64.b64encode(b"x").decode())
        assert early.error and early.error.rule == "R-S2"
        await ok("confirm_customer", "max", "sales_manager", assistant="amy")
        refused = await send("send_contact_window", "amy", "sales_assistant", contacts=WINDOW)
        assert refused.error and refused.error.rule == "R-S1" and "品质部" in refused.error.message_zh
        await ok("approve_contact_disclosure", "max", "sales_manager", department="quality",
                 head="Zhao (QA head)")
        await ok("send_contact_window", "amy", "sales_assistant", contacts=WINDOW)
        for category, filed_on, title, content in DOCUMENTS:
            await ok("file_customer_document", "amy", "sales_assistant", category=category,
                     title=title, filename=f"{title}.pdf", media_type="application/pdf",
                     filed_on=filed_on, content_base64=base64.b64encode(content).decode())
        faked = await send("file_customer_document", "amy", "sales_assistant",
                           category="quotation_info", title="q", filename="q.pdf",
                           filed_on="2026-11-06", content_sha256=sha(b"never sent"), size=10)
        assert faked.error and faked.error.field == "content_sha256"

        bucket = await nc.jetstream().object_store(BUCKET)
        for *_, content in DOCUMENTS:
            assert (await bucket.get(sha(content))).data == content

        store, model = ViewStore(settings.store_env("projections")), CustomerFile()
        await until(lambda: len(model.documents(store, NO)) == 3, "the file to reach the projections")
        await until(lambda: model.customers(store)[0]["status"] == "window_sent", "the window")
        docs = model.documents(store, NO)
        assert [(d["category"], d["filed_on"]) for d in docs] == [
            ("basic_data", "2026-10-30"), ("basic_data", "2026-11-02"),
            ("engineering_drawing", "2026-11-05")]
        assert docs[2]["sha256"] == sha(DOCUMENTS[0][3]) and docs[2]["size"] == 16
        assert docs[0]["filed_by"] == "amy" and docs[0]["media_type"] == "application/pdf"
        assert [d["title"] for d in model.documents(store, NO, "engineering_drawing")] == [
            "Gasket drawing rev A"]
        (customer,) = model.customers(store)
        assert (customer["salesperson"], customer["assistant"], customer["disclosures"]) == (
            "bob", "amy", "quality")

        broker = NatsBroker(settings.nats_url, logger=None)
        customer_queries.register(broker, store, model)
        await broker.start()
        try:
            await until(lambda: answers(nc), "the customer queries to be subscribed")
            answer = await request(nc, QUERY_CUSTOMER_FILE,
                                   {"customer_no": NO, "category": "basic_data"})
            assert answer["customer"]["name"].startswith("Huaxin")
            assert [d["filed_on"] for d in answer["documents"]] == ["2026-10-30", "2026-11-02"]
            listed = await request(nc, QUERY_CUSTOMERS, {})
            assert [c["customer_no"] for c in listed] == [NO]

            parser = argparse.ArgumentParser()
            cli.add_parsers(parser.add_subparsers(dest="command"))
            client = Client(nc)
            assert await cli.run(parser.parse_args(["customer-file", NO]), settings, client) == 0
            shown = capsys.readouterr().out
            assert "Category 类别" in shown and "Filed 日期" in shown and "基本资料" in shown
            assert shown.index("2026-10-30") < shown.index("2026-11-02") < shown.index("2026-11-05")
            assert await cli.run(parser.parse_args(["customers"]), settings, client) == 0
            assert "window_sent" in capsys.readouterr().out
            assert await cli.run(parser.parse_args(["customer-file", "C-404"]), settings, client) == 1
        finally:
            await broker.stop()
            store.close()
            await nc.close()
