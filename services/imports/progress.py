"""Progress of a long import on stderr: rows done, rows/s and the time left, about once a second
(only on a terminal, or when asked with ``--progress``)."""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

EVERY = 1.0  # seconds between two lines


class Progress:
    """One phase (reading, sending) of an import."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.clock = clock
        self.started = self.last = clock()

    def tick(self, done: int) -> None:
        now = self.clock()
        if now - self.last >= EVERY:
            self.last = now
            self.stream.write(self.line(done, now) + "\n")
            self.stream.flush()

    def finish(self, done: int) -> None:
        self.stream.write(self.line(done, self.clock()) + "\n")
        self.stream.flush()

    def line(self, done: int, now: float) -> str:
        elapsed = max(now - self.started, 1e-9)
        rate = done / elapsed
        of = f"/{self.total}" if self.total else ""
        left = ""
        if self.total and rate > 0 and done < self.total:
            seconds = (self.total - done) / rate
            left = f", ETA {seconds:.0f} s / 剩余约 {seconds:.0f} 秒"
        return f"{self.label}: {done}{of} rows 行, {rate:,.0f} rows/s 行/秒{left}"


def progress_factory(enabled: bool) -> Callable[[str, int | None], Progress] | None:
    """Progress lines when ``enabled`` or stderr is a terminal, else none."""
    if not (enabled or sys.stderr.isatty()):
        return None
    return Progress
