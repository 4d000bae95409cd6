"""The monthly sales meeting's inputs (R-M2) through the gateway on a real nats-server: managers
enter resource needs and improvements, one is withdrawn, GET /months/meeting-inputs/{month}
answers the rest, and the monthly meeting pack shows them on their own sheet."""
from __future__ import annotations

import io
from datetime import datetime

import openpyxl

from services.reports import meeting_inputs
from services.runtime.settings import Settings
from tests.integration.gateway_harness import gateway_on
from tests.integration.system import until


async def test_needs_and_improvements_are_read_back_and_shown_in_the_monthly_pack(
        settings: Settings) -> None:
    """rule: R-M2"""
    async with gateway_on(settings, ["sla", "sales", "projections"]) as h:
        await h.person("sam", "sales_manager")
        await h.person("cleo", "cs_supervisor")
        await h.person("bob", "salesperson")
        month = datetime.now(settings.zone()).strftime("%Y-%m")
        need = {"month": month, "department": "production", "summary": "第二台模切机 a press",
                "detail": "orders +30 %\nfrom next month", "owner": "pam"}
        first = await h.post("/commands/sales/record_resource_need", "sam", need)
        assert first.status_code == 200, first.text
        improvement = await h.post("/commands/sales/record_improvement", "cleo", {
            "month": month, "department": "quality", "summary": "首件检验 first-piece check"})
        assert improvement.status_code == 200, improvement.text
        dropped = await h.post("/commands/sales/record_resource_need", "cleo",
                               {**need, "summary": "dropped"})
        assert dropped.status_code == 200, dropped.text
        # Not a manager: refused naming R-M2, nothing stored.
        refused = await h.post("/commands/sales/record_improvement", "bob",
                               {"month": month, "department": "sales", "summary": "x"})
        assert refused.status_code == 403 and refused.json()["rule"] == "R-M2", refused.text
        async def three_items() -> bool:  # 003 shown first: its absence then means withdrawn
            answer = await h.get(f"/months/meeting-inputs/{month}", "bob")
            return answer.status_code == 200 and len(answer.json()["items"]) == 3
        await until(three_items, "the three items in the meeting inputs")
        withdrawn = await h.post("/commands/sales/withdraw_meeting_input", "sam",
                                 {"item_id": f"{month}-003"})
        assert withdrawn.status_code == 200, withdrawn.text
        again = await h.post("/commands/sales/withdraw_meeting_input", "sam",
                             {"item_id": f"{month}-003"})
        assert again.status_code == 409 and again.json()["rule"] == "R-M2", again.text
        assert "已经撤回" in again.json()["message_zh"]

        async def two_items() -> bool:
            answer = await h.get(f"/months/meeting-inputs/{month}", "bob")
            return answer.status_code == 200 and len(answer.json()["items"]) == 2 \
                and f"{month}-003" not in {i["item_id"] for i in answer.json()["items"]}
        await until(two_items, "two items standing in the meeting inputs")
        items = (await h.get(f"/months/meeting-inputs/{month}", "bob")).json()["items"]
        assert [(i["item_id"], i["kind"], i["department"], i["recorded_by"]) for i in items] == [
            (f"{month}-001", "resource_need", "production", "sam"),
            (f"{month}-002", "improvement", "quality", "cleo")]
        assert items[0]["detail"] == need["detail"] and items[0]["owner"] == "pam"
        assert (await h.get("/months/meeting-inputs/2026-13", "bob")).status_code == 422

        pack = await h.get(f"/packs/monthly/{month}.xlsx", "bob")
        assert pack.status_code == 200, pack.text
        book = openpyxl.load_workbook(io.BytesIO(pack.content))
        assert meeting_inputs.SHEET in book.sheetnames
        rows = [[c.value for c in row] for row in book[meeting_inputs.SHEET].iter_rows()]
        shown = [r[:4] for r in rows if r[0] and str(r[0]).startswith(month)]
        assert shown == [[f"{month}-001", "资源需求", "生产部", "第二台模切机 a press"],
                         [f"{month}-002", "改进事项", "品质部", "首件检验 first-piece check"]]
        assert all("dropped" not in str(r) for r in rows)
        print(f"\nmeeting inputs of {month}: {len(items)} items read back; pack sheet rows {shown}")
