"""Fault injection: the system under a steady command load, faults injected, every guarantee checked.

Each trial starts the load (the demo's sample scenarios, a new sample every 0.3 s, through the
CLI client), injects one fault in the middle of it (see ``bench.chaos_faults``), keeps the load
going a second longer, lets the started flows finish, waits for quiescence and checks:
every stored event is in its stream exactly once and in store order; every accepted command's
events are in the store; every reaction happened exactly once; each sample's audit trail holds
its events once; the read models equal a ``salesflow rebuild``; no dead letters.

The single-node kinds run against ``salesflow up`` with its embedded nats-server; kill-leader
runs against a 3-node cluster of local nats-servers (streams with 3 replicas). It prints a
table per fault kind; the exit status is 1 when anything was lost, duplicated, applied twice,
reordered, mismatched or dead-lettered, 2 when the system could not be run at all.

    python -m bench.chaos [--trials 5] [--kinds kill-service kill-nats ...] [--seed N]
                          [--cluster | --no-cluster] [--cluster-trials N] [--json]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import chaos_checks as checks
from bench.chaos_faults import CLUSTER_KINDS, CONTROL, KINDS, SINGLE_KINDS
from bench.chaos_load import Load
from bench.chaos_report import table
from bench.chaos_rig import NotUp, Rig
from bench.chaos_trial import TrialResult, run_trial

STARTED = time.monotonic()
log = logging.getLogger("bench.chaos")


def say(line: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {line}", file=sys.stderr, flush=True)


def describe(result: TrialResult, total: int) -> str:
    found = {c: n for c, n in checks.counts(result.findings).items() if n}
    back = f"{result.back_seconds:.1f} s" if result.back_seconds is not None else "never"
    recovered = (f"consistent {result.recovery_seconds:.1f} s after the fault"
                 if result.recovery_seconds is not None else "NOT consistent")
    line = (f"trial {result.number}/{total} {result.kind} ({result.target}): back in {back}; "
            f"{result.flows} flows, {len(result.failed_flows)} failed, done after "
            f"{result.flows_seconds or 0:.1f} s; quiet after {result.quiet_seconds or 0:.1f} s; {recovered}")
    if found:
        first = next(s for c in checks.CATEGORIES for s in result.findings[c].values())
        line += f"; FOUND {', '.join(f'{n} {c}' for c, n in found.items())}, e.g. {first}"
    return line


async def phase(clustered: bool, plan: list[str], first: int, total: int, root: Path, run_id: str,
                rng: random.Random, args: argparse.Namespace, out: dict[str, Any]) -> list[TrialResult]:
    """Start one system, run its trials one after another, stop it."""
    topology = "3-node cluster" if clustered else "embedded nats-server"
    info: dict[str, Any] = {"topology": topology, "trials": len(plan)}
    out["phases"].append(info)
    rig = Rig(root, f"{run_id}-{'cluster' if clustered else 'single'}", clustered)
    if args.keep is not None:
        rig.evidence = root / "evidence"
    results: list[TrialResult] = []
    load: Load | None = None
    known = checks.empty()
    try:
        say(f"starting `salesflow up` on {topology} under {root} ...")
        await rig.start(args.start_timeout)
        info.update(startup_seconds=round(rig.startup_seconds, 1), startup_restarts=rig.startup_restarts)
        say(f"up and settled in {rig.startup_seconds:.1f} s (children restarted "
            f"{rig.startup_restarts} times while starting)")
        assert rig.client is not None
        load = Load(rig.client, rng, interval=args.interval)
        for offset, kind in enumerate(plan):
            if not rig.system.alive():
                raise NotUp(f"`salesflow up` exited:\n{rig.system.output()[-2000:]}")
            try:
                result = await run_trial(rig, load, first + offset, kind, rng, known,
                                         load_after=args.load_after, timeout=args.trial_timeout)
            except Exception as error:  # noqa: BLE001 - the harness failed, not the system: go on
                log.exception("trial %d (%s) could not be completed", first + offset, kind)
                await load.stop(0.0)
                result = TrialResult(first + offset, kind, notes=[
                    f"not run to the end: the harness failed: {type(error).__name__}: {error}"])
            known = checks.merge(known, result.findings)
            results.append(result)
            say(describe(result, total))
            for note in result.notes:
                say(f"  note: {note}")
            for failure in result.failed_flows[:3]:
                say(f"  failed flow: {failure}")
        info.update(commands_accepted=len(rig.client.accepted),
                    refusals=dict(rig.client.refusals), supervisor_restarts=rig.system.restarts())
    except NotUp as error:
        info["error"] = str(error)
        say(f"{topology}: {error}")
    finally:
        if load is not None:
            await load.cancel()
        say(f"stopping the {topology} system ...")
        leftovers = await rig.stop()
        if leftovers:
            info["killed_leftovers"] = leftovers
            say(f"killed {len(leftovers)} leftover processes: {leftovers}")
    return results


def plan(args: argparse.Namespace, rng: random.Random) -> tuple[list[str], list[str]]:
    single = [k for k in args.kinds if k in SINGLE_KINDS for _ in range(args.trials)]
    cluster = [k for k in args.kinds if k in CLUSTER_KINDS and args.cluster
               for _ in range(args.cluster_trials if args.cluster_trials is not None else args.trials)]
    rng.shuffle(single)
    if single or not cluster:
        return [CONTROL] * args.control + single, cluster
    return [], [CONTROL] * args.control + cluster  # the control runs where the faults do


async def main(args: argparse.Namespace) -> int:
    task = asyncio.current_task()
    assert task is not None
    # SIGTERM cancels the run as Ctrl-C does, so every process it started is still stopped.
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    rng = random.Random(args.seed)
    single, cluster = plan(args, rng)
    total = len(single) + len(cluster)
    out: dict[str, Any] = {"seed": args.seed, "phases": []}
    results: list[TrialResult] = []
    run_id = uuid.uuid4().hex[:12]
    with tempfile.TemporaryDirectory(prefix="salesflow-chaos-") as name:
        tmp = Path(name)
        if args.keep is not None:
            tmp = args.keep.resolve()
            tmp.mkdir(parents=True, exist_ok=False)
        planned = single + cluster
        say(f"chaos run {run_id}, seed {args.seed}: {total} trials ("
            + ", ".join(f"{k} x{planned.count(k)}" for k in [CONTROL, *args.kinds] if k in planned) + ")")
        if single:
            results += await phase(False, single, 1, total, tmp / "single", run_id, rng, args, out)
        if cluster:
            results += await phase(True, cluster, len(single) + 1, total, tmp / "cluster", run_id,
                                   rng, args, out)
    out["seconds"] = round(time.monotonic() - STARTED, 1)
    out["trials"] = [r.as_json() for r in results]
    bad = sum(n for r in results for c, n in checks.counts(r.findings).items() if c in checks.FAILING)
    not_run = total - len(results) + sum(
        1 for r in results if any(n.startswith(("not injected", "not run")) for n in r.notes))
    out["ok"] = bad == 0 and not_run == 0
    out["status"] = 2 if not_run else (1 if bad else 0)
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False, default=str))
    else:
        print(table(results, [CONTROL, *args.kinds], out))
    return int(out["status"])


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.chaos",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--trials", type=int, default=5, help="trials of each fault kind (5)")
    p.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS), metavar="KIND",
                   help=f"fault kinds to inject, of {', '.join(KINDS)} (all)")
    p.add_argument("--control", type=int, default=1,
                   help="trials without a fault first, as the baseline of the times (1)")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: random, printed)")
    p.add_argument("--cluster", action=argparse.BooleanOptionalAction, default=True,
                   help="also run the cluster kinds on a 3-node cluster (default: yes)")
    p.add_argument("--cluster-trials", type=int, default=None,
                   help="trials of each cluster kind (default: --trials)")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    p.add_argument("--keep", type=Path, metavar="DIR",
                   help="run in DIR (must not exist) and keep its stores, NATS data and logs; a "
                        "trial that finds something also keeps them as found, before the rebuild, "
                        "in DIR/<single|cluster>/evidence/trial-N")
    p.add_argument("--interval", type=float, default=0.3, help="seconds between new samples (0.3)")
    p.add_argument("--load-after", type=float, default=1.0,
                   help="seconds the load goes on after the fault (1.0)")
    p.add_argument("--trial-timeout", type=float, default=180.0,
                   help="seconds a trial may take to become quiescent after its fault (180)")
    p.add_argument("--start-timeout", type=float, default=120.0,
                   help="seconds the system may take to start and settle (120)")
    args = p.parse_args(argv)
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1 << 31)
    return args


def run(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("nats").setLevel(logging.CRITICAL)  # reconnects are the point here
    try:
        return asyncio.run(main(parse(argv)))
    except (KeyboardInterrupt, asyncio.CancelledError):
        print("interrupted; every process it started was stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(run())
