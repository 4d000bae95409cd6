"""One component process of ``salesflow up``: started, watched for "ready", restarted on schedule."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from services.runtime.lifecycle import READY_FD, die_with_parent
from services.runtime.restarts import RestartSchedule

LAST_WORDS_BYTES = 8192


class Child:
    """One component process, its log file, its readiness and its restart schedule."""

    def __init__(self, name: str, env: dict[str, str], logs: Path, shared: tuple[int, ...] = ()) -> None:
        self.name, self.env, self.log, self.shared = name, env, logs / f"{name}.log", shared
        self.process: subprocess.Popen[bytes] | None = None
        self.schedule = RestartSchedule()
        self.restart_at: float | None = None  # set while dead, until it is started again
        self._ready_pipe: int | None = None
        self._log_start = 0

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def ready(self) -> bool:
        return self.schedule.ready

    def start(self, now: float) -> None:
        self._log_start = self.log.stat().st_size if self.log.exists() else 0
        self._close_pipe()
        read, write = os.pipe()
        try:
            with open(self.log, "ab") as out:
                # Own session: Ctrl-C in the terminal reaches only the supervisor, which stops
                # the children first and NATS last.
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "services.cli.main", "service", self.name],
                    env=dict(self.env, **{READY_FD: str(write)}), stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True, pass_fds=(write, *self.shared), preexec_fn=die_with_parent())
        finally:
            os.close(write)
        os.set_blocking(read, False)
        self._ready_pipe = read
        self.schedule.started(now)
        self.restart_at = None

    def check_ready(self) -> bool:
        """True at the moment the child reports that it answers (once per start)."""
        if self._ready_pipe is None:
            return False
        try:
            said = os.read(self._ready_pipe, 64)
        except BlockingIOError:
            return False
        self._close_pipe()  # "ready", or end of file: the child died before saying it
        if said:
            self.schedule.became_ready()
            return True
        return False

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process else None

    def exited(self, now: float) -> float:
        """Note a death; return the pause before the next start."""
        self._close_pipe()
        self.restart_at = self.schedule.exited(now)
        return self.restart_at - now

    def last_words(self) -> str:
        """The last line this start wrote to its log: usually the exception that ended it."""
        try:
            with open(self.log, "rb") as log:
                log.seek(max(self._log_start, log.seek(0, os.SEEK_END) - LAST_WORDS_BYTES))
                lines = log.read().decode(errors="replace").splitlines()
        except OSError:
            return "its log cannot be read"
        said = [line.strip() for line in lines if line.strip()]
        return said[-1][:300] if said else "nothing in its log"

    def terminate(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)

    def wait(self, until: float) -> bool:
        """Wait until the monotonic time ``until`` for it to exit, then kill it; True if killed."""
        killed = False
        if self.process is not None:
            try:
                self.process.wait(max(until - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                killed = True
        self._close_pipe()
        return killed

    def _close_pipe(self) -> None:
        if self._ready_pipe is not None:
            os.close(self._ready_pipe)
            self._ready_pipe = None
