"""A stop never hangs on a task that does not end when cancelled (the lease task did once)."""
from __future__ import annotations

import asyncio
import logging
import time

import pytest

from services.runtime.lifecycle import cancel_and_wait


async def test_a_task_that_ends_when_cancelled_is_waited_for() -> None:
    task = asyncio.create_task(asyncio.sleep(60), name="polite")
    await asyncio.sleep(0)
    await cancel_and_wait(task, timeout=5.0)
    assert task.cancelled()


async def test_a_task_that_swallows_its_cancellation_is_left_after_the_timeout_and_named(
        caplog: pytest.LogCaptureFixture) -> None:
    release = asyncio.Event()

    async def stubborn() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            await release.wait()  # ignores the cancellation, as the lease task once did

    task = asyncio.create_task(stubborn(), name="stubborn-lease")
    await asyncio.sleep(0)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        await cancel_and_wait(task, timeout=0.2)
    assert time.monotonic() - started < 1.0 and not task.done()
    assert "stubborn-lease did not end within" in caplog.text and "stubborn" in caplog.text
    release.set()
    await task
