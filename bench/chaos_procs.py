"""Processes of a chaos run: ``salesflow up`` as a user starts it, and the sweep that leaves none behind.

Every process the run starts carries ``CHAOS_RUN=<run id>`` in its environment, and the
processes ``salesflow up`` starts inherit it (the supervisor passes its environment on). So the
final sweep finds exactly the processes of this run, also those a crashed supervisor left
behind, without matching anything by name.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

MARKER = "CHAOS_RUN"
SALESFLOW = str(Path(sys.executable).parent / "salesflow")


def marked(run_id: str) -> Iterator[int]:
    """Pids of live processes whose environment carries this run's marker."""
    needle = f"{MARKER}={run_id}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:  # gone, or not ours
            continue
        if needle in environ.split(b"\0"):
            yield int(entry.name)


def sweep(run_id: str) -> list[int]:
    """``kill -9`` every process of this run still alive; returns their pids."""
    killed = []
    for pid in marked(run_id):
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except ProcessLookupError:
            pass
    return killed


def command_line(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [part.decode(errors="replace") for part in raw.split(b"\0") if part]


def stop_process(process: subprocess.Popen[bytes], sig: int, timeout: float) -> None:
    """Signal, wait, and ``kill -9`` if it did not stop in time."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class UpSystem:
    """``salesflow up`` in the background with a private data directory (and NATS, if given)."""

    def __init__(self, root: Path, run_id: str, *, nats_url: str | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.root, self.data = root, root / "data"
        self.log = root / "up.log"
        self.env = {k: v for k, v in os.environ.items() if k not in ("NATS_URL", "SALESFLOW_NATS_URL")}
        self.env.update(env or {})
        self.env.update({MARKER: run_id, "SALESFLOW_DATA_DIR": str(self.data)})
        if nats_url:
            self.env["NATS_URL"] = nats_url
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as out:
            # Its own session: a Ctrl-C in the terminal reaches the harness, which stops it in order.
            self.process = subprocess.Popen([SALESFLOW, "up"], env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def restarts(self) -> int:
        """Children the supervisor restarted so far (it says so on its output)."""
        return sum(1 for line in self.output().splitlines() if "restarting" in line)

    def nats_url(self) -> str | None:
        if "NATS_URL" in self.env:
            return self.env["NATS_URL"]
        try:
            return (self.data / "nats.url").read_text().strip() or None
        except FileNotFoundError:
            return None

    def embedded_nats_pid(self) -> int | None:
        """The nats-server the supervisor runs (found by our marker, then by its program)."""
        run_id = self.env[MARKER]
        for pid in marked(run_id):
            line = command_line(pid)
            if line and Path(line[0]).name == "nats-server":
                return pid
        return None

    def stop(self, timeout: float = 40.0) -> None:
        """Ctrl-C, as a user stops it: services first, NATS last."""
        if self.process is not None:
            stop_process(self.process, signal.SIGINT, timeout)

    def run_cli(self, *args: str, timeout: float = 300.0) -> subprocess.CompletedProcess[str]:
        """A one-shot ``salesflow`` command against this system."""
        return subprocess.run([SALESFLOW, *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)

