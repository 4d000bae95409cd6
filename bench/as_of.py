"""Step 4: as-of reading of the Sample Record Summary over 10,000 records, next to a full rebuild.

The workload: ``--records`` samples made by the real aggregates (``tests.projection_events``:
request, costing, quotation, application, engineering's job, production's promise and
completion, return, shipment, receipt and trial; every fifth with an NG round, every fourth
with a delay notice), one every 45 minutes so their paths overlap, 50 customers. Each
department's events are kept as JSON, in the order they were recorded.

Both sides start from the JSON and decode it (the consumer does, as-of does). The full rebuild
is the projector's work of a rebuild, without the transport (``--only rebuild`` of
``bench.pipeline`` measures that): every read model from an empty SQLite file, 500 events per
transaction. The samples-only rebuild folds just the Sample Record Summary. The raw baseline
reads the events as-of reads for the whole table and only decodes them. As-of reads the full
rebuild's audit trail. Best of ``--rounds`` (the machine is shared); it asserts nothing, but
says whether as-of at the end equals the rebuilt table.

    python -m bench.as_of [--records 10000] [--rounds 3]
"""
from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from eventsourcing.persistence import Tracking

from bench.progress import say
from contracts.subjects import stream_name
from events.registry import REGISTRY
from events.sales import SampleRequested
from projections import as_of, registry
from projections.projector import Projector
from projections.store import ViewStore
from tests.projection_events import sample_path

Say = Callable[[str], None]
Stream = list[tuple[str, bytes]]  # (type key, JSON) in the order the department recorded them
BATCH = 500
SHANGHAI = ZoneInfo("Asia/Shanghai")


def workload(records: int, say: Say) -> tuple[dict[str, Stream], datetime, datetime]:
    """Each department's events as JSON in recorded order; the first and last moment."""
    timed: dict[str, list[tuple[datetime, int, str, bytes]]] = {}
    for k in range(records):
        path = sample_path(f"S-{k:06d}", ("ng", "ok") if k % 5 == 0 else ("ok",),
                           delayed=k % 4 == 1)
        later = timedelta(minutes=45 * k)
        for event in path:
            moved = event.model_copy(update={
                "timestamp": event.timestamp + later,
                **({"customer": f"C-{k % 50:02d}"} if isinstance(event, SampleRequested) else {})})
            stream = timed.setdefault(stream_name(event.department), [])
            stream.append((moved.timestamp, len(stream), moved.type_key(),
                           moved.model_dump_json().encode()))
        if k % 2000 == 1999:
            say(f"  ... {k + 1} samples made")
    moments = [m for stream in timed.values() for m, _, _, _ in stream]
    streams = {name: [(key, data) for _, _, key, data in sorted(items)]
               for name, items in timed.items()}
    return streams, min(moments), max(moments)


def rebuild(path: Path, streams: dict[str, Stream], only: str | None = None) -> tuple[float, ViewStore]:
    """Decode and fold every event into a fresh store (``only``: one read model); seconds."""
    store = ViewStore({"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})
    projector = Projector(store)
    if only:
        projector.live = {name: target for name, target in projector.live.items() if name == only}
    started = time.perf_counter()
    for name, stream in streams.items():
        for start in range(0, len(stream), BATCH):
            projector.apply([(REGISTRY.decode_json(key, data), Tracking(name, start + n + 1), data)
                             for n, (key, data) in enumerate(stream[start:start + BATCH])])
    return time.perf_counter() - started, store


def decode_only(store: ViewStore, fold: as_of.Fold, until: datetime) -> tuple[float, int]:
    """The raw baseline: read what as-of reads for the whole table, decode it, fold nothing."""
    started = time.perf_counter()
    with store.read() as c:
        build = registry.require_live(store, c, as_of.AUDIT)
        events = as_of.recorded(store, c, build, fold, as_of.moment_text(until), None)
    return time.perf_counter() - started, len(events)


@dataclass
class Line:
    measurement: str
    seconds: float
    rows: int
    events: int


def best(rounds: int, run: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def folded(store: ViewStore, fold: as_of.Fold, moment: datetime, **filters: Any) -> int:
    """How many events as-of folds for this question (counted apart from the timing); with a
    customer or month, the opening events folded to pick the records count too."""
    count = [0]

    def counting(row: dict[str, Any], event: Any) -> object:
        count[0] += 1
        return fold.apply(row, event)

    as_of.rows(store, replace(fold, apply=counting), moment, **filters)
    return count[0]


def measure(tmp: Path, records: int, rounds: int, say: Say) -> tuple[list[Line], list[str]]:
    tmp.mkdir(parents=True, exist_ok=True)
    say(f"making {records} sample paths with the aggregates ...")
    streams, first, last = workload(records, say)
    events = sum(len(s) for s in streams.values())
    say(f"{events} events ({events / records:.1f} per sample) in {len(streams)} streams")
    rebuilds, alone = [], []
    store: ViewStore | None = None
    for n in range(rounds):
        if store is not None:
            store.close()
        seconds, store = rebuild(tmp / f"full-{n}.sqlite", streams)
        rebuilds.append(seconds)
        say(f"  full rebuild {n + 1}: {seconds:.2f} s ({events / seconds:,.0f} events/s)")
        seconds, only = rebuild(tmp / f"samples-{n}.sqlite", streams, "samples")
        only.close()
        alone.append(seconds)
        say(f"  samples-only rebuild {n + 1}: {seconds:.2f} s")
    assert store is not None
    models = Projector(store).models
    fold = models.samples.fold()
    middle = first + (last - first) / 2
    sixteen = middle.astimezone(SHANGHAI).replace(hour=16, minute=0, second=0, microsecond=0)
    month = sixteen.strftime("%Y-%m")
    questions: list[tuple[str, datetime, dict[str, Any]]] = [
        ("whole table, as of the last event", last, {}),
        (f"whole table, as of {sixteen:%Y-%m-%d} 16:00 (middle)", sixteen, {}),
        ("one customer (1 of 50), as of the last event", last, {"customer": "C-07"}),
        (f"one month ({month}), as of {sixteen:%m-%d} 16:00", sixteen, {"month": month}),
        ("one status (no narrowing), as of 16:00 (middle)", sixteen, {"status": "trial_ok"}),
    ]
    lines = [Line("full rebuild, every read model", min(rebuilds), records, events),
             Line("rebuild of the samples table alone", min(alone), records, events)]
    seconds, decoded = best(rounds, lambda: decode_only(store, fold, last))
    lines.append(Line("raw: read + decode what as-of reads, no fold", seconds, 0, decoded[1]))
    notes = []
    for label, moment, filters in questions:
        seconds, rows = best(rounds, functools.partial(as_of.rows, store, fold, moment, **filters))
        lines.append(Line(f"as-of: {label}", seconds, len(rows), folded(store, fold, moment, **filters)))
        say(f"  {label}: {seconds:.3f} s, {len(rows)} rows")
    equal = as_of.rows(store, fold, last) == models.samples.rows(store)
    notes.append(f"as-of at the last event equals the rebuilt table: {'yes' if equal else 'NO'}")
    notes.append(f"full rebuild rounds: {', '.join(f'{s:.2f}' for s in rebuilds)} s "
                 f"(median {statistics.median(rebuilds):.2f})")
    store.close()
    return lines, notes


def table(lines: list[Line]) -> str:
    rebuild_seconds = lines[0].seconds
    head = ["measurement", "seconds", "rows", "events folded", "x full rebuild"]
    cells = [head] + [[line.measurement, f"{line.seconds:.3f}", f"{line.rows:,}",
                       f"{line.events:,}", f"{line.seconds / rebuild_seconds:.3f}"]
                      for line in lines]
    widths = [max(len(c[i]) for c in cells) for i in range(len(head))]
    out = ["| " + " | ".join(c[i].ljust(widths[i]) for i in range(len(head))) + " |"
           for c in cells]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(out)


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.as_of",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--records", type=int, default=10_000, help="sample records (10000)")
    p.add_argument("--rounds", type=int, default=3, help="rounds; the best is shown (3)")
    return p.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    args = parse(argv)
    with tempfile.TemporaryDirectory(prefix="salesflow-bench-asof-") as name:
        lines, notes = measure(Path(name), args.records, args.rounds, say)
    print()
    print(table(lines))
    for note in notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(run())
