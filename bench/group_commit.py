"""Benchmark of group commit on the command path, next to raw baselines measured in the same run.

One department service (sales, a real subprocess as ``salesflow up`` starts it, with the other
services and the projections running) takes ``request_sample`` commands over NATS:

- saturation: ``--clients`` senders, each sending its next command when the last one is
  answered, for ``--seconds``; accepted commands per second. Target >= 2,000/s.
- at ``--rate`` (500/s) for ``--seconds``, each command on its own task: the reply's p50/p99
  (target p99 <= 100 ms) and the time from the accepted reply to the row being visible in the
  Sample Record Summary (target p99 <= 200 ms).

Each is measured twice: ``one at a time`` (``SALESFLOW_COMMAND_BATCH_SIZE=1``,
``SALESFLOW_COMMAND_CONCURRENCY=1``: one command handled and committed at a time, as before)
and ``group commit`` (the defaults); with ``--main-tree``, also the services of another checkout
(e.g. the main branch before this work, with its own ``.venv``). Raw baselines, same run, same machine: eventsourcing's
batched save (SQLite, 100 aggregates per save; one command = one event; measured again right
before each saturation, since the machine may be shared), JetStream
``publish_async`` in windows of 500, and one awaited JetStream publish at the same rate.

It asserts nothing; it prints a table.

    python -m bench.group_commit [--rate 500] [--seconds 10] [--clients 400] [--events 20000]
                                 [--only group|before] [--services sales,projections]
                                 [--main-tree /path/to/a/checkout/of/main]
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from bench.group_commit_load import (
    Baselines,
    ModeResult,
    baselines,
    measure_mode,
    percentile,
    temporary,
)
from bench.latency import COMPONENTS
from bench.progress import cancel_on_sigterm, markdown, run_benchmark, say

MODES = {
    "before": ("one at a time", {"SALESFLOW_COMMAND_BATCH_SIZE": "1",
                                 "SALESFLOW_COMMAND_CONCURRENCY": "1"}),
    "group": ("group commit", {}),
}


def verdict(ok: bool, value: float) -> str:
    return "no data" if math.isnan(value) else ("met" if ok else "MISSED")


def rows_of(result: ModeResult, raw: Baselines, rate: float) -> list[list[str]]:
    reply50, reply99 = percentile(result.reply_ms, 50), percentile(result.reply_ms, 99)
    row50, row99 = percentile(result.row_ms, 50), percentile(result.row_ms, 99)
    rate_s, save = result.per_second, result.batched_save
    return [
        [f"{result.name}: saturation (commands/s)", f"{rate_s:,.0f}",
         f"{save:,.0f} ev/s batched save, just before", f"{rate_s / save:.3f}",
         f">= 2,000: {verdict(rate_s >= 2000, rate_s)}"],
        [f"{result.name}: saturation vs raw JetStream", f"{rate_s:,.0f}",
         f"{raw.publish_async:,.0f} msgs/s publish_async", f"{rate_s / raw.publish_async:.3f}",
         "-"],
        [f"{result.name}: reply at {rate:g}/s (ms)", f"p50 {reply50:.1f} / p99 {reply99:.1f}",
         f"p50 {raw.publish_p50:.1f} / p99 {raw.publish_p99:.1f} one JetStream publish",
         f"{reply99 / raw.publish_p99:.1f} (p99)",
         f"p99 <= 100: {verdict(reply99 <= 100, reply99)}"],
        [f"{result.name}: row visible at {rate:g}/s (ms)", f"p50 {row50:.0f} / p99 {row99:.0f}",
         "-", "-", f"p99 <= 200: {verdict(row99 <= 200, row99)}"],
    ]


def notes_of(result: ModeResult) -> list[str]:
    lines = [f"{result.name}: at the rate {result.sent} sent, {len(result.reply_ms)} accepted, "
             f"{len(result.row_ms)} rows seen, {len(result.failed)} refused or timed out"
             + (f" (e.g. {result.failed[:2]})" if result.failed else "")
             + f"; saturation {result.saturation_sent} answered, {result.saturation_failed} "
             f"not accepted"]
    if result.batches:
        b = result.batches
        lines.append(f"{result.name}: {b['commands']} commands in {b['batches']} batches "
                     f"(largest {b['largest']}, {b['deferred']} waited for the next batch, "
                     f"{b['fallbacks']} batches written one by one after a conflict)")
    return lines


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.group_commit",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--rate", type=float, default=500.0, help="commands per second (500)")
    p.add_argument("--seconds", type=float, default=10.0,
                   help="seconds at the rate, and of saturation (10)")
    p.add_argument("--clients", type=int, default=400, help="senders at saturation (400)")
    p.add_argument("--events", type=int, default=20_000, help="events of the raw baselines")
    p.add_argument("--only", choices=tuple(MODES), help="measure one configuration")
    p.add_argument("--main-tree", type=Path,
                   help="also measure the services of this checkout (with its own .venv), e.g. "
                        "the main branch before group commit, first")
    p.add_argument("--services", default=",".join(COMPONENTS),
                   help="processes to run (default: every service and the projections)")
    return p.parse_args(argv)


async def main(args: argparse.Namespace) -> int:
    cancel_on_sigterm()
    processes = tuple(s for s in args.services.split(",") if s)
    results: list[ModeResult] = []
    with temporary() as name:
        tmp = Path(name)
        raw = await baselines(tmp / "raw", args.events, args.rate, args.seconds, say)
        if args.main_tree is not None:
            # no __pycache__ written into a checkout that is not ours
            results.append(await measure_mode(f"{args.main_tree.name} tree", tmp / "tree",
                                              {"PYTHONDONTWRITEBYTECODE": "1"},
                                              processes, args.rate, args.seconds, args.clients,
                                              say, tree=args.main_tree.resolve()))
        for mode in [args.only] if args.only else list(MODES):
            label, env = MODES[mode]
            results.append(await measure_mode(label, tmp / mode, env, processes, args.rate,
                                              args.seconds, args.clients, say))
    head = ["measurement", "ours", "raw baseline (same run)", "ratio", "target"]
    print()
    print(markdown([head, *[row for r in results for row in rows_of(r, raw, args.rate)]]))
    print(f"raw baselines at the start: batched save {raw.batched_save:,.0f} events/s, "
          f"publish_async {raw.publish_async:,.0f} msgs/s")
    for result in results:
        for line in notes_of(result):
            print(line)
    return 0


def run(argv: list[str] | None = None) -> int:
    args = parse(argv)
    return run_benchmark(lambda: main(args))


if __name__ == "__main__":
    sys.exit(run())
