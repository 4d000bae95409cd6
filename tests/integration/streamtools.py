"""Reading JetStream streams in tests: every message, in order, with its headers."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from nats.js.errors import BadRequestError, NotFoundError

from services.runtime.relay import Relay
from services.sales.application import SalesApplication
from services.sales.sample import SampleRecord, sample_id
from events.envelope import Role
from tests.unit.builders import FULL, ctx


async def messages(js: Any, stream: str = "SALESFLOW_SALES") -> list[Any]:
    """Every message of ``stream``, in stream order (deleted ones skipped)."""
    info = await js.stream_info(stream)
    found = []
    for seq in range(info.state.first_seq, info.state.last_seq + 1):
        try:
            found.append(await js.get_msg(stream, seq=seq))
        except (NotFoundError, BadRequestError):  # deleted
            continue
    return found


async def event_ids(js: Any, stream: str = "SALESFLOW_SALES") -> list[str]:
    return [json.loads(m.data)["event_id"] for m in await messages(js, stream)]


def stored_event_ids(app: Any) -> list[str]:
    return [json.loads(n.state)["event_id"]
            for n in app.process_recorder.select_notifications(1, 1_000_000)]


def stored_samples(app: SalesApplication, count: int, prefix: str = "R") -> None:
    """``count`` new sample requests, saved together."""
    records = []
    for i in range(count):
        record = SampleRecord(id=sample_id(f"{prefix}-{i}"))
        record.request(ctx(Role.SALES_ASSISTANT, "amy"), request_no=f"{prefix}-{i}",
                       customer="ACME", product="gasket", part_no=f"P-{i}", salesperson="bob",
                       materials=FULL)
        records.append(record)
    app.store(*records)


async def relay_until(relay: Relay, done: Callable[[], Awaitable[bool]],
                      timeout: float = 20.0) -> None:
    """Run the relay as it runs in a service until ``done``; then stop it."""
    from tests.integration.system import until

    task = asyncio.create_task(relay.run())
    try:
        await until(done, "the relay to publish", timeout)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
