"""One trial: load, a fault in the middle of it, then wait for quiescence and check everything.

Quiescent means: every component answers, no durable consumer has anything pending, (in a
cluster) every stream has a leader and current replicas, and neither the stores nor the
streams changed for a second. A relay that stays behind its store (the stream holds fewer
messages than the store has events) is given a longer while before its gap is called a loss.
"""
from __future__ import annotations

import asyncio
import logging
import random
import shutil
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import chaos_checks as checks
from bench.chaos_evidence import (
    STREAMS,
    dead_letters,
    pending,
    read_stores,
    read_streams,
    replicas_current,
    statuses,
    stream_states,
)
from bench.chaos_faults import Fault, NotInjected, back, inject
from bench.chaos_load import Load
from bench.chaos_rig import Rig
from contracts.subjects import (
    COMPONENTS,
    QUERY_COMPLAINTS,
    QUERY_CUSTOMERS,
    QUERY_HISTORY,
    QUERY_ORDERS,
    QUERY_SAMPLES,
)
from services.runtime.store import DepartmentApplication

log = logging.getLogger(__name__)
SETTLE = 1.0  # nothing changed for this long: quiescent
STUCK = 8.0  # ... or this long, when a stream is behind its store


@dataclass
class TrialResult:
    number: int
    kind: str
    target: str = "-"
    flows: int = 0
    failed_flows: list[str] = field(default_factory=list)
    back_seconds: float | None = None
    quiescent: bool = False
    flows_seconds: float | None = None  # fault -> the last flow of the burst finished
    quiet_seconds: float | None = None  # fault -> quiescent
    recovery_seconds: float | None = None  # fault -> quiescent and consistent; None: never
    findings: checks.Findings = field(default_factory=checks.empty)
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"number": self.number, "kind": self.kind, "target": self.target, "flows": self.flows,
                "failed_flows": self.failed_flows, "back_seconds": self.back_seconds,
                "quiescent": self.quiescent, "flows_seconds": self.flows_seconds,
                "quiet_seconds": self.quiet_seconds, "recovery_seconds": self.recovery_seconds,
                "counts": checks.counts(self.findings), "findings": self.findings, "notes": self.notes}


def store_heads(rig: Rig) -> dict[str, int]:
    """Each department store's last notification id (blocking)."""
    heads = {}
    for department in STREAMS:
        app = DepartmentApplication(rig.settings.store_env(department))
        try:
            heads[department] = app.recorder.max_notification_id() or 0
        finally:
            app.close()
    return heads


async def quiescence(rig: Rig, timeout: float) -> tuple[bool, str]:
    """Wait until nothing moves; (True, note) or (False, what still moved at the deadline)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    since = time.monotonic()
    reasons: list[str] = []
    while True:
        now = time.monotonic()
        if not rig.system.alive():
            return False, "`salesflow up` exited"
        infos: dict[str, Any] = {}
        try:
            assert rig.client is not None
            answers = await statuses(rig.client.nc)
            reasons = [f"{n} does not answer" for n in COMPONENTS if not answers.get(n)]
            waiting = await pending(rig.js)
            reasons += [f"{name}: {n} pending" for name, n in sorted(waiting.items()) if n]
            if rig.cluster is not None:
                reasons += await replicas_current(rig.js)
            heads = await asyncio.to_thread(store_heads, rig)
            infos = await stream_states(rig.js)
            snapshot = (heads, {n: st.last_seq for n, st in infos.items()}, waiting)
        except Exception as error:  # noqa: BLE001 - NATS reconnecting, a store busy
            reasons, snapshot = [f"{type(error).__name__}: {error}"], None
        behind = [d for d, head in (snapshot[0].items() if snapshot else ())
                  if (infos[STREAMS[d]].messages if STREAMS[d] in infos else 0) < head]
        if reasons or snapshot != last:
            since = now
        last = snapshot
        if not reasons and now - since >= (STUCK if behind else SETTLE):
            return True, (f"streams of {', '.join(behind)} stayed behind their stores" if behind else "")
        if now > deadline:
            return False, "; ".join(reasons) or "still changing"
        await asyncio.sleep(0.25)


async def read_models(rig: Rig, records: list[str]) -> dict[str, Any]:
    assert rig.client is not None
    client = rig.client
    return {"samples": await client.query(QUERY_SAMPLES, {}),
            "customers": await client.query(QUERY_CUSTOMERS, {}),
            "orders": await client.query(QUERY_ORDERS, {}),
            "complaints": await client.query(QUERY_COMPLAINTS, {}),
            "history": {r: await client.query(QUERY_HISTORY, {"record_no": r}) for r in records}}


async def consistency(rig: Rig, load: Load) -> checks.Findings:
    """Stores against streams, replies against stores, reactions, dead letters."""
    assert rig.client is not None
    stores = await read_stores(rig.settings)
    streams = await read_streams(rig.js)
    return checks.merge(checks.streams_against_stores(stores, streams),
                        checks.accepted_in_stores(stores, rig.client.accepted),
                        checks.reactions(stores, load.flows),
                        checks.penalties(stores, datetime.now(UTC)),
                        checks.dead_lettered(await dead_letters(rig.js)))


async def models(rig: Rig, records: list[str], known: checks.Findings, found: checks.Findings,
                 evidence: Path | None) -> tuple[checks.Findings, list[str]]:
    """The read models against the stores and against ``salesflow rebuild``. When this trial
    found anything (``found``, or here) and ``evidence`` is given, the stores and logs are
    copied there first (the rebuild would repair the read models)."""
    notes = []
    before = await read_models(rig, records)
    stores = await read_stores(rig.settings)
    everything = checks.merge(known, found)
    trails = checks.histories_against_stores(before["history"], stores, everything)
    if evidence is not None and any(checks.merge(found, checks.new_since(trails, everything)).values()):
        await asyncio.to_thread(keep_evidence, rig.system.data, evidence)
        notes.append(f"stores and logs as found kept in {evidence}")
    rebuilt = await asyncio.to_thread(rig.system.run_cli, "rebuild")
    if rebuilt.returncode != 0:
        notes.append(f"salesflow rebuild failed ({rebuilt.returncode}): "
                     f"{(rebuilt.stderr or rebuilt.stdout)[-300:]}")
    after = await read_models(rig, records)
    return checks.merge(trails, checks.models_against_rebuild(before, after)), notes


def keep_evidence(data: Path, where: Path) -> None:
    """A consistent copy of every SQLite store (the backup API), and the logs so far."""
    where.mkdir(parents=True, exist_ok=True)
    for db in data.glob("*.sqlite"):
        with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(where / db.name)) as dst:
            src.backup(dst)
    shutil.copytree(data / "logs", where / "logs", dirs_exist_ok=True)


async def run_trial(rig: Rig, load: Load, number: int, kind: str, rng: random.Random,
                    known: checks.Findings, *, load_after: float = 1.0,
                    timeout: float = 180.0) -> TrialResult:
    result = TrialResult(number, kind)
    started = await fault_window(rig, load, result, rng, load_after, timeout)
    try:
        await verify(rig, load, result, known, started, timeout)
    except Exception as error:
        log.exception("trial %d: the checks failed", number)
        result.notes.append(f"not run to the end: the checks failed: {type(error).__name__}: {error}")
    return result


async def verify(rig: Rig, load: Load, result: TrialResult, known: checks.Findings,
                 started: float, timeout: float) -> None:
    """Wait for quiescence, then check everything; the findings go into ``result``."""
    for attempt in (1, 2):
        result.quiescent, note = await quiescence(rig, max(timeout - (time.monotonic() - started), 5.0))
        result.quiet_seconds = time.monotonic() - started
        if not result.quiescent:
            note = f"not quiescent {timeout:.0f} s after the fault: {note}"
        if note:
            result.notes.append(note)
        found = checks.new_since(await consistency(rig, load), known)
        if not any(found.values()) or attempt == 2 or not result.quiescent:
            break
        await asyncio.sleep(2.0)  # a finding right at quiescence: look once more before reporting
    consistent_at = time.monotonic()
    records = [f.record for f in load.flows[len(load.flows) - result.flows:]]
    evidence = rig.evidence / f"trial-{result.number}" if rig.evidence else None
    extra, notes = await models(rig, records, known, found, evidence)
    result.notes += notes
    result.findings = checks.merge(found, checks.new_since(extra, checks.merge(known, found)))
    if result.quiescent and not any(result.findings.values()):
        result.recovery_seconds = consistent_at - started


async def fault_window(rig: Rig, load: Load, result: TrialResult, rng: random.Random,
                       load_after: float, timeout: float) -> float:
    """Load, the fault in the middle of it, the started flows finished, the harness's own repair
    done; returns when the fault was injected (``time.monotonic()``)."""
    first_flow = len(load.flows)
    load.start(f"{'L' if rig.clustered else 'T'}{result.number:02d}")
    helpers: list[asyncio.Task[Any]] = []
    try:
        await asyncio.sleep(rng.uniform(1.0, 2.5))  # the load is under way when the fault hits
        try:
            fault: Fault | None = await inject(result.kind, rig, rng)
        except NotInjected as error:
            fault = None
            result.notes.append(f"not injected: {error}")
        started = fault.at if fault else time.monotonic()
        if fault:
            result.target = fault.target
            helpers.append(asyncio.create_task(back(rig, fault, timeout)))
            if fault.heal is not None:
                helpers.append(fault.heal)
        await asyncio.sleep(load_after)
        failed = await load.stop(timeout)
        result.flows = len(load.flows) - first_flow
        result.failed_flows = [f"{f.record}: {f.failure}" for f in failed]
        result.flows_seconds = time.monotonic() - started
        if fault and fault.heal is not None:
            try:
                result.notes.append(await asyncio.wait_for(fault.heal, timeout))
            except Exception as error:  # noqa: BLE001 - reported; the checks tell the rest
                result.notes.append(f"node restart failed: {type(error).__name__}: {error}")
        if helpers:
            result.back_seconds = await helpers[0]
        return started
    finally:
        for helper in helpers:
            helper.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
