"""The faults a chaos run injects, each through the operating system as an operator's mistake would.

| kind | what | who heals it |
| --- | --- | --- |
| none | nothing: the control, the same load without a fault | - |
| kill-service | ``kill -9`` of a random department service (sales, engineering, production) | the supervisor restarts it |
| kill-projections | ``kill -9`` of the projections process | the supervisor |
| kill-nats | ``kill -9`` of the embedded nats-server | the supervisor, same port and store |
| restart-nats | SIGTERM to the embedded nats-server (a clean stop) | the supervisor, same port and store |
| kill-leader | 3-node cluster: ``kill -9`` of the node leading a department stream | the harness restarts that node after 1-3 s |

Quality is left out of kill-service: it has no commands in this version and reacts to nothing,
so killing it tests only the supervisor.
"""
from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from dataclasses import dataclass

from bench.chaos_evidence import STREAMS, statuses, stream_leader
from bench.chaos_rig import Rig
from contracts.subjects import COMPONENTS, PROJECTIONS

CONTROL = "none"
SINGLE_KINDS = ("kill-service", "kill-projections", "kill-nats", "restart-nats")
CLUSTER_KINDS = ("kill-leader",)
KINDS = SINGLE_KINDS + CLUSTER_KINDS
BUSY = ("sales", "engineering", "production")


class NotInjected(RuntimeError):
    """The fault could not be injected (its target was not found)."""


@dataclass
class Fault:
    kind: str
    target: str
    at: float  # time.monotonic() of the kill
    pid: int | None = None
    heal: asyncio.Task[str] | None = None  # the harness's own repair (a restarted node), if any
    elected: float | None = None  # kill-leader: seconds until the stream had a new leader


async def inject(kind: str, rig: Rig, rng: random.Random) -> Fault:
    if kind == CONTROL:
        return Fault(kind, "-", time.monotonic())
    if kind in ("kill-service", "kill-projections"):
        target = rng.choice(BUSY) if kind == "kill-service" else PROJECTIONS
        assert rig.client is not None
        answer = (await statuses(rig.client.nc)).get(target)
        if not answer or not isinstance(answer.get("pid"), int):
            raise NotInjected(f"{target} does not answer its status request: no pid to kill")
        pid = int(answer["pid"])
        os.kill(pid, signal.SIGKILL)
        return Fault(kind, target, time.monotonic(), pid)
    if kind in ("kill-nats", "restart-nats"):
        found = rig.system.embedded_nats_pid()
        if found is None:
            raise NotInjected("no embedded nats-server found (is NATS_URL set?)")
        os.kill(found, signal.SIGKILL if kind == "kill-nats" else signal.SIGTERM)
        return Fault(kind, "nats-server", time.monotonic(), found)
    if kind == "kill-leader":
        return await kill_leader(rig, rng)
    raise ValueError(f"unknown fault kind {kind}")


async def kill_leader(rig: Rig, rng: random.Random) -> Fault:
    """``kill -9`` the node leading a busy department's stream; restart it 1-3 s after a new
    leader took over."""
    assert rig.cluster is not None
    department = rng.choice(BUSY)
    stream = STREAMS[department]
    leader = await stream_leader(rig.js, stream)
    if leader not in rig.cluster.nodes:
        raise NotInjected(f"{stream} has no leader among {sorted(rig.cluster.nodes)} ({leader!r})")
    node = rig.cluster.nodes[leader]
    pid = node.process.pid if node.process else None
    node.kill()
    fault = Fault("kill-leader", f"{leader} (leader of {stream})", time.monotonic(), pid)
    down = rng.uniform(1.0, 3.0)

    assert rig.client is not None
    quick = rig.client.nc.jetstream(timeout=1.0)  # a request to the dead node must not hold us

    async def heal() -> str:
        elected, deadline = None, time.monotonic() + 60.0
        while time.monotonic() < deadline:
            try:
                elected = await stream_leader(quick, stream)
            except Exception:  # noqa: BLE001 - no leader yet: the request times out
                elected = None
            if elected and elected != leader:
                break
            await asyncio.sleep(0.2)
        took = time.monotonic() - fault.at
        if elected and elected != leader:
            fault.elected = took
        await asyncio.sleep(down)
        node.start()
        healthy = await rig.cluster.wait_healthy([leader], 90.0)  # type: ignore[union-attr]
        return (f"new leader {elected or 'NONE'} after {took:.1f} s; {leader} restarted after "
                f"{down:.1f} s down, healthy {healthy:.1f} s later")

    fault.heal = asyncio.create_task(heal(), name="heal")
    return fault


async def back(rig: Rig, fault: Fault, timeout: float) -> float | None:
    """Seconds from the fault until every component answers again (the killed one, or the
    broker, with a new pid); None if not within ``timeout``."""
    assert rig.client is not None
    while time.monotonic() - fault.at < timeout:
        answers = await statuses(rig.client.nc, timeout=0.5)
        ready = all(answers.get(name) for name in COMPONENTS)
        if fault.kind == "kill-leader":
            ready = ready and fault.elected is not None
        elif fault.target in COMPONENTS:
            ready = ready and (answers[fault.target] or {}).get("pid") != fault.pid
        elif fault.kind in ("kill-nats", "restart-nats"):
            now = rig.system.embedded_nats_pid()
            ready = ready and now is not None and now != fault.pid
        if ready:
            return time.monotonic() - fault.at
        await asyncio.sleep(0.1)
    return None
