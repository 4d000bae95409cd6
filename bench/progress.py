"""What every benchmark shares: progress lines (seconds since the run started, then what
happens), its markdown table, and how it runs (Ctrl-C or SIGTERM still stop what it started)."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Sequence

STARTED = time.perf_counter()


def say(line: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {line}", flush=True)


def markdown(rows: Sequence[Sequence[str]]) -> str:
    """A markdown table; the first row is the head."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"
             for row in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def cancel_on_sigterm() -> None:
    """SIGTERM cancels the running benchmark like Ctrl-C does, so every process it started is
    still stopped by its own ``finally``."""
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def run_benchmark(main: Callable[[], Awaitable[int]]) -> int:
    """Run one benchmark's ``main``; an interruption is one sentence and exit code 130."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(main())  # type: ignore[arg-type]
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; every process it started was stopped", file=sys.stderr)
        return 130
