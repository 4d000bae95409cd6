"""A query answer larger than the NATS connection carries is refused with its size and what to
ask instead, in both languages; before, the reply was dropped and the asker only timed out ("is
salesflow up running?"), seen with 10,000 imported orders (20 MB) on the embedded 16 MB server."""
from __future__ import annotations

import json

from pydantic import BaseModel

from services.runtime.projection_queries import answer


class Everything(BaseModel):
    pass


async def test_an_answer_over_the_max_payload_is_refused_with_its_size() -> None:
    rows = [{"order_no": f"O-{i:05d}", "note": "x" * 100} for i in range(2_000)]  # ~250 KB
    data = json.loads(await answer(Everything, b"{}", lambda q: rows, limit=64 * 1024))
    error = data["error"]
    assert error["kind"] == "validation"
    assert "MB" in error["message_en"] and "a month, a customer" in error["message_en"]
    assert "缩小查询范围" in error["message_zh"]


async def test_an_answer_within_the_max_payload_is_sent_whole() -> None:
    rows = [{"order_no": f"O-{i:05d}"} for i in range(100)]
    assert json.loads(await answer(Everything, b"{}", lambda q: rows, limit=64 * 1024)) == rows
