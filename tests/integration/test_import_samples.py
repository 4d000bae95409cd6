"""The Sample Record Summary import on a real nats-server (issue 12): rows of an old table sent as
``import_sample`` commands land in the summary with the source's values and in the month
analysis; the same rows again store nothing; an imported open sample continues live."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import nats

from contracts.subjects import (
    COMPONENTS,
    QUERY_HISTORY,
    QUERY_SAMPLE_MONTH,
    QUERY_SAMPLES,
)
from events.envelope import Actor, Role
from events.imports import ImportSource
from services.cli.client import Client
from services.imports.samples import TABLE
from services.runtime.settings import Settings
from services.sales.application import SalesApplication
from tests.integration.system import request, running, until

AMY = Actor(user="amy", role=Role.SALES_ASSISTANT)
SHA = hashlib.sha256(b"old sample table").hexdigest()
PROMISED = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0, second=0)
# The old table's rows as the cells were typed: Excel serials, text dates, mixed statuses.
ROWS: list[dict[str, Any]] = [
    {"request_no": "H-001", "requested_at": 45720, "customer": "Huaxin", "salesperson": "bob",
     "status": "承认书已签回", "die_difficulty": "一般", "quotation_no": "Q-H1",
     "promised_at": "2025/3/6 17:00", "completed_at": "2025-03-06 15:30", "shipped": "SF001",
     "received_on": "2025年3月8日", "trial": "ok", "approval_ref": "AP-H1"},
    {"request_no": "H-002", "requested_at": "2025-03-20", "customer": "Globex",
     "salesperson": "bob", "status": "trial NG", "die_difficulty": "complex",
     "promised_at": "2025-03-24 12:00", "completed_at": "2025-03-25 10:00",
     "shipped": "业务员送", "received_on": 45745, "trial": "ng burr on the edge"},
    {"request_no": "H-003", "requested_at": "２０２５－０４－１０", "customer": "Huaxin",
     "salesperson": "cathy", "status": "promised 已承诺交期", "die_difficulty": "复杂",
     "application_no": "A-H3", "promised_at": PROMISED.strftime("%Y-%m-%d %H:%M")},
    {"request_no": "H-004", "requested_at": "2025.4.12", "customer": "Initech",
     "salesperson": "cathy", "status": "Shipped", "die_difficulty": "simple",
     "completed_at": "2025-04-14", "shipped": "SF004"},
]


def commands(zone: Any, sheet: str = "2025") -> list[dict[str, Any]]:
    """Each row's command, under the runner's command id (imp- + digest of file, sheet, row)."""
    now = datetime.now(UTC)
    out = []
    for number, cells in enumerate(ROWS, start=2):
        source = ImportSource(file_name="打样记录.xlsx", file_sha256=SHA, sheet=sheet, row=number)
        command = TABLE.to_command(cells, source, AMY, zone, now)
        digest = hashlib.sha256(f"{SHA}:{sheet}:{number}".encode()).hexdigest()[:40]
        out.append({**command.model_dump(mode="json", exclude_none=True),
                    "command_id": f"imp-{digest}"})
    return out


def stored(settings: Settings) -> int:
    app = SalesApplication(settings.store_env("sales"))
    try:
        return len(app.recorder.select_notifications(start=1, limit=10_000))
    finally:
        app.close()


async def statuses(nc: Any) -> dict[str, str]:
    return {r["request_no"]: r["status"] for r in await request(nc, QUERY_SAMPLES, {})}


async def step(client: Client, department: str, name: str, payload: dict[str, Any]) -> None:
    """Send a live command until accepted (another department's reaction may still be on its
    way), failing with the last refusal."""
    last: list[Any] = []

    async def accepted() -> bool:
        reply = await client.command(department, name, payload)
        last[:] = [reply.error]
        return reply.ok
    try:
        await until(accepted, f"{name} to be accepted", 20)
    except AssertionError as error:
        raise AssertionError(f"{name}: {last}") from error


async def test_imported_rows_equal_the_source_continue_live_and_a_second_import_stores_nothing(
        settings: Settings) -> None:
    """rule: R-S5 rule: R-S6 rule: R-S8"""
    zone = settings.zone()
    async with running(settings, list(COMPONENTS)):
        nc = await nats.connect(settings.nats_url)
        client = Client(nc)
        for payload in commands(zone):
            reply = await client.command("sales", "import_sample", payload)
            assert reply.ok and [e.type for e in reply.events] == ["SampleImported"], reply
        await until(lambda: _count(nc, 4), "the four imported rows", 20)
        rows = {r["request_no"]: r for r in await request(nc, QUERY_SAMPLES, {})}
        ok, ng, making, shipped = (rows[n] for n in ("H-001", "H-002", "H-003", "H-004"))
        assert (ok["status"], ok["customer"], ok["salesperson"], ok["die_difficulty"]) == (
            "approval_signed", "Huaxin", "bob", "normal")
        assert (ok["quotation_no"], ok["tracking_no"], ok["shipped_method"]) == (
            "Q-H1", "SF001", "courier")
        assert (ok["received_on"], ok["trial_result"], ok["approval_ref"]) == (
            "2025-03-08", "ok", "AP-H1")
        assert ok["requested_at"] == _utc("2025-03-04T00:00", zone)
        assert ok["completed_at"] == _utc("2025-03-06T15:30", zone)
        assert ok["promised_at"] == _utc("2025-03-06T17:00", zone) and not ok["late"]
        assert ok["imported"] == {"file_name": "打样记录.xlsx", "sheet": "2025", "row": 2}
        assert (ng["status"], ng["trial_result"], ng["trial_cause"], ng["shipped_method"]) == (
            "trial_ng", "ng", "burr on the edge", "salesperson")
        assert ng["received_on"] == "2025-03-29" and ng["late"] is True
        assert (making["status"], making["application_no"], making["promised_at"]) == (
            "promised", "A-H3", PROMISED.replace(tzinfo=zone).astimezone(UTC).isoformat())
        assert (shipped["status"], shipped["tracking_no"]) == ("shipped", "SF004")

        march = await request(nc, QUERY_SAMPLE_MONTH, {"month": "2025-03"})
        assert march["samples"] == 2 and march["trials"] == {"ok": 1, "ng": 1, "ok_rate": 0.5}
        assert march["late"] == ["H-002"] and march["by_customer"] == {"Globex": 1, "Huaxin": 1}
        april = await request(nc, QUERY_SAMPLE_MONTH, {"month": "2025-04"})
        assert april["samples"] == 2 and april["by_status"] == {"promised": 1, "shipped": 1}

        # As of now (folded again from the audit trail): the imported rows open rows too.
        as_of = {"as_of": datetime.now(UTC).isoformat(), "customer": "Huaxin"}
        assert [r["request_no"] for r in await request(nc, QUERY_SAMPLES, as_of)] == [
            "H-001", "H-003"]
        assert await request(nc, QUERY_SAMPLES, {**as_of, "customer": None, "month": "2025-03"}) \
            == [rows["H-001"], rows["H-002"]]

        trail = await request(nc, QUERY_HISTORY, {"record_no": "H-001"})
        assert [(e["type"], e["actor_user"]) for e in trail] == [("SampleImported", "amy")]
        assert trail[0]["facts"]["source"]["file_sha256"] == SHA

        # The same file again: under the same ids (the runner's) the first replies come back;
        # under new ids (a day later, when the ids are forgotten) the record answers, with no
        # event. Either way nothing more is stored.
        before = stored(settings)
        for payload in commands(zone):
            reply = await client.command("sales", "import_sample", payload)
            assert reply.ok and [e.type for e in reply.events] == ["SampleImported"], reply
            reply = await client.command("sales", "import_sample", {**payload, "command_id": None})
            assert reply.ok and reply.events == [], reply
        assert stored(settings) == before
        # Another table's row under a number already imported: refused, nothing stored.
        clash = {**commands(zone, sheet="2024")[0], "customer": "Umbrella", "command_id": None}
        reply = await client.command("sales", "import_sample", clash)
        assert reply.error is not None and (reply.error.kind, reply.error.field) == (
            "conflict", "request_no") and reply.error.message_zh
        assert stored(settings) == before

        # The open samples continue in the live process from where they stand.
        people = {"production": {"user": "pete", "role": "production_supervisor"},
                  "engineering": {"user": "eric", "role": "engineer"},
                  "assistant": {"user": "amy", "role": "sales_assistant"},
                  "sales": {"user": "bob", "role": "salesperson"}}
        await step(client, "production", "complete_sample",
                   {"actor": people["production"], "request_no": "H-003"})
        await until(lambda: _status(nc, "H-003", "completed"), "H-003 completed", 20)
        await step(client, "engineering", "return_sample",
                   {"actor": people["engineering"], "request_no": "H-003"})
        await until(lambda: _status(nc, "H-003", "returned"), "H-003 returned to sales", 20)
        today = datetime.now(zone).date().isoformat()
        for department, name, actor, facts in (
                ("sales", "ship_sample", "assistant",
                 {"method": "courier", "courier": "SF", "tracking_no": "SF003"}),
                ("sales", "confirm_sample_receipt", "sales", {"received_on": today}),
                ("sales", "record_trial", "sales", {"result": "ok"}),
                ("sales", "record_sample_approval", "assistant", {"document_ref": "AP-H3"}),
                ("sales", "chase_order", "sales", {"note": "first order"})):
            await step(client, department, name,
                       {"actor": people[actor], "request_no": "H-003", **facts})
        await step(client, "sales", "confirm_sample_receipt",
                   {"actor": people["sales"], "request_no": "H-004", "received_on": today})
        await step(client, "sales", "record_trial",
                   {"actor": people["sales"], "request_no": "H-004", "result": "ok"})
        await until(lambda: _status(nc, "H-003", "order_chasing"), "H-003 through to the order", 20)
        await until(lambda: _status(nc, "H-004", "trial_ok"), "H-004's trial", 20)
        done = {r["request_no"]: r for r in await request(nc, QUERY_SAMPLES, {})}["H-003"]
        assert done["completed_at"] and done["returned_at"] and done["approval_ref"] == "AP-H3"
        assert done["imported"]["row"] == 4 and done["application_no"] == "A-H3"
        await nc.close()


def _utc(local: str, zone: Any) -> str:
    return datetime.fromisoformat(local).replace(tzinfo=zone).astimezone(UTC).isoformat()


async def _count(nc: Any, n: int) -> bool:
    return len(await request(nc, QUERY_SAMPLES, {})) == n


async def _status(nc: Any, number: str, status: str) -> bool:
    return (await statuses(nc)).get(number) == status
