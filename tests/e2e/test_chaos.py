"""The fault-injection harness (``python -m bench.chaos``) as part of ``make test``.

A short run: two trials of each single-node fault (kill -9 of a department service, of the
projections, of nats-server, a clean NATS restart) and one stream-leader kill in a 3-node
cluster, under the demo's load; nothing may be lost, duplicated, applied twice or left behind.
And the harness itself must see a loss and a duplicate when they are there.
"""
from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bench import chaos_checks as checks
from bench.chaos_load import Load
from bench.chaos_procs import marked
from bench.chaos_rig import Rig
from bench.chaos_trial import consistency, quiescence

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_a_short_chaos_run_loses_duplicates_and_double_applies_nothing(tmp_path: Path) -> None:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bench.chaos", "--trials", "2", "--cluster-trials",
                           "1", "--control", "0", "--seed", "6", "--json", "--keep", str(tmp_path / "run")],
                          cwd=ROOT, capture_output=True, text=True, timeout=900)
    progress = done.stderr[-6000:]
    assert done.stdout, f"no report (exit {done.returncode}):\n{progress}"
    report = json.loads(done.stdout)
    trials = report["trials"]
    assert [p.get("error") for p in report["phases"]] == [None, None], progress
    assert len(trials) == 9, progress
    for trial in trials:
        broken = {c: list(found.values())[:3] for c, found in trial["findings"].items() if found}
        assert not broken, f"trial {trial['number']} ({trial['kind']}): {broken}\n{progress}"
        assert trial["recovery_seconds"] is not None, f"trial {trial['number']} never recovered\n{progress}"
        assert not trial["failed_flows"], f"trial {trial['number']}: {trial['failed_flows']}\n{progress}"
    assert {t["kind"] for t in trials} == {"kill-service", "kill-projections", "kill-nats",
                                          "restart-nats", "kill-leader"}
    assert done.returncode == 0 and report["status"] == 0, progress
    print(f"short chaos run: {time.monotonic() - started:.0f} s")


async def test_the_harness_sees_an_event_deleted_from_a_stream_and_one_published_twice(
        tmp_path: Path) -> None:
    """A clean system checks clean; after a message is deleted from the sales stream and another
    is published again under a new message id, the checks name both events."""
    run_id = uuid.uuid4().hex[:12]
    rig = Rig(tmp_path, run_id, clustered=False)
    try:
        await rig.start(120.0)
        assert rig.client is not None
        load = Load(rig.client, random.Random(1), interval=0.3)
        load.start("Z")
        await asyncio.sleep(1.5)
        assert not await load.stop(120.0)
        assert (await quiescence(rig, 120.0))[0]
        assert not any((await consistency(rig, load)).values())

        js = rig.js
        gone = await js.get_msg("SALESFLOW_SALES", 2)
        again = await js.get_msg("SALESFLOW_SALES", 3)
        await js.delete_msg("SALESFLOW_SALES", 2)
        # the stored message keeps the relay's atomic-batch headers: a plain publish drops them
        kept = {k: v for k, v in (again.headers or {}).items()
                if not k.startswith(("Nats-Batch-", "Nats-Expected-"))}
        headers = {**kept, "Nats-Msg-Id": f"chaos-test-{uuid.uuid4()}"}
        await js.publish(again.subject or "", again.data or b"", headers=headers)
        assert (await quiescence(rig, 120.0))[0]
        found = await consistency(rig, load)
        assert list(found["lost"]) == [f"sales:{json.loads(gone.data or b'{}')['event_id']}"]
        assert list(found["duplicated"]) == [f"sales:{json.loads(again.data or b'{}')['event_id']}"]
        assert checks.counts(found)["reordered"] == 0
    finally:
        await rig.stop()
    assert not list(marked(run_id)), "a process of the run outlived it"
