"""Waiting for the signal to stop, the same way in every process."""
from __future__ import annotations

import asyncio
import signal


async def until_signalled() -> None:
    """Return on SIGINT or SIGTERM (Ctrl-C, or the supervisor stopping us)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
