"""The supervisor's restart schedule: per child, doubling, reset after a stable run, never sleeping."""
from __future__ import annotations

from pathlib import Path

import pytest

from services.runtime import supervisor
from services.runtime.restarts import RestartSchedule
from services.runtime.settings import Settings


def deaths(schedule: RestartSchedule, times: list[float], ready: bool = False) -> list[float]:
    """Start at each time, die right away; the pauses the schedule asks for."""
    pauses = []
    for now in times:
        schedule.started(now)
        if ready:
            schedule.became_ready()
        pauses.append(schedule.exited(now + 1.0) - (now + 1.0))
    return pauses


def test_each_quick_death_doubles_the_pause_up_to_the_longest() -> None:
    schedule = RestartSchedule(first_pause=0.5, longest_pause=4.0, start_attempts=100)
    assert deaths(schedule, [0, 2, 4, 8, 14, 20]) == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]


def test_a_child_that_stayed_up_a_while_starts_over_at_the_first_pause() -> None:
    schedule = RestartSchedule(first_pause=0.5, stable_after=60.0)
    assert deaths(schedule, [0, 2, 4], ready=True) == [0.5, 1.0, 2.0]
    schedule.started(10.0)
    schedule.became_ready()
    assert schedule.exited(10.0 + 61.0) == 71.5  # up 61 s: first pause again
    assert deaths(schedule, [80.0], ready=True) == [1.0]


def test_the_pause_stays_bounded_after_very_many_deaths() -> None:
    schedule = RestartSchedule(first_pause=0.5, longest_pause=30.0)
    for now in range(5000):
        schedule.started(float(now))
        schedule.became_ready()
        pause = schedule.exited(float(now) + 0.5) - (now + 0.5)
    assert pause == 30.0


def test_only_deaths_before_ready_count_as_failed_starts_and_ready_forgives_them() -> None:
    schedule = RestartSchedule(start_attempts=3)
    deaths(schedule, [0, 1])
    assert not schedule.gave_up and schedule.failed_starts == 2
    deaths(schedule, [5], ready=True)  # it came up once: the component can start
    assert schedule.failed_starts == 0
    deaths(schedule, [10, 20, 30])
    assert schedule.gave_up


class FakeChild:
    """What the watch loop uses of a child, with deaths decided by the test."""

    def __init__(self, name: str) -> None:
        self.name, self.pid, self.returncode, self.log = name, 1, 1, Path(f"{name}.log")
        self.schedule = RestartSchedule(first_pause=0.5)
        self.restart_at: float | None = None
        self.running, self.starts = True, [0.0]

    def check_ready(self) -> bool:
        return False

    def alive(self) -> bool:
        return self.running

    def exited(self, now: float) -> float:
        self.restart_at = self.schedule.exited(now)
        return self.restart_at - now

    def start(self, now: float) -> None:
        self.running, self.restart_at = True, None
        self.schedule.started(now)
        self.starts.append(now)

    def last_words(self) -> str:
        return "boom"


def test_the_watch_loop_schedules_each_restart_instead_of_sleeping(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sleep(seconds: float) -> None:
        raise AssertionError(f"the watch loop slept {seconds} s for one child")

    monkeypatch.setattr(supervisor.time, "sleep", no_sleep)
    watch = supervisor.Supervisor(Settings(data_dir=tmp_path), tmp_path)
    crashing, steady = FakeChild("sales"), FakeChild("quality")
    for child in (crashing, steady):
        child.schedule.started(0.0)
    for now in (1.0, 1.2, 1.4, 1.6):  # sales died at 1.0: restarted at 1.5 and not before
        if now == 1.0:
            crashing.running = False
        if now == 1.2:
            steady.running = False  # noticed at once, although sales waits for its restart
        for child in (crashing, steady):
            assert watch._keep(child, now) is None  # type: ignore[arg-type]
    assert crashing.starts == [0.0, 1.6] and steady.starts == [0.0]
    assert steady.restart_at == 1.7
