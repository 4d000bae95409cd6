"""The load of ``bench.group_commit``: the raw baselines, and the commands sent to a running
sales service (closed loop for the saturation, a fixed rate for the latencies)."""
from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nats
from nats.aio.client import Client as Nats
from nats.js.api import StreamConfig

from bench import relay
from bench.latency import RowWatcher, System, command
from contracts.subjects import command_subject, status_subject
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams
from services.sales.application import SalesApplication

Say = Callable[[str], None]
SUBJECT = command_subject("sales", "request_sample")


@dataclass
class Baselines:
    """Measured in the same run, before the systems start."""

    batched_save: float  # events/s, eventsourcing SQLite, 100 aggregates per save
    publish_async: float  # msgs/s, JetStream publish_async in windows of 500
    publish_p50: float  # ms, one JetStream publish awaited, at the bench's rate
    publish_p99: float


@dataclass
class ModeResult:
    """One configuration of the service: saturation and the latencies at a fixed rate."""

    name: str
    per_second: float = 0.0
    saturation_sent: int = 0
    saturation_failed: int = 0
    reply_ms: list[float] = field(default_factory=list)
    row_ms: list[float] = field(default_factory=list)
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    batches: dict[str, int] | None = None
    batched_save: float = float("nan")  # events/s, measured right before the saturation


async def baselines(tmp: Path, events: int, rate: float, seconds: float, say: Say) -> Baselines:
    server = EmbeddedNats(tmp / "nats", log_file=tmp / "nats.log")
    server.start()
    try:
        settings = Settings(data_dir=tmp / "data", nats_url=server.url)
        nc = await nats.connect(server.url, name="bench-group-commit-raw")
        js = nc.jetstream(timeout=30.0)
        await ensure_streams(js, settings)
        app = SalesApplication(settings.store_env("sales"))
        try:
            say(f"raw: eventsourcing batched save of {events} events ...")
            filled = await asyncio.to_thread(relay.fill_store, app, events, say)
            say(f"raw: {events / filled:,.0f} events/s; JetStream publish_async ...")
            published = await relay.raw_publish(js, app, settings, events, say)
        finally:
            await asyncio.to_thread(app.close)
        say(f"raw: {published.per_second:,.0f} msgs/s; one publish at a time at {rate:g}/s ...")
        acks = await publish_at_rate(js, settings, rate, seconds)
        await nc.close()
    finally:
        server.stop()
    return Baselines(events / filled, published.per_second, percentile(acks, 50),
                     percentile(acks, 99))


async def publish_at_rate(js: object, settings: Settings, rate: float,
                          seconds: float) -> list[float]:
    """Ack time (ms) of single JetStream publishes sent at ``rate`` (each its own task)."""
    config = StreamConfig(name="BENCH_RATE", subjects=["bench.rate.>"], allow_atomic=True)
    await js.add_stream(config)  # type: ignore[attr-defined]
    acks: list[float] = []
    payload = command("R-0")

    async def one(i: int) -> None:
        started = time.monotonic()
        await js.publish(f"bench.rate.{i % 50}", payload, timeout=10.0,  # type: ignore[attr-defined]
                         headers={"Nats-Msg-Id": f"rate-{i}"})
        acks.append((time.monotonic() - started) * 1000)

    await paced(rate, seconds, one)
    await js.delete_stream("BENCH_RATE")  # type: ignore[attr-defined]
    return acks


async def paced(rate: float, seconds: float, send: Callable[[int], object]) -> None:
    """``send(i)`` as its own task every 1/rate seconds, never waiting for earlier ones."""
    tasks = []
    started = time.monotonic()
    for i in range(int(rate * seconds)):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i)))  # type: ignore[arg-type]
    await asyncio.gather(*tasks)


def batched_save(data: Path, events: int) -> float:
    """eventsourcing's batched save (events/s) into a new SQLite store under ``data``."""
    settings = Settings(data_dir=data)
    app = SalesApplication(settings.store_env("sales"))
    try:
        return events / relay.fill_store(app, events, lambda _: None)
    finally:
        app.close()


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100); NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


async def measure_mode(name: str, data: Path, env: dict[str, str], processes: tuple[str, ...],
                       rate: float, seconds: float, clients: int, say: Say,
                       tree: Path | None = None) -> ModeResult:
    """Start the system with ``env`` (from ``tree``, another checkout with its own .venv, when
    given); commands at ``rate``, then at saturation; stop it."""
    result = ModeResult(name)
    system = System(data, processes, env) if tree is None else System(
        data, processes, env, root=tree, python=str(tree / ".venv" / "bin" / "python"))
    watcher: RowWatcher | None = None
    nc: Nats | None = None
    run = f"{name[:1].upper()}{int(time.time())}"
    try:
        say(f"{name}: starting {', '.join(processes)} ({env or 'defaults'}) ...")
        system.start()
        nc = await nats.connect(system.nats.url, name="bench-group-commit")
        await system.wait_ready(nc)
        watcher = RowWatcher(data / "projections.sqlite")
        watcher.start()
        for i in range(20):  # warm-up
            await nc.request(SUBJECT, command(f"{run}-warm-{i}"), timeout=10.0)
        say(f"{name}: {int(rate * seconds)} request_sample at {rate:g}/s ...")
        accepted: dict[str, float] = {}

        async def send(i: int) -> None:
            assert nc is not None
            no = f"{run}-{i:06d}"
            sent = time.monotonic()
            try:
                msg = await nc.request(SUBJECT, command(no), timeout=5.0)
            except Exception as error:  # noqa: BLE001 - counted
                result.failed.append(f"{no}: {type(error).__name__}")
                return
            now = time.monotonic()
            if json.loads(msg.data).get("ok"):
                accepted[no] = now
                result.reply_ms.append((now - sent) * 1000)
            else:
                result.failed.append(f"{no}: {msg.data[:120]!r}")

        await paced(rate, seconds, send)
        result.sent = int(rate * seconds)
        grace = time.monotonic() + 15.0
        while time.monotonic() < grace and any(no not in watcher.seen for no in accepted):
            await asyncio.sleep(0.05)
        result.row_ms = [(watcher.seen[no] - at) * 1000 for no, at in accepted.items()
                         if no in watcher.seen]
        # Commands that timed out at the rate may still be waiting in the service: start the
        # saturation once a new command is answered (two minutes at most).
        with contextlib.suppress(Exception):
            await nc.request(SUBJECT, command(f"{run}-probe"), timeout=120.0)
        # The machine is shared: the batched save measured again right now, next to it.
        result.batched_save = await asyncio.to_thread(batched_save, data / "raw-now", 5000)
        say(f"{name}: saturation, {clients} senders back to back for {seconds:g} s (batched "
            f"save just now: {result.batched_save:,.0f} events/s) ...")
        await saturate(nc, result, run, clients, seconds)
        status = json.loads((await nc.request(status_subject("sales"), b"", timeout=10)).data)
        result.batches = status.get("commands")  # None from a tree without group commit
        if watcher.error is not None:
            raise RuntimeError(f"row watcher failed: {watcher.error!r}")
        return result
    finally:
        if watcher is not None:
            watcher.stopping.set()
            watcher.join(2.0)
        if nc is not None:
            with contextlib.suppress(Exception):  # stopping anyway
                await nc.close()
        say(f"{name}: stopping ...")
        system.stop()


async def saturate(nc: Nats, result: ModeResult, run: str, clients: int, seconds: float) -> None:
    """``clients`` senders, each sending its next command when the last is answered; the
    accepted replies within ``seconds`` per second are the saturation rate."""
    done, failed = 0, 0
    until = time.monotonic() + seconds
    counter = iter(range(10**9))

    async def sender() -> None:
        nonlocal done, failed
        while time.monotonic() < until:
            no = f"{run}-sat-{next(counter):07d}"
            try:
                msg = await nc.request(SUBJECT, command(no), timeout=30.0)
                ok = json.loads(msg.data).get("ok")
            except Exception:  # noqa: BLE001 - counted
                ok = False
            if time.monotonic() <= until:
                done, failed = done + bool(ok), failed + (not ok)

    started = time.monotonic()
    await asyncio.gather(*(sender() for _ in range(clients)))
    result.per_second = done / (min(time.monotonic(), until) - started)
    result.saturation_sent, result.saturation_failed = done + failed, failed


def temporary() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="salesflow-bench-gc-")
