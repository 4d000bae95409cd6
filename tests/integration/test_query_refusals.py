"""Every query the projections receive is answered, an invalid one with the field and why."""
from __future__ import annotations

import json

import nats

from contracts.subjects import (
    CTL_REBUILD,
    QUERY_CUSTOMER_FILE,
    QUERY_CUSTOMERS,
    QUERY_HISTORY,
    QUERY_ORDER_MONTH,
    QUERY_ORDERS,
    QUERY_SAMPLE_MONTH,
    QUERY_SAMPLES,
)
from services.runtime.settings import Settings
from tests.integration.system import running

REFUSED = [
    (QUERY_SAMPLES, {"month": "nov"}, "month"),
    (QUERY_SAMPLES, {"month": "2026-13"}, "month"),
    (QUERY_SAMPLES, {"colour": "red"}, "colour"),
    (QUERY_SAMPLE_MONTH, {"month": "2026-1"}, "month"),
    (QUERY_SAMPLE_MONTH, {"month": "2026-00"}, "month"),
    (QUERY_SAMPLE_MONTH, {}, "month"),
    (QUERY_HISTORY, {"record_no": ""}, "record_no"),
    (QUERY_ORDERS, {"month": "2026-13"}, "month"),
    (QUERY_ORDERS, {"po_no": "PO-1"}, "po_no"),
    (QUERY_ORDER_MONTH, {"month": "2026-1"}, "month"),
    (QUERY_ORDER_MONTH, {}, "month"),
    (QUERY_CUSTOMER_FILE, {"customer_no": "C-1", "category": "recipes"}, "category"),
    (QUERY_CUSTOMERS, {"all": True}, "all"),
    (CTL_REBUILD, {"model": "everything"}, "model"),
]


async def test_an_invalid_query_is_answered_with_the_field_and_why(settings: Settings) -> None:
    """rule: R-S8 — e.g. `sample-month 2026-1` or `samples --month nov` is refused at once,
    in English and Chinese, instead of leaving the caller waiting for a reply that never comes."""
    async with running(settings, ["projections"]):
        nc = await nats.connect(settings.nats_url)
        for subject, payload, field in REFUSED:
            msg = await nc.request(subject, json.dumps(payload).encode(), timeout=5)
            reply = json.loads(msg.data)
            assert set(reply) == {"error"}, (subject, payload, reply)
            error = reply["error"]
            assert (error["kind"], error["field"]) == ("validation", field), (subject, error)
            assert error["message_en"] and error["message_zh"]
        not_json = json.loads((await nc.request(QUERY_SAMPLES, b"{nov", timeout=5)).data)
        assert not_json["error"]["kind"] == "validation"
        month = json.loads((await nc.request(QUERY_SAMPLE_MONTH, b'{"month": "2026-12"}',
                                             timeout=5)).data)
        assert month["samples"] == 0 and month["month"] == "2026-12"
        await nc.close()

