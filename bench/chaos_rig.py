"""The system under test: ``salesflow up`` on its embedded NATS, or on a 3-node cluster.

``Rig`` starts it, connects the harness's CLI client, and stops everything it started (also
when the run is interrupted): the supervisor with Ctrl-C as a user would, the cluster nodes,
and then, by this run's environment marker, any process either of them left behind.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

from nats.js import JetStreamContext

from bench.chaos_cluster import Cluster
from bench.chaos_evidence import pending, replicas_current, statuses
from bench.chaos_load import TIMER_GRACE, RecordingClient
from bench.chaos_procs import UpSystem, sweep
from contracts.subjects import COMPONENTS
from services.cli.client import Client
from services.runtime.connect import NatsUnavailable
from services.runtime.settings import Settings

# Short timer grace: the demo's missed promise then raises its penalty ~3 s after the promise.
SYSTEM_ENV = {"SALESFLOW_TIMER_GRACE_SECONDS": f"{TIMER_GRACE.total_seconds():g}"}


class NotUp(RuntimeError):
    """The system did not come up (or not settle) in time; the message says what was seen."""


@dataclass
class Rig:
    root: Path
    run_id: str
    clustered: bool
    system: UpSystem = field(init=False)
    cluster: Cluster | None = None
    client: RecordingClient | None = None
    startup_seconds: float = 0.0
    startup_restarts: int = 0
    evidence: Path | None = None  # where a trial that found something keeps its stores and logs

    def __post_init__(self) -> None:
        env = dict(SYSTEM_ENV)
        url = None
        if self.clustered:
            self.cluster = Cluster(self.root / "nats", self.run_id)
            url = self.cluster.url
            env["SALESFLOW_STREAM_REPLICAS"] = "3"
        self.system = UpSystem(self.root, self.run_id, nats_url=url, env=env)

    @property
    def settings(self) -> Settings:
        return Settings(data_dir=self.system.data, nats_url=self.system.nats_url())

    @property
    def js(self) -> JetStreamContext:
        assert self.client is not None
        return self.client.nc.jetstream(timeout=10.0)

    async def start(self, timeout: float) -> None:
        started = time.monotonic()
        if self.cluster is not None:
            await self.cluster.start(timeout)
        self.system.start()
        deadline = started + timeout
        while self.client is None:
            if not self.system.alive():
                raise NotUp(f"`salesflow up` exited:\n{self.system.output()[-2000:]}")
            url = self.system.nats_url()
            if url:
                try:
                    self.client = RecordingClient.wrap(await Client.open(self.settings))
                    break
                except NatsUnavailable:
                    pass
            if time.monotonic() > deadline:
                raise NotUp(f"no NATS address after {timeout:.0f} s:\n{self.system.output()[-2000:]}")
            await asyncio.sleep(0.2)
        await self.wait_settled(deadline - time.monotonic(), "start")
        self.startup_seconds = time.monotonic() - started
        self.startup_restarts = self.system.restarts()

    async def wait_settled(self, timeout: float, what: str) -> None:
        """Every component answers and no consumer has anything pending (a fresh system)."""
        deadline = time.monotonic() + max(timeout, 1.0)
        reasons: list[str] = []
        while time.monotonic() < deadline:
            if not self.system.alive():
                raise NotUp(f"`salesflow up` exited during {what}:\n{self.system.output()[-2000:]}")
            answers = await statuses(self.client.nc) if self.client else {}
            reasons = [f"{name} does not answer" for name in COMPONENTS if not answers.get(name)]
            if not reasons:
                try:
                    waiting = await pending(self.js)
                    reasons = [f"{name}: {n} pending" for name, n in waiting.items() if n]
                    if self.cluster is not None:
                        reasons += await replicas_current(self.js)
                except Exception as error:  # noqa: BLE001 - streams not there yet, NATS busy
                    reasons = [f"JetStream: {type(error).__name__}: {error}"]
            if not reasons:
                return
            await asyncio.sleep(0.3)
        raise NotUp(f"not settled {timeout:.0f} s after {what}: {'; '.join(reasons)}; the supervisor "
                    f"restarted children {self.system.restarts()} times; {self.last_errors()}")

    def last_errors(self) -> str:
        """The last error line of each component's log, for a report."""
        found = []
        for name in COMPONENTS:
            try:
                lines = (self.system.data / "logs" / f"{name}.log").read_text(errors="replace").splitlines()
            except FileNotFoundError:
                continue
            errors = [line for line in lines if "Error" in line or "error" in line]
            if errors:
                found.append(f"{name}: {errors[-1].strip()[:300]}")
        return "last errors: " + (" | ".join(found) if found else "none logged")

    async def stop(self) -> list[int]:
        """Stop everything this rig started; returns the pids the final sweep had to kill."""
        if self.client is not None:
            try:
                await asyncio.wait_for(self.client.close(), 5.0)
            except Exception:  # noqa: BLE001 - stopping anyway
                pass
            self.client = None
        await asyncio.to_thread(self.system.stop)
        if self.cluster is not None:
            await asyncio.to_thread(self.cluster.stop)
        return sweep(self.run_id)
