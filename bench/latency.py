"""Step 3: end-to-end latency, command accepted -> row visible in the Sample Record Summary.

The real system runs as subprocesses (an embedded nats-server, the four department services and
the projections, as ``salesflow up`` starts them). ``request_sample`` commands go out on a fixed
schedule (``rate`` per second, each on its own task, never waiting for the previous reply). The
moment each reply comes back accepted is recorded; a background thread polls the projections'
SQLite file every ~2 ms through a read-only connection and records when each request number
first appears in ``sample_summary``. Latency = first seen - accepted (same monotonic clock).
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client as Nats

from contracts.subjects import command_subject, status_subject
from services.runtime.nats_server import EmbeddedNats

COMPONENTS = ("sales", "engineering", "production", "quality", "projections")
ROOT = Path(__file__).resolve().parent.parent
MATERIALS = {"drawings": True, "technical_requirements": True, "original_sample": True,
             "quality_requirements": True, "key_notes": False}
POLL_SECONDS = 0.002

Say = Callable[[str], None]


@dataclass
class LatencyResult:
    sent: int
    accepted: int
    seen: int
    latencies_ms: list[float] = field(default_factory=list)
    reply_ms: list[float] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def live_table(conn: sqlite3.Connection) -> str:
    """The physical name of the live Sample Record Summary (read models are versioned builds)."""
    found = conn.execute("SELECT version, token FROM read_models WHERE model = 'samples' "
                         "AND state = 'live'").fetchone()
    if found is None:
        raise sqlite3.OperationalError("no live build yet")
    return f"sample_summary_v{found[0]}_{found[1]}"


class RowWatcher(threading.Thread):
    """Records when each request number first shows up in ``sample_summary``."""

    def __init__(self, path: Path) -> None:
        super().__init__(name="row-watcher", daemon=True)
        self.path, self.stopping = path, threading.Event()
        self.seen: dict[str, float] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=1.0)
            last = 0
            while not self.stopping.is_set():
                try:
                    table = live_table(conn)
                    rows = conn.execute(f"SELECT rowid, request_no FROM {table} "
                                        "WHERE rowid > ? ORDER BY rowid", (last,)).fetchall()
                except sqlite3.OperationalError:  # busy, or table not there yet
                    rows = []
                now = time.monotonic()
                for rowid, request_no in rows:
                    self.seen.setdefault(request_no, now)
                    last = max(last, rowid)
                time.sleep(POLL_SECONDS)
            conn.close()
        except BaseException as error:  # noqa: BLE001 - reported by the caller
            self.error = error


class System:
    """nats-server plus every component as a child process, all stopped by ``stop``."""

    def __init__(self, data: Path, processes: Sequence[str] = COMPONENTS,
                 env: Mapping[str, str] | None = None, root: Path = ROOT,
                 python: str = sys.executable) -> None:
        self.root, self.python = root, python  # another checkout, e.g. to measure main as well
        self.data, self.logs = data, data / "logs"
        self.processes, self.extra_env = tuple(processes), dict(env or {})
        self.nats = EmbeddedNats(data / "nats", log_file=self.logs / "nats.log")
        self.children: dict[str, subprocess.Popen[bytes]] = {}

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.nats.start()
        env = dict(os.environ, SALESFLOW_DATA_DIR=str(self.data), NATS_URL=self.nats.url,
                   **self.extra_env)
        for name in self.processes:
            with open(self.logs / f"{name}.log", "ab") as out:
                self.children[name] = subprocess.Popen(
                    [self.python, "-m", "services.cli.main", "service", name], cwd=self.root,
                    env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    async def wait_ready(self, nc: Nats, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        for name in self.processes:
            while True:
                process = self.children[name]
                if process.poll() is not None:
                    tail = (self.logs / f"{name}.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")
                try:
                    await nc.request(status_subject(name), b"", timeout=0.5)
                    break
                except Exception:  # noqa: BLE001 - not answering yet
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{name} did not answer its status request") from None
                    await asyncio.sleep(0.1)

    def stop(self) -> None:
        for process in self.children.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.children.values():
            try:
                process.wait(15.0)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.nats.stop()


def command(no: str) -> bytes:
    return json.dumps({
        "actor": {"user": "amy", "role": "sales_assistant"}, "request_no": no,
        "customer": "Bench Customer", "product": "EMI gasket", "part_no": f"P-{no}",
        "salesperson": "bob", "materials": MATERIALS}).encode()


async def measure(data: Path, rate: float, seconds: float, say: Say) -> LatencyResult:
    system = System(data)
    watcher: RowWatcher | None = None
    nc: Nats | None = None
    try:
        say(f"latency: starting nats-server and {', '.join(COMPONENTS)} under {data} ...")
        system.start()
        nc = await nats.connect(system.nats.url, name="bench-latency")
        await system.wait_ready(nc)
        watcher = RowWatcher(data / "projections.sqlite")
        watcher.start()
        accepted: dict[str, float] = {}
        result = LatencyResult(sent=0, accepted=0, seen=0)
        subject = command_subject("sales", "request_sample")

        async def send(no: str) -> None:
            assert nc is not None
            sent = time.monotonic()
            try:
                reply = await nc.request(subject, command(no), timeout=5.0)
            except Exception as error:  # noqa: BLE001 - counted as refused
                result.refused.append(f"{no}: {type(error).__name__}")
                return
            now = time.monotonic()
            body = json.loads(reply.data)
            if body.get("ok"):
                accepted[no] = now
                result.reply_ms.append((now - sent) * 1000)
            else:
                result.refused.append(f"{no}: {body.get('error')}")

        say("latency: warm-up, 5 commands one at a time ...")
        run = f"L{int(time.time())}"
        for i in range(5):
            await send(f"{run}-warm-{i}")
            until = time.monotonic() + 5.0
            while f"{run}-warm-{i}" not in watcher.seen and time.monotonic() < until:
                await asyncio.sleep(0.01)
        accepted.clear()
        result.reply_ms.clear()
        total = int(rate * seconds)
        say(f"latency: {total} request_sample commands at {rate:g}/s for {seconds:g} s ...")
        tasks = []
        started = time.monotonic()
        for i in range(total):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(f"{run}-{i:05d}")))
        await asyncio.gather(*tasks)
        result.sent, result.accepted = total, len(accepted)
        grace = time.monotonic() + 10.0
        while time.monotonic() < grace and any(no not in watcher.seen for no in accepted):
            await asyncio.sleep(0.05)
        for no, at in accepted.items():
            if no in watcher.seen:
                result.latencies_ms.append((watcher.seen[no] - at) * 1000)
        result.seen = len(result.latencies_ms)
        if watcher.error is not None:
            raise RuntimeError(f"row watcher failed: {watcher.error!r}")
        return result
    finally:
        if watcher is not None:
            watcher.stopping.set()
            watcher.join(2.0)
        if nc is not None:
            try:
                await nc.close()
            except Exception:  # noqa: BLE001 - stopping anyway
                pass
        say("latency: stopping the system ...")
        system.stop()
