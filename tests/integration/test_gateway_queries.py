"""The read side through the gateway (issue 10): tables with filters, paging and as_of, the month
analyses, a customer's file and its documents' bytes, the calendar, the SLA clocks; a bad query
names its field; projections that do not answer are a 503 sentence."""
from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from services.runtime.settings import Settings
from tests.integration.gateway_harness import gateway_on
from tests.integration.system import until
from tests.unit.commands_catalogue import valid

CONTENT = "营业执照 licence scan".encode()


def sample(no: str) -> dict[str, object]:
    return {"request_no": no, "customer": "ACME", "product": "gasket", "part_no": "P-1",
            "salesperson": "bob", "materials": {"drawings": True}, "purpose": "sample"}


async def test_tables_are_paged_filtered_and_read_as_of_a_moment(settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales", "projections"]) as h:
        await h.person("amy", "sales_assistant")
        for n in range(5):
            assert (await h.post("/commands/sales/request_sample", "amy",
                                 sample(f"S-{n}"))).status_code == 200
        before_last = datetime.now(UTC)
        await h.post("/commands/sales/request_sample", "amy", sample("S-LATE"))

        async def six() -> bool:
            return (await h.get("/tables/samples", "amy")).json().get("total") == 6
        await until(six, "six samples in the summary")
        page = (await h.get("/tables/samples", "amy", limit=2, offset=4)).json()
        assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (6, 2, 4, 2)
        earlier = (await h.get("/tables/samples", "amy", as_of=before_last.isoformat())).json()
        assert "S-LATE" not in {row["request_no"] for row in earlier["items"]}
        assert earlier["total"] == 5
        month = datetime.now(UTC).strftime("%Y-%m")
        analysis = await h.get(f"/months/samples/{month}", "amy")
        assert analysis.status_code == 200 and "notes" in analysis.json()
        bad = await h.get("/tables/samples", "amy", month="2026-13")
        assert bad.status_code == 422 and bad.json()["field"] == "month"
        future = await h.get("/tables/samples", "amy",
                             as_of=(datetime.now(UTC) + timedelta(days=1)).isoformat())
        assert future.status_code == 422 and future.json()["field"] == "as_of"
        assert (await h.get("/tables/samples", "amy", limit=0)).json()["field"] == "limit"
        assert (await h.get("/calendar", "amy")).json() == {"entries": []}
        assert (await h.get("/sla", "amy")).status_code == 200


async def test_a_filed_document_downloads_by_its_hash(settings: Settings) -> None:
    async with gateway_on(settings, ["sla", "sales", "projections"]) as h:
        await h.person("bob", "salesperson")
        await h.person("max", "sales_manager")
        await h.person("amy", "sales_assistant")
        bodies = valid(datetime.now(UTC))
        assert (await h.post("/commands/sales/submit_customer", "bob",
                             bodies["submit_customer"])).status_code == 200
        assert (await h.post("/commands/sales/confirm_customer", "max",
                             bodies["confirm_customer"])).status_code == 200
        digest = hashlib.sha256(CONTENT).hexdigest()
        filed = await h.post("/commands/sales/file_customer_document", "amy", {
            **bodies["file_customer_document"], "content_base64": base64.b64encode(CONTENT)
            .decode(), "content_sha256": digest, "size": len(CONTENT)})
        assert filed.status_code == 200, filed.text

        async def on_file() -> bool:
            answer = await h.get("/customers/C-1/file", "amy")
            return answer.status_code == 200 and bool(answer.json()["documents"])
        await until(on_file, "the document in the customer file")
        got = await h.get(f"/documents/{digest}", "amy", filename="营业执照.pdf")
        assert got.status_code == 200 and got.content == CONTENT
        assert "filename*=UTF-8''" in got.headers["content-disposition"]
        missing = await h.get(f"/documents/{'0' * 64}", "amy")
        assert missing.status_code == 404 and missing.json()["field"] == "sha256"


async def test_a_query_nobody_answers_is_a_503_sentence(settings: Settings) -> None:
    async with gateway_on(settings, ["sla"]) as h:
        h.gateway.query_timeout = 0.5
        answer = await h.get("/tables/orders", "ada")
        assert answer.status_code == 503, answer.text
        assert answer.json()["kind"] == "unavailable" and "投影服务" in answer.json()["message_zh"]
