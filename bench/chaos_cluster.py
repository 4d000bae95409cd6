"""A 3-node NATS JetStream cluster of local ``nats-server``s (the venv's binary), as docker-compose runs it.

Each node gets a config file with a ``cluster {}`` block and routes to the other two on free
ports, its own JetStream store under the run's temporary directory, a monitoring port (for
``/healthz``) and the server name n1..n3, which is what ``stream_info().cluster.leader`` names.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

from bench.chaos_procs import MARKER, stop_process
from services.runtime.nats_server import binary, free_port

NAMES = ("n1", "n2", "n3")


class Node:
    """One cluster node; ``kill`` and ``start`` keep its ports and store."""

    def __init__(self, name: str, root: Path, run_id: str) -> None:
        self.name, self.root, self.run_id = name, root, run_id
        self.port, self.cluster_port, self.http_port = free_port(), free_port(), free_port()
        self.store = root / name
        self.config = root / f"{name}.conf"
        self.log = root / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def write_config(self, peers: list[Node]) -> None:
        routes = ", ".join(f"nats-route://127.0.0.1:{p.cluster_port}" for p in peers if p is not self)
        self.store.mkdir(parents=True, exist_ok=True)
        self.config.write_text(
            f'server_name: {self.name}\nlisten: 127.0.0.1:{self.port}\n'
            f'http: 127.0.0.1:{self.http_port}\n'
            "max_payload: 16MB\n"  # customer documents travel in one command (as the embedded server)
            f'jetstream {{ store_dir: "{self.store}" }}\n'
            f'cluster {{\n  name: salesflow-chaos\n  listen: 127.0.0.1:{self.cluster_port}\n'
            f'  routes: [{routes}]\n}}\n')

    def start(self) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(
                [binary(), "-c", str(self.config)], stdout=out, stderr=subprocess.STDOUT,
                env={**os.environ, MARKER: self.run_id}, start_new_session=True)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """``kill -9``: no goodbye to the other nodes, nothing flushed."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, signal.SIGTERM, 15.0)

    def healthy(self) -> bool:
        """``/healthz``: JetStream up and current with the meta leader."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz",
                                        timeout=1.0) as reply:
                return bool(json.loads(reply.read()).get("status") == "ok")
        except (OSError, ValueError):
            return False


class Cluster:
    """n1..n3 on loopback; ``url`` is the comma-separated form ``NATS_URL`` takes."""

    def __init__(self, root: Path, run_id: str) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.nodes = {name: Node(name, root, run_id) for name in NAMES}
        for node in self.nodes.values():
            node.write_config(list(self.nodes.values()))

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes.values())

    async def start(self, timeout: float = 60.0) -> None:
        for node in self.nodes.values():
            node.start()
        await self.wait_healthy(list(self.nodes), timeout)

    async def wait_healthy(self, names: list[str], timeout: float) -> float:
        """Seconds until every named node answers healthy; raises after ``timeout``."""
        started = time.monotonic()
        while True:
            dead = [n for n in names if not self.nodes[n].alive()]
            if dead:
                raise RuntimeError(f"nats-server {', '.join(dead)} exited; see {self.nodes[dead[0]].log}")
            healthy = await asyncio.gather(*(asyncio.to_thread(self.nodes[n].healthy) for n in names))
            if all(healthy):
                return time.monotonic() - started
            if time.monotonic() - started > timeout:
                sick = [n for n, ok in zip(names, healthy, strict=True) if not ok]
                raise TimeoutError(f"nats-server {', '.join(sick)} not healthy after {timeout:.0f} s")
            await asyncio.sleep(0.2)

    def stop(self) -> None:
        for node in self.nodes.values():
            node.stop()
