"""What the HTTP gateway costs: the same command through the gateway and straight over NATS.

A private nats-server, the sales and sla services and the gateway run as subprocesses, as
``salesflow up`` starts them (the gateway on a free port); this process only sends. One person
(role sales_assistant) acts with an API token. The command is ``request_sample`` with a fresh
request number each time, which always succeeds. Measured in the same run, each side the same way:

1. most commands per second: ``--clients`` senders, each sending its next command as soon as the
   previous reply is back, for ``--burst`` seconds; gateway (``bench.raw_http``: keep-alive, as cheap to
   send as nats-py) and NATS
   (``nc.request`` on the command subject, same payload plus the actor the gateway would add);
2. latency at each paced rate of ``--rates`` (50/s, then the issue's 200/s): one command every
   1/rate s, each on its own task, for ``--seconds`` per rate, in alternating quarters (gateway,
   NATS, gateway, NATS) so that a slow moment of the shared machine falls on both sides. p50 /
   p99 of the time to the reply. The lower rate shows what the gateway adds while the machine
   has CPU to spare; at 200/s the sales service alone is close to its most commands/s here.

The difference at p99 is what the gateway adds (HTTP parsing on both ends, the token check,
the permission table, validating the contract, the reply's mapping); target: at most 5 ms.
It asserts nothing.

    python -m bench.gateway [--rates 50,200] [--seconds 16] [--clients 16] [--burst 8]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import nats
from nats.aio.client import Client as Nats

from bench.gateway_rig import PROCESSES, ROLE, USER, System, person_with_token
from bench.latency import percentile
from bench.progress import cancel_on_sigterm, markdown, run_benchmark, say
from bench.raw_http import RawHttp
from contracts.subjects import command_subject

TARGET_MS = 5.0

Send = Callable[[str], Awaitable[bool]]


@dataclass
class Row:
    """One line of the table: the gateway's figure next to the straight NATS one."""

    measurement: str
    gateway: str
    nats: str
    difference: str
    target: str


def body(no: str) -> dict[str, object]:
    return {"request_no": no, "customer": "Bench Customer", "product": "EMI gasket",
            "part_no": f"P-{no}", "salesperson": "bob", "materials": {"drawings": True},
            "purpose": "sample"}


def senders(nc: Nats, http: RawHttp, failures: list[str]) -> dict[str, Send]:
    """One send per side: True when the command was accepted."""
    subject = command_subject("sales", "request_sample")

    async def gateway(no: str) -> bool:
        try:
            status, text = await http.post("/commands/sales/request_sample",
                                           json.dumps(body(no)).encode())
        except (OSError, ValueError, asyncio.IncompleteReadError) as error:
            failures.append(f"gateway {no}: {type(error).__name__}")
            return False
        if status != 200:
            failures.append(f"gateway {no}: {status} {text[:120]!r}")
        return status == 200

    async def straight(no: str) -> bool:
        data = {**body(no), "actor": {"user": USER, "role": ROLE},
                "command_id": str(uuid.uuid4())}
        try:
            reply = json.loads((await nc.request(subject, json.dumps(data).encode(),
                                                 timeout=5.0)).data)
        except Exception as error:  # noqa: BLE001 - counted as a failure
            failures.append(f"nats {no}: {type(error).__name__}")
            return False
        if not reply.get("ok"):
            failures.append(f"nats {no}: {reply.get('error')}")
        return bool(reply.get("ok"))

    return {"gateway": gateway, "nats": straight}


async def most(send: Send, prefix: str, clients: int, seconds: float) -> float:
    """Accepted commands per second with ``clients`` senders back to back."""
    done = 0
    stop_at = time.monotonic() + seconds

    async def client(c: int) -> None:
        nonlocal done
        i = 0
        while time.monotonic() < stop_at:
            i += 1
            accepted = await send(f"{prefix}-{c}-{i}")  # then add: `done += await` loses counts
            done += accepted

    started = time.monotonic()
    await asyncio.gather(*(client(c) for c in range(clients)))
    return done / (time.monotonic() - started)


async def paced(send: Send, prefix: str, rate: float, seconds: float) -> list[float]:
    """Milliseconds to each accepted reply, one command every 1/rate s."""
    latencies: list[float] = []

    async def one(no: str) -> None:
        started = time.perf_counter()
        if await send(no):
            latencies.append((time.perf_counter() - started) * 1000)

    tasks = []
    started = time.monotonic()
    for i in range(int(rate * seconds)):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(f"{prefix}-{i:05d}")))
    await asyncio.gather(*tasks)
    return latencies


async def measure(args: argparse.Namespace, data: Path) -> tuple[list[Row], list[str]]:
    system = System(data)
    nc: Nats | None = None
    try:
        say(f"gateway: starting nats-server and {', '.join(PROCESSES)} under {data} ...")
        system.start()
        nc = await nats.connect(system.nats.url, name="bench-gateway")
        url = await system.ready(nc)
        async with httpx.AsyncClient(base_url=url, timeout=10.0) as admin:
            token = await person_with_token(nc, admin)
        # Enough connections that a paced command never waits for one at 200/s.
        http = await RawHttp(url, 64, {"Authorization": f"Bearer {token}"}).open()
        try:
            failures: list[str] = []
            send = senders(nc, http, failures)
            run = f"G{int(time.time())}"
            say("gateway: warm-up, 100 commands each way ...")
            for side, fn in send.items():
                await paced(fn, f"{run}-warm-{side}", 100, 1.0)
            rates = {}
            for side in ("nats", "gateway"):
                say(f"gateway: most commands/s {side}, {args.clients} senders for "
                    f"{args.burst:g} s ...")
                rates[side] = await most(send[side], f"{run}-most-{side}", args.clients,
                                         args.burst)
                say(f"  {rates[side]:,.0f} commands/s")
            paced_ms = {}
            for rate in args.rates:
                paced_ms[rate] = await alternating(send, f"{run}-{rate:g}", rate, args.seconds)
        finally:
            await http.close()
        found = [throughput_row(rates)]
        for rate, latencies in paced_ms.items():
            found += latency_rows(latencies, rate, target=rate == args.rates[-1])
        return found, notes(paced_ms, failures, args.seconds)
    finally:
        if nc is not None:
            await nc.close()
        say("gateway: stopping the system ...")
        system.stop()


async def alternating(send: dict[str, Send], prefix: str, rate: float,
                      seconds: float) -> dict[str, list[float]]:
    """Paced latencies of both sides in quarters: gateway, NATS, gateway, NATS."""
    latencies: dict[str, list[float]] = {"gateway": [], "nats": []}
    quarter = seconds / 4
    for round_no in range(2):
        for side in ("gateway", "nats"):
            say(f"gateway: {rate:g} commands/s for {quarter:g} s, {side} "
                f"(round {round_no + 1} of 2) ...")
            latencies[side] += await paced(send[side], f"{prefix}-{side}-{round_no}", rate,
                                           quarter)
    return latencies


def throughput_row(rates: dict[str, float]) -> Row:
    return Row("most commands/s", f"{rates['gateway']:,.0f}", f"{rates['nats']:,.0f}",
               f"x {rates['gateway'] / rates['nats']:.2f}", "-")


def latency_rows(latencies: dict[str, list[float]], rate: float, target: bool) -> list[Row]:
    gw, raw = latencies["gateway"], latencies["nats"]
    found = []
    for p in (50, 99):
        ours, base = percentile(gw, p), percentile(raw, p)
        verdict = "-"
        if target and p == 99:
            verdict = f"adds <= {TARGET_MS:g} ms: " + ("met" if ours - base <= TARGET_MS
                                                        else "MISSED")
        found.append(Row(f"p{p} latency at {rate:g}/s (ms)", f"{ours:.2f}", f"{base:.2f}",
                         f"{ours - base:+.2f} ms", verdict))
    return found


def notes(paced_ms: dict[float, dict[str, list[float]]], failures: list[str],
          seconds: float) -> list[str]:
    lines = []
    for rate, latencies in paced_ms.items():
        wanted = 2 * int(rate * seconds / 4)
        lines += [f"{rate:g}/s, {side}: {len(values)} of {wanted} paced commands accepted; "
                  f"min {min(values, default=float('nan')):.2f} / max "
                  f"{max(values, default=float('nan')):.2f} ms"
                  for side, values in latencies.items()]
    if failures:
        lines.append(f"failed: {len(failures)}, e.g. {failures[:3]}")
    # Every process of the run shares the machine's cores with whatever else runs on it.
    lines.append(f"{os.cpu_count()} CPUs; load average at the end "
                 f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    return lines


def table(found: list[Row]) -> str:
    """A markdown table, as bench.pipeline prints its own."""
    head = Row("measurement", "through the gateway", "straight over NATS", "difference", "target")
    return markdown([[r.measurement, r.gateway, r.nats, r.difference, r.target]
                     for r in [head, *found]])


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.gateway",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--rates", type=lambda text: [float(x) for x in text.split(",")],
                   default=[50.0, 200.0], help="paced commands per second, comma separated; "
                   "the target is judged at the last (50,200)")
    p.add_argument("--seconds", type=float, default=16.0,
                   help="seconds of paced commands per rate, both sides together (16)")
    p.add_argument("--clients", type=int, default=16, help="senders for most commands/s (16)")
    p.add_argument("--burst", type=float, default=8.0,
                   help="seconds of most commands/s, each side (8)")
    return p.parse_args(argv)


async def main(args: argparse.Namespace) -> int:
    cancel_on_sigterm()
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-gateway-") as name:
        found, lines = await measure(args, Path(name))
    print()
    print(table(found))
    for line in lines:
        print(line)
    return 0


def run(argv: list[str] | None = None) -> int:
    args = parse(argv)
    return run_benchmark(lambda: main(args))


if __name__ == "__main__":
    sys.exit(run())
