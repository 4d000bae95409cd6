"""Progress lines of the benchmarks: seconds since the run started, then what happens."""
from __future__ import annotations

import time

STARTED = time.perf_counter()


def say(line: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {line}", flush=True)
