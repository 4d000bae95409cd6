"""Runs the ``salesflow`` console script as a user would, against a private data directory."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SALESFLOW = str(Path(sys.executable).parent / "salesflow")


class System:
    """``salesflow up`` in the background, plus one-shot commands with the same data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.env = {k: v for k, v in os.environ.items() if k != "NATS_URL"}
        self.env["SALESFLOW_DATA_DIR"] = str(data_dir)
        self.env["SALESFLOW_GATEWAY_PORT"] = "0"  # a free one: tests may run side by side
        self.data_dir = data_dir
        self.up_log = data_dir.parent / "up.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0) -> dict[str, int]:
        """Start and wait until every component answers; return the pids it printed."""
        with open(self.up_log, "ab") as out:
            self.process = subprocess.Popen([SALESFLOW, "up"], env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.up_log.read_text()
            if self.run("status", check=False).returncode == 0:
                return self.pids()
            time.sleep(0.3)
        raise AssertionError("system did not come up:\n" + self.up_log.read_text())

    def pids(self) -> dict[str, int]:
        """The pid each component answers with (all must answer)."""
        states = json.loads(self.run("status", "--json").stdout)["components"]
        return {name: int(state["pid"]) for name, state in states.items()}

    def stop(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout)

    def run(self, *args: str, check: bool = True, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run([SALESFLOW, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"salesflow {' '.join(args)} failed ({done.returncode}):\n"
                                 f"{done.stdout}\n{done.stderr}")
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args, "--json").stdout)

    def leftovers(self, timeout: float = 20.0) -> list[str]:
        """Wait for every process of this data directory to end; kill and describe the rest."""
        return reap(self.data_dir, timeout)

    def wait_for(self, check: Any, what: str, timeout: float = 60.0) -> Any:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = check()
            if last:
                return last
            time.sleep(0.3)
        raise AssertionError(f"timed out waiting for {what}; last: {last}")


def processes_using(data_dir: Path) -> dict[int, str]:
    """Live processes whose command line or environment names ``data_dir`` (Linux ``/proc``).

    ``pgrep -f`` finds nats-server (its store is on its command line); the components carry the
    data directory only in their environment (``SALESFLOW_DATA_DIR``), so both are searched.
    """
    marker = str(data_dir).encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours
            continue
        if cmdline and (marker in cmdline or marker in environ):  # a zombie has no command line
            found[int(entry.name)] = cmdline.replace(b"\0", b" ").decode(errors="replace").strip()
    return found


def reap(data_dir: Path, timeout: float = 20.0) -> list[str]:
    """Wait up to ``timeout`` for the processes of ``data_dir`` to end; SIGKILL and list the rest."""
    deadline = time.monotonic() + timeout
    while (left := processes_using(data_dir)) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return [f"{pid}: {cmd}" for pid, cmd in left.items()]
