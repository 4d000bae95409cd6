"""Importing Complaint Summary rows on a real nats-server (issue 12): closed and open complaints
of an old table go through the command path; the Complaint Summary shows the source rows'
values, the month analysis per customer and per problem counts the imported month, a second
import of the same rows stores nothing, and open complaints continue in the live process: one
registered (R-C2, R-C3) to closing, one escalated to quality whose analysis comes back."""
from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import nats

from contracts.subjects import (
    COMPONENTS,
    QUERY_COMPLAINT_MONTH,
    QUERY_COMPLAINTS,
    QUERY_HISTORY,
    command_subject,
)
from events.envelope import Actor, Role
from events.imports import ImportSource
from services.imports.complaints import TABLE
from services.runtime.settings import Settings
from tests.integration.streamtools import event_ids
from tests.integration.system import request, running, until

ZONE = ZoneInfo("Asia/Shanghai")
TINA = Actor(user="tina", role=Role.TECHNICAL_SUPPORT)
DIGEST = hashlib.sha256(b"complaints-2025.xlsx").hexdigest()
PEOPLE = {"tech": ("tina", "technical_support"), "supervisor": ("sue", "cs_supervisor"),
          "salesperson": ("bob", "salesperson"), "inspector": ("qiu", "qc_inspector")}
# The old table as people typed it: serial and text dates, Chinese and English statuses.
ROWS: list[dict[str, Any]] = [
    {"complaint_no": "K-25-01", "received_at": 45670.375, "channel": "电话", "customer": "ACME",
     "salesperson": "bob", "product_model": "G-7", "problem": "burr on the edge",
     "category": "毛边", "severity": "严重", "responsible": "品质部", "form": "F-1 signed 已签核",
     "measures": "new die", "replied_at": "2025/1/16 10:30", "satisfaction": "满意",
     "closed_at": "2025-01-20", "status": "closed 已结案"},
    {"complaint_no": "K-25-02", "received_at": "2025年1月21日 14:00", "customer": "ACME",
     "salesperson": "bob", "product_model": "G-8", "problem": "burr again", "category": "毛边",
     "severity": "轻微", "closed_at": "2025-01-25", "status": "Closed", "form": "F-2"},
    {"complaint_no": "K-25-03", "received_at": "2025-01-28 09:15", "customer": "Beta",
     "salesperson": "bob", "product_model": "T-1", "problem": "tape peels off",
     "category": "粘性", "status": "已登记"},
    {"complaint_no": "K-25-04", "received_at": "2025-01-30", "customer": "Beta",
     "salesperson": "bob", "product_model": "T-2", "problem": "wrong width",
     "category": "尺寸", "severity": "complex", "responsible": "quality", "form": "F-4",
     "status": "escalated 已转责任部门"},
]


def commands(now: datetime) -> list[dict[str, Any]]:
    found = []
    for index, row in enumerate(ROWS):
        source = ImportSource(file_name="complaints-2025.xlsx", file_sha256=DIGEST,
                              sheet="2025", row=index + 2)
        command = TABLE.to_command(row, source, TINA, ZONE, now)
        key = hashlib.sha256(f"{DIGEST}:2025:{index + 2}".encode()).hexdigest()[:40]
        found.append({**command.model_dump(mode="json"), "command_id": f"imp-{key}"})
    return found


async def send(nc: Any, name: str, body: dict[str, Any], department: str = "sales",
               ) -> dict[str, Any]:
    msg = await nc.request(command_subject(department, name), json.dumps(body).encode(),
                           timeout=10)
    return json.loads(msg.data)  # type: ignore[no-any-return]


async def accepted(nc: Any, department: str, name: str, who: str, no: str,
                   **fields: Any) -> None:
    """Send until accepted: a step may wait for another department's reaction to arrive."""
    user, role = PEOPLE[who]
    body = {"actor": {"user": user, "role": role}, "complaint_no": no, **fields}

    async def ok() -> bool:
        reply = await send(nc, name, body, department)
        assert reply["ok"] or reply["error"]["kind"] in ("rule", "not_found"), reply
        return bool(reply["ok"])
    await until(ok, f"{name} of {no} to be accepted", 20)


async def test_imported_complaints_fill_the_summary_once_and_open_ones_continue(
        settings: Settings) -> None:
    """rule: R-C2 rule: R-C3 rule: R-C6"""
    async with running(settings, list(COMPONENTS)):
        nc = await nats.connect(settings.nats_url)
        js = nc.jetstream()
        bodies = commands(datetime.now(UTC))
        for body in bodies:
            reply = await send(nc, "import_complaint", body)
            assert reply["ok"] and [e["type"] for e in reply["events"]] == ["ComplaintImported"]

        async def all_shown() -> bool:
            return len(await request(nc, QUERY_COMPLAINTS, {})) == len(ROWS)
        await until(all_shown, "the imported rows in the Complaint Summary", 20)
        rows = {r["complaint_no"]: r for r in await request(nc, QUERY_COMPLAINTS, {})}
        # As of now, chosen by month (the opening event decides it): imported rows open theirs.
        month = await request(nc, QUERY_COMPLAINTS, {"as_of": datetime.now(UTC).isoformat(),
                                                     "month": "2025-01"})
        assert sorted(r["complaint_no"] for r in month) == sorted(rows)
        first = rows["K-25-01"]
        assert (first["customer"], first["product_model"], first["category"], first["severity"],
                first["responsible"], first["form_no"], first["status"], first["channel"]) == (
            "ACME", "G-7", "毛边", "complex", "quality", "F-1", "closed", "phone")
        assert first["received_at"] == "2025-01-13T01:00:00+00:00"
        assert first["closed_at"] == "2025-01-19T16:00:00+00:00"
        assert first["replied_at"] == "2025-01-16T02:30:00+00:00"
        assert first["imported"]["file_sha256"] == DIGEST and first["imported"]["row"] == 2
        assert [rows[n]["status"] for n in ("K-25-02", "K-25-03", "K-25-04")] == [
            "closed", "registered", "escalated"]

        month = await request(nc, QUERY_COMPLAINT_MONTH, {"month": "2025-01"})
        assert (month["complaints"], month["closed"], month["open"]) == (4, 2, 2)
        assert month["per_customer"]["ACME"]["complaints"] == 2
        assert month["per_customer"]["Beta"]["complaints"] == 2
        assert month["per_category"]["毛边"]["complaints"] == 2
        assert month["repeated"] == [{"customer": "ACME", "category": "毛边",
                                      "complaints": ["K-25-01", "K-25-02"]}]
        assert month["average_working_hours_to_close"] is not None

        async def relayed() -> bool:
            return len(await event_ids(js)) >= len(ROWS)
        await until(relayed, "the imported events on the sales stream", 20)
        before = len(await event_ids(js))
        for body in bodies:  # the same file again: new command ids, as after a restart
            again = await send(nc, "import_complaint", {**body, "command_id": None})
            assert again["ok"] and again["events"] == [], again
        # The next event on the stream is the live judgement's: nothing came in between.
        no = "K-25-03"
        await accepted(nc, "sales", "judge_complaint_severity", "tech", no, severity="minor")

        async def judged() -> bool:
            return len(await event_ids(js)) >= before + 2
        await until(judged, "the judgement on the sales stream", 20)
        assert len(await event_ids(js)) == before + 2  # judged, and delivered to bob (R-C5)
        trail = await request(nc, QUERY_HISTORY, {"record_no": "K-25-01"})
        assert [e["type"] for e in trail] == ["ComplaintImported"]
        assert trail[0]["facts"]["source"]["file_name"] == "complaints-2025.xlsx"
        assert trail[0]["actor_user"] == "tina"

        # K-25-03, imported as registered (judged above): form, signature, answered, closed.
        await accepted(nc, "sales", "fill_complaint_form", "tech", no, form_no="F-3",
                       handling="replace the lot")
        await accepted(nc, "sales", "sign_complaint_form", "supervisor", no)
        await accepted(nc, "sales", "answer_minor_complaint", "salesperson", no,
                       reply="replacement sent")
        await accepted(nc, "sales", "record_complaint_follow_up", "tech", no, satisfied=True,
                       note="fine now")
        await accepted(nc, "sales", "verify_satisfaction", "supervisor", no)
        await accepted(nc, "sales", "close_complaint", "supervisor", no)
        # K-25-04, imported as escalated to quality: quality's analysis comes back to sales.
        no = "K-25-04"
        await accepted(nc, "quality", "record_complaint_analysis", "inspector", no,
                       cause="slitter set wrong", measures="slitter checked each lot")
        await accepted(nc, "sales", "reply_to_complaint", "tech", no, reply="new lot on its way")

        async def continued() -> bool:
            now = {r["complaint_no"]: r for r in await request(nc, QUERY_COMPLAINTS, {})}
            return (now["K-25-03"]["status"] == "closed"
                    and now["K-25-04"]["status"] == "replied")
        await until(continued, "the imported open complaints to move on", 20)
        assert len(await event_ids(js)) > before
        await nc.close()
