"""A stopping service's lease task ends even when a cancellation is swallowed on its way.

On Python 3.11 ``asyncio.wait_for`` returns the inner result, and drops the cancellation, when
the two meet; nats-py waits for every KV reply that way. A renewal cancelled just as its reply
came in therefore went on renewing, and the stop waited for it (the hang seen in the suite)."""
from __future__ import annotations

import asyncio
from typing import Any

from services.runtime.lease import Lease


class SwallowingKeyValue:
    """A lease bucket whose renewal swallows a cancellation, as ``wait_for`` may."""

    def __init__(self) -> None:
        self.revision = 0
        self.renewing = asyncio.Event()
        self.swallowed = 0

    async def create(self, key: str, value: bytes) -> int:
        self.revision += 1
        return self.revision

    async def update(self, key: str, value: bytes, last: int) -> int:
        self.renewing.set()
        try:
            await asyncio.sleep(0.05)
        except asyncio.CancelledError:
            self.swallowed += 1  # the reply "arrived" with the cancellation: it is lost
        self.revision += 1
        return self.revision

    async def delete(self, key: str, last: int) -> None:
        return None


class JetStream:
    def __init__(self, kv: SwallowingKeyValue) -> None:
        self.kv = kv

    async def key_value(self, bucket: str) -> Any:
        return self.kv


async def _nothing() -> None:
    return None


def _lease(kv: SwallowingKeyValue) -> Lease:
    return Lease(JetStream(kv), "sales", ttl=0.5, replicas=1,  # type: ignore[arg-type]
                 on_acquired=_nothing, on_lost=_nothing)


async def test_a_lease_asked_to_stop_ends_although_its_cancellation_was_swallowed() -> None:
    kv = SwallowingKeyValue()
    lease = _lease(kv)
    task = asyncio.create_task(lease.run())
    await asyncio.wait_for(kv.renewing.wait(), 5)
    lease.stop()
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=2.0)
    assert kv.swallowed == 1, "the fake did not swallow the cancellation: the test proves nothing"
    assert done == {task}, "the lease task went on renewing after it was asked to stop"


async def test_without_stop_a_swallowed_cancellation_keeps_the_lease_renewing() -> None:
    """The failure the flag guards against, shown on the same fake (so the test above is not
    passing for another reason)."""
    kv = SwallowingKeyValue()
    lease = _lease(kv)
    task = asyncio.create_task(lease.run())
    await asyncio.wait_for(kv.renewing.wait(), 5)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=0.5)
    assert kv.swallowed == 1 and not done and lease.held
    lease.stop()
    await asyncio.wait_for(task, 2.0)
