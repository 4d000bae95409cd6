"""Benchmark of the salesflow pipeline, each figure next to a raw baseline measured in the same run.

1. relay: events/s of our outbox ``Relay`` (SQLite notification log -> JetStream, pages of 500,
   position recorded after each page's acks) against raw nats-py ``js.publish_async`` of the same
   stored payloads and headers in windows of 500. Target: relay >= 0.7 x raw.
2. rebuild: events/s of a projection rebuild (``StreamConsumer`` + ``Projector`` into a fresh
   SQLite ``ViewStore``) of the department stream filled in step 1, against a raw durable pull
   consumer doing ``fetch(500)`` + ``ack`` of the same stream, alternating over ``--rounds``
   rounds and keeping the best of each side (the machine is shared). Target: rebuild >= 0.5 x raw.
3. latency: the real system as subprocesses; ``request_sample`` commands at a fixed rate; time
   from the accepted reply to the row being visible in the Sample Record Summary (SQLite file).
   Target: p99 <= 200 ms at 50 commands/s.
4. as-of: the Sample Record Summary read as of a past moment over ``--records`` sample records
   (whole table, one customer, one month), against a full rebuild of the same events
   (``bench.as_of``, which prints more detail on its own). No target.

It asserts nothing; it prints a table. ``--only rebuild`` still fills the stream through the
relay (step 1's work) but reports only the rebuild.

    python -m bench.pipeline [--events 20000] [--rate 50] [--seconds 10] [--records 10000]
                             [--only relay|rebuild|latency|as_of]
"""
from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nats

from bench import as_of, latency, rebuild, relay
from bench.progress import cancel_on_sigterm, markdown, run_benchmark
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams
from services.sales.application import SalesApplication

STARTED = time.perf_counter()


def say(line: str) -> None:
    print(f"[{time.perf_counter() - STARTED:6.1f}s] {line}", flush=True)


@dataclass
class Row:
    measurement: str
    ours: str
    raw: str
    ratio: str
    target: str


def throughput_row(name: str, ours: relay.Rate, raw: relay.Rate, target: float) -> Row:
    ratio = ours.per_second / raw.per_second
    verdict = "met" if ratio >= target else "MISSED"
    return Row(f"{name} (events/s)", f"{ours.per_second:,.0f}", f"{raw.per_second:,.0f}",
               f"{ratio:.2f}", f">= {target} x raw: {verdict}")


async def throughput(tmp: Path, events: int, rounds: int, only: str | None) -> list[Row]:
    """Steps 1 and 2 against one private nats-server."""
    server = EmbeddedNats(tmp / "nats", log_file=tmp / "nats.log")
    server.start()
    rows: list[Row] = []
    try:
        settings = Settings(data_dir=tmp / "data", nats_url=server.url)
        nc = await nats.connect(server.url, name="bench-pipeline")
        js = nc.jetstream(timeout=30.0)
        await ensure_streams(js, settings)
        app = SalesApplication(settings.store_env("sales"))
        try:
            say(f"filling store: {events} events ({relay.PER_SAVE} aggregates per save) ...")
            filled = await asyncio.to_thread(relay.fill_store, app, events, say)
            say(f"filled in {filled:.1f} s ({events / filled:,.0f} events/s)")
            if only in (None, "relay"):
                raw = await relay.raw_publish(js, app, settings, events, say)
                say(f"  raw: {raw.per_second:,.0f} msgs/s ({raw.seconds:.2f} s)")
            ours = await relay.relay_publish(js, app, events, say)
            say(f"  relay: {ours.per_second:,.0f} events/s ({ours.seconds:.2f} s)")
            if only in (None, "relay"):
                rows.append(throughput_row("relay -> JetStream", ours, raw, 0.7))
        finally:
            await asyncio.to_thread(app.close)
        if only in (None, "rebuild"):
            ours, raw, _ = await rebuild.rounds(js, settings, events, rounds, say)
            rows.append(throughput_row("projection rebuild", ours, raw, 0.5))
        await nc.close()
    finally:
        server.stop()
    return rows


def latency_row(result: latency.LatencyResult, rate: float) -> Row:
    p50 = latency.percentile(result.latencies_ms, 50)
    p99 = latency.percentile(result.latencies_ms, 99)
    verdict = "met" if p99 <= 200 else "MISSED"
    if math.isnan(p99):
        verdict = "no data"
    return Row(f"accepted -> row visible at {rate:g}/s (ms)", f"p50 {p50:.0f} / p99 {p99:.0f}",
               "-", "-", f"p99 <= 200 ms: {verdict}")


def as_of_rows(lines: list[as_of.Line]) -> list[Row]:
    """As-of readings (seconds) next to the full rebuild of the same events."""
    rebuild_seconds = lines[0].seconds
    return [Row(f"{line.measurement} (s, {line.rows:,} rows)", f"{line.seconds:.3f}",
                f"{rebuild_seconds:.3f} (full rebuild)", f"{line.seconds / rebuild_seconds:.3f}", "-")
            for line in lines[1:]]


def table(rows: list[Row]) -> str:
    head = Row("measurement", "ours", "raw baseline", "ratio", "target")
    return markdown([[r.measurement, r.ours, r.raw, r.ratio, r.target] for r in [head, *rows]])


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.pipeline",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--events", type=int, default=20_000, help="events for relay/rebuild (20000)")
    p.add_argument("--rate", type=float, default=50.0, help="commands per second (50)")
    p.add_argument("--seconds", type=float, default=10.0, help="seconds of commands (10)")
    p.add_argument("--rounds", type=int, default=3,
                   help="rebuild rounds, raw and ours alternating; the best of each is shown (3)")
    p.add_argument("--records", type=int, default=10_000, help="sample records for as-of (10000)")
    p.add_argument("--only", choices=("relay", "rebuild", "latency", "as_of"),
                   help="run one measurement")
    return p.parse_args(argv)


async def main(args: argparse.Namespace) -> int:
    cancel_on_sigterm()
    rows: list[Row] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-") as name:
        tmp = Path(name)
        if args.only in (None, "relay", "rebuild"):
            rows += await throughput(tmp / "throughput", args.events, args.rounds, args.only)
        if args.only in (None, "latency"):
            result = await latency.measure(tmp / "system", args.rate, args.seconds, say)
            rows.append(latency_row(result, args.rate))
            notes.append(
                f"latency: {result.sent} sent, {result.accepted} accepted, {result.seen} rows seen"
                f"; min {min(result.latencies_ms, default=float('nan')):.0f} / max "
                f"{max(result.latencies_ms, default=float('nan')):.0f} ms; command reply "
                f"p50 {latency.percentile(result.reply_ms, 50):.1f} / "
                f"p99 {latency.percentile(result.reply_ms, 99):.1f} ms")
            if result.refused:
                notes.append(f"refused or lost: {len(result.refused)}, e.g. {result.refused[:3]}")
        if args.only in (None, "as_of"):
            lines, more = as_of.measure(tmp / "as_of", args.records, args.rounds, say)
            rows += as_of_rows(lines)
            notes += more
    print()
    print(table(rows))
    for note in notes:
        print(note)
    return 0


def run(argv: list[str] | None = None) -> int:
    args = parse(argv)
    return run_benchmark(lambda: main(args))


if __name__ == "__main__":
    sys.exit(run())
