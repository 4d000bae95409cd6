"""When ``salesflow up`` restarts a child that died, and when it gives up on one.

Pure bookkeeping on monotonic times handed in by the caller, so the schedule is tested without
processes or clocks, and the supervisor's watch loop never sleeps on one child's behalf.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RestartSchedule:
    """One child's restart pauses: doubling after each death, back to the first after a stable run."""

    first_pause: float = 0.5
    longest_pause: float = 30.0
    # A child that stayed up this long died of something new: start over at the first pause.
    stable_after: float = 15.0
    # Deaths in a row without ever becoming ready: the component cannot start; stop trying.
    start_attempts: int = 5
    deaths: int = 0
    failed_starts: int = 0
    started_at: float = 0.0
    ready: bool = False

    def started(self, now: float) -> None:
        self.started_at, self.ready = now, False

    def became_ready(self) -> None:
        self.ready, self.failed_starts = True, 0

    def exited(self, now: float) -> float:
        """Record a death at ``now``; return the time to start the child again."""
        if now - self.started_at >= self.stable_after:
            self.deaths = 0
        if not self.ready:
            self.failed_starts += 1
        pause = min(self.first_pause * 2 ** min(self.deaths, 30), self.longest_pause)
        self.deaths += 1
        return now + pause

    @property
    def gave_up(self) -> bool:
        """True once the child died ``start_attempts`` times in a row before becoming ready."""
        return self.failed_starts >= self.start_attempts
