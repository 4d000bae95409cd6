"""A process asked to stop ends within the deadline, also when some task ignores cancellation."""
from __future__ import annotations

import subprocess
import sys
import time


def test_a_process_that_does_not_stop_in_time_is_ended_by_the_watchdog_and_says_so() -> None:
    script = ("import time\nfrom services.runtime.lifecycle import exit_anyway_after\n"
              "exit_anyway_after(1.0)\ntime.sleep(30)\n")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                          timeout=20)
    assert done.returncode == 3 and time.monotonic() - started < 10
    assert "did not stop within 1 s of being asked" in done.stderr and "强制退出" in done.stderr


def test_a_process_that_ends_in_time_is_left_alone() -> None:
    script = ("from services.runtime.lifecycle import exit_anyway_after\n"
              "exit_anyway_after(5)\nprint('done')\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False,
                          timeout=20)
    assert done.returncode == 0 and done.stdout.strip() == "done" and "强制退出" not in done.stderr
