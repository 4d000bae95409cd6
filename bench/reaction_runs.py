"""Issue 12: engineering's reaction to ``SampleImported`` applied in-process on SQLite, one
commit per delivery (the handler before runs) next to one commit per run
(``services.runtime.spec.reaction_handler``), same deliveries, same machine, same run.

The workload: ``--events`` imported samples, one in ``--open-every`` at a stage where engineering
opens a job (an event stored); the others only move the tracking, as most of an import does.
Deliveries go to the handler in fetched batches of ``--batch`` (``Settings.fetch_batch``). The
raw baseline is the reactions alone, captured and never written. Best of ``--rounds`` (the
first round also warms up).

    python -m bench.reaction_runs [--events 10000] [--batch 500] [--rounds 2]
"""
from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Tracking

from events.envelope import Actor, Role
from events.imports import ImportSource
from events.sales import SampleImported
from services.engineering.application import EngineeringApplication
from services.engineering.wiring import SPEC
from services.runtime.consumer import Delivery
from services.runtime.spec import reaction_handler
from services.sales.sample import sample_id

SOURCE = ImportSource(file_name="bench.xlsx", file_sha256="b" * 64, sheet="2025", row=1)
AMY = Actor(user="amy", role=Role.SALES_ASSISTANT)


def deliveries(count: int, open_every: int) -> list[Delivery]:
    at = datetime(2025, 3, 4, tzinfo=UTC)
    items: list[Delivery] = []
    for i in range(count):
        no = f"S-{i}"
        event = SampleImported(
            originator_id=sample_id(no), originator_version=1, timestamp=at,
            event_id=uuid.uuid4(), actor=AMY, correlation_id=uuid.uuid4(), request_no=no,
            source=SOURCE, customer="ACME",
            status="application_approved" if i % open_every == 0 else "shipped")
        items.append((event, Tracking("SALESFLOW_SALES@bench", i + 1), b""))
    return items


def one_commit_each(app: EngineeringApplication) -> Callable[[Sequence[Delivery]], Any]:
    """The handler as it was before runs: each reaction stores with its own tracking."""

    def apply_all(items: Sequence[Delivery]) -> tuple[int, Exception | None]:
        for index, (event, tracking, _) in enumerate(items):
            reaction = SPEC.reactions.get(type(event))
            try:
                if reaction is None:
                    app.process_recorder.insert_tracking(tracking)
                else:
                    reaction(app, event, tracking)
            except Exception as error:  # noqa: BLE001 - reported, as the consumer would
                return index, error
        return len(items), None

    async def handle(items: Sequence[Delivery]) -> tuple[int, Exception | None]:
        return await asyncio.to_thread(apply_all, items)

    return handle


def captured_only(app: EngineeringApplication) -> Callable[[Sequence[Delivery]], Any]:
    """The raw baseline: every reaction decided, nothing written."""

    def apply_all(items: Sequence[Delivery]) -> tuple[int, Exception | None]:
        for event, tracking, _ in items:
            with app.capturing(tracked=True):
                SPEC.reactions[type(event)](app, event, tracking)
        return len(items), None

    async def handle(items: Sequence[Delivery]) -> tuple[int, Exception | None]:
        return await asyncio.to_thread(apply_all, items)

    return handle


async def run_batches(handle: Any, items: list[Delivery], batch: int) -> float:
    """Seconds to apply ``items`` a fetched batch at a time, as the consumer hands them over."""
    started = time.perf_counter()
    for start in range(0, len(items), batch):
        _, error = await handle(items[start:start + batch])
        if error is not None:
            raise error
    return time.perf_counter() - started


def measure(name: str, make: Callable[[EngineeringApplication], Any], items: list[Delivery],
            batch: int, rounds: int) -> tuple[str, float, int]:
    best, stored = float("inf"), 0
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            # as ``Settings.store_env`` makes it for a service's SQLite file
            app = EngineeringApplication({"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                          "SQLITE_DBNAME": str(Path(tmp) / "e.sqlite"),
                                          "SQLITE_LOCK_TIMEOUT": "10"})
            best = min(best, asyncio.run(run_batches(make(app), items, batch)))
            stored = app.recorder.max_notification_id() or 0
            app.close()
    return name, best, stored


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--open-every", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    items = deliveries(args.events, args.open_every)
    rows = [
        measure("reactions only, nothing written (raw)", captured_only, items, args.batch,
                args.rounds),
        measure("one commit per delivery (before)", one_commit_each, items, args.batch,
                args.rounds),
        measure("one commit per run (after)",
                lambda app: reaction_handler(app, SPEC.reactions, lambda: None), items,
                args.batch, args.rounds),
    ]
    print(f"{args.events} SampleImported deliveries, batches of {args.batch}, "
          f"1 in {args.open_every} opens a job; best of {args.rounds}")
    print(f"{'handler':<40} {'seconds':>8} {'deliveries/s':>13} {'events stored':>14}")
    for name, seconds, stored in rows:
        print(f"{name:<40} {seconds:>8.2f} {args.events / seconds:>13,.0f} {stored:>14,}")


if __name__ == "__main__":
    main()
