"""``salesflow up``: NATS, then every department service and the projections, each its own process.

Children run in their own process groups, so Ctrl-C reaches only the supervisor, which then
stops the services first and NATS last. A child that dies is restarted after a short pause.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from contracts.subjects import COMPONENTS
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import NATS_ADDRESS_FILE, Settings

PID_FILE = "salesflow.pid"


class Child:
    """One component process, with its log file."""

    def __init__(self, name: str, env: dict[str, str], logs: Path) -> None:
        self.name, self.env, self.log = name, env, logs / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "services.cli.main", "service", self.name],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> None:
        if self.alive():
            assert self.process is not None
            self.process.send_signal(signal.SIGTERM)

    def wait(self, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _already_running(pid_file: Path) -> int | None:
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None
    return pid


def run_up(settings: Settings) -> int:
    data = settings.data_dir.resolve()
    logs = data / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    pid_file = data / PID_FILE
    if (pid := _already_running(pid_file)) is not None:
        print(f"salesflow is already running with data directory {data} (pid {pid}); "
              f"stop it first / salesflow 已在运行（pid {pid}）", file=sys.stderr)
        return 2
    server: EmbeddedNats | None = None
    url = settings.nats_url
    if not url:
        server = EmbeddedNats(data / "nats", settings.nats_port, log_file=logs / "nats.log")
        server.start()
        url = server.url
    else:
        _check_reachable(url)
    pid_file.write_text(str(os.getpid()))
    (data / NATS_ADDRESS_FILE).write_text(url)
    env = dict(os.environ, SALESFLOW_DATA_DIR=str(data), NATS_URL=url)
    children = [Child(name, env, logs) for name in COMPONENTS]
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        for child in children:
            child.start()
        where = "embedded nats-server" if server else "external NATS"
        print(f"salesflow is up / 系统已启动\n  NATS: {url} ({where})\n  data: {data}\n  logs: {logs}")
        for child in children:
            assert child.process is not None
            print(f"  {child.name:12} pid {child.process.pid}")
        print("Try `salesflow demo`, then `salesflow samples`. Press Ctrl-C to stop / 按 Ctrl-C 停止.",
              flush=True)
        while not stopping:
            time.sleep(0.2)
            if server is not None and not server.alive() and not stopping:
                print(f"nats-server exited; restarting it on the same port and store "
                      f"(see {logs / 'nats.log'})", flush=True)
                server.start()
            for child in children:
                if not stopping and not child.alive():
                    child.restarts += 1
                    print(f"{child.name} exited (code {child.process.returncode if child.process else '?'});"
                          f" restarting (see {child.log})", flush=True)
                    time.sleep(min(child.restarts, 5) * 0.5)
                    child.start()
    finally:
        print("stopping / 正在停止 ...", flush=True)
        for child in children:
            child.terminate()
        for child in children:
            child.wait(15.0)
        if server is not None:
            server.stop()
        (data / NATS_ADDRESS_FILE).unlink(missing_ok=True)
        pid_file.unlink(missing_ok=True)
        print("stopped; data kept in " + str(data), flush=True)
    return 0


def _check_reachable(url: str) -> None:
    import asyncio

    from services.runtime.connect import connect

    async def probe() -> None:
        nc = await connect(url, "salesflow-up")
        await nc.close()

    asyncio.run(probe())
