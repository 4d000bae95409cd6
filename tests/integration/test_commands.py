"""Commands over NATS to a running service: wrong ones are refused and store nothing."""
from __future__ import annotations

import json

import nats
import pytest

from services.runtime.settings import Settings
from tests.integration.system import request, running, until

ASSISTANT = {"user": "amy", "role": "sales_assistant"}
REQUEST = {"actor": ASSISTANT, "request_no": "S-1", "customer": "ACME", "product": "gasket",
           "part_no": "P-1", "salesperson": "bob", "materials": {"drawings": True}}


@pytest.mark.parametrize("subject, payload, kind, key", [
    ("request_sample", {**REQUEST, "request_no": ""}, "validation", "request_no"),
    ("request_sample", {**REQUEST, "actor": {"user": "bob", "role": "salesperson"}}, "forbidden", "R-S3"),
    ("request_sample", REQUEST, "rule", "R-S3"),  # the number is already used
    ("complete_costing", {"actor": {"user": "tina", "role": "technical_support"}, "request_no": "S-1",
                          "bom_ref": "B", "material_cost": "1", "process_cost": "1",
                          "die_difficulty": "simple"}, "rule", "R-S3"),  # materials incomplete
    ("open_sample_application", {"actor": ASSISTANT, "request_no": "S-1", "application_no": "A"},
     "rule", "R-S3"),  # price not approved
    ("sign_quotation", {"actor": {"user": "sue", "role": "cs_supervisor"}, "request_no": "S-404"},
     "not_found", "request_no"),
    ("prepare_quotation", b"{not json", "validation", None),
])
async def test_a_refused_command_answers_why_and_stores_nothing(
        settings: Settings, subject: str, payload, kind: str, key) -> None:  # type: ignore[no-untyped-def]
    """rule: R-S3"""
    async with running(settings, ["sales"]):
        nc = await nats.connect(settings.nats_url)
        js = nc.jetstream()
        first = await request(nc, "salesflow.cmd.sales.request_sample", REQUEST)
        assert first["ok"] is True
        await until(lambda: _relayed(nc, 1), "the request to be relayed")
        if isinstance(payload, bytes):
            msg = await nc.request(f"salesflow.cmd.sales.{subject}", payload, timeout=5)
            reply = json.loads(msg.data)
        else:
            reply = await request(nc, f"salesflow.cmd.sales.{subject}", payload)
        assert reply["ok"] is False and reply["error"]["kind"] == kind
        if key is not None:
            assert key in (reply["error"].get("rule"), reply["error"].get("field"))
        assert reply["error"]["message_en"] and reply["error"]["message_zh"]
        status = await request(nc, "salesflow.ctl.sales.status", {})
        assert status["relay"]["published"] == 1
        assert (await js.stream_info("SALESFLOW_SALES")).state.messages == 1
        await nc.close()


async def _relayed(nc, n: int) -> bool:  # type: ignore[no-untyped-def]
    return (await request(nc, "salesflow.ctl.sales.status", {}))["relay"]["published"] >= n
