"""SLA engine benchmark, part (ii): the live alert delay on a real nats-server, next to raw
JetStream message schedules of the same moments on the same server (``python -m bench.sla``)."""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.latency import percentile
from bench.progress import say


async def delay_bench(timers: int, allowance: float) -> dict[str, list[float]]:
    import nats

    from services.cli.client import Client
    from services.cli.demo import Demo
    from services.runtime.nats_server import EmbeddedNats
    from services.runtime.settings import Settings
    from tests.integration.system import running

    os.environ.update({"SALESFLOW_CALENDAR_WEEKDAYS": "0,1,2,3,4,5,6",
                       "SALESFLOW_CALENDAR_PERIODS": "00:00-24:00",
                       "SALESFLOW_CALENDAR_CHINESE_HOLIDAYS": "0"})
    with tempfile.TemporaryDirectory(prefix="bench-sla-") as tmp:
        server = EmbeddedNats(Path(tmp) / "nats", log_file=Path(tmp) / "nats.log")
        server.start()
        try:
            settings = Settings(data_dir=Path(tmp) / "data", nats_url=server.url,
                                sla_hours=f"SLA-COMPLAINT-INTAKE={allowance / 3600!r}")
            seen: dict[str, list[float]] = defaultdict(list)

            async def on_msg(msg: Any) -> None:
                at = time.time()
                kind = msg.subject.rsplit(".", 1)[-1]
                if kind in ("sla_breached", "sla_at_risk"):
                    body = json.loads(msg.data)
                    seen[kind].append(at - datetime.fromisoformat(body["moment"]).timestamp())

            nc = await nats.connect(server.url)
            say(f"raw baseline: {timers} JetStream message schedules, {allowance:.0f} s ahead ...")
            seen["raw schedule"] = await raw_schedules(nc, timers, allowance)
            demo = Demo(Client(nc), out=lambda *_: None)
            async with running(settings, ["sales", "sla"]):
                await nc.jetstream().subscribe("salesflow.sla.clock.>", stream="SALESFLOW_SLA",
                                               cb=on_msg, ordered_consumer=True)
                say(f"receiving {timers} complaints (intake allowance {allowance:.0f} s) ...")
                for first in range(0, timers, 20):
                    await asyncio.gather(*(
                        demo.send("sales", "receive_complaint", "salesperson",
                                  complaint_no=f"C-{k:04d}", channel="phone", customer="ACME",
                                  summary="burrs", salesperson="bob")
                        for k in range(first, min(timers, first + 20))))
                say("waiting for every at-risk and breach alert ...")
                deadline = time.monotonic() + allowance + 60
                while len(seen["sla_breached"]) < timers and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)
            await nc.close()
            return dict(seen)
        finally:
            server.stop()


async def raw_schedules(nc: Any, timers: int, ahead: float) -> list[float]:
    """The baseline: plain message schedules (``@at`` to the millisecond, as the relay writes
    an exact timer) into a stream of their own, each seen by an ordered consumer of its target
    subject (the fired message is stored there, as a ``TimerDue`` is in ``SALESFLOW_TIMERS``)."""
    from nats.js.api import StorageType, StreamConfig

    from services.runtime.timers import fire_stamp

    js = nc.jetstream()
    await js.add_stream(StreamConfig(name="BENCH_RAW_SCHEDULES", subjects=["bench.raw.>"],
                                     storage=StorageType.MEMORY, allow_msg_schedules=True))
    delays: list[float] = []
    moments: dict[str, float] = {}

    async def on_due(msg: Any) -> None:
        delays.append(time.time() - moments[msg.data.decode()])

    sub = await js.subscribe("bench.raw.due", stream="BENCH_RAW_SCHEDULES", cb=on_due,
                             ordered_consumer=True)
    start = datetime.now(UTC) + timedelta(seconds=ahead)
    for k in range(timers):
        moment = start + timedelta(milliseconds=7 * k)  # spread like the complaints' deadlines
        moments[str(k)] = moment.timestamp()
        await js.publish(f"bench.raw.schedule.{k}", str(k).encode(), headers={
            "Nats-Schedule": f"@at {fire_stamp(moment, exact=True)}",
            "Nats-Schedule-Target": "bench.raw.due"})
    deadline = time.monotonic() + ahead + 30
    while len(delays) < timers and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await sub.unsubscribe()
    return delays


def delay_table(seen: dict[str, list[float]], timers: int) -> str:
    lines = [f"{'alert delay (moment -> seen)':<30} {'n':>5} {'p50 s':>8} {'p99 s':>8} {'max s':>8}"]
    for kind in ("raw schedule", "sla_at_risk", "sla_breached"):
        values = seen.get(kind, [])
        if values:
            lines.append(f"{kind:<30} {len(values):>5} {statistics.median(values):>8.3f} "
                         f"{percentile(values, 99):>8.3f} {max(values):>8.3f}")
        else:
            lines.append(f"{kind:<30} {0:>5} {'-':>8} {'-':>8} {'-':>8}")
    raw = seen.get("raw schedule")
    if raw and seen.get("sla_breached"):
        lines.append(f"breach p99 / raw schedule p99: "
                     f"{percentile(seen['sla_breached'], 99) / percentile(raw, 99):.2f}")
    lines.append(f"({timers} complaints; target p99 <= 1 s)")
    return "\n".join(lines)
