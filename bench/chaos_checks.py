"""The guarantees a chaos run checks, as pure functions of what the system holds.

Each finding has a key (so a problem found after trial 3 is counted once, in trial 3) and a
sentence saying what is wrong, where. The categories are the columns of the run's table.
"""
from __future__ import annotations

import bisect
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from bench.chaos_evidence import STREAMS, StoredEvent
from bench.chaos_expected import (
    CAUSED,
    CAUSES,
    INVESTIGATIONS,
    PER_SCENARIO,
    investigation,
)
from bench.chaos_load import TIMER_GRACE, TIMER_SLACK, Accepted, Flow

CATEGORIES = ("lost", "duplicated", "double_applied", "missing_reactions", "wrong_reactions",
              "reordered", "mismatched_rows", "dead_letters")
# Categories that break "no lost or duplicated event" / exactly-once effects: a run with any
# of them fails (exit status 1). Mismatched rows, reordering and dead letters fail it too.
FAILING = CATEGORIES

Findings = dict[str, dict[str, str]]  # category -> key -> sentence



def empty() -> Findings:
    return {category: {} for category in CATEGORIES}


def merge(*parts: Findings) -> Findings:
    out = empty()
    for part in parts:
        for category, found in part.items():
            out[category].update(found)
    return out


def new_since(now: Findings, before: Findings) -> Findings:
    return {c: {k: v for k, v in now[c].items() if k not in before.get(c, {})} for c in CATEGORIES}


def counts(findings: Findings) -> dict[str, int]:
    return {category: len(findings[category]) for category in CATEGORIES}


def _out_of_order(positions: list[int]) -> int:
    """How many items must move for ``positions`` to be increasing (n - longest increasing run)."""
    tails: list[int] = []
    for p in positions:
        at = bisect.bisect_left(tails, p)
        if at == len(tails):
            tails.append(p)
        else:
            tails[at] = p
    return len(positions) - len(tails)


def streams_against_stores(stores: dict[str, list[StoredEvent]],
                           streams: dict[str, list[tuple[int, dict[str, Any] | None]]]) -> Findings:
    """Every stored event in its stream exactly once, in store order; nothing else there."""
    found = empty()
    for department, stored in stores.items():
        stream = STREAMS[department]
        seqs: dict[str, list[int]] = defaultdict(list)
        for seq, body in streams.get(department, []):
            if body is not None and "event_id" in body:
                seqs[str(body["event_id"])].append(seq)
        known = {e.event_id for e in stored}
        for event in stored:
            where = f"{event.type} of {event.record or '-'} (store position {event.position})"
            if event.event_id not in seqs:
                found["lost"][f"{department}:{event.event_id}"] = f"{where} is not in {stream}"
            elif len(seqs[event.event_id]) > 1:
                found["duplicated"][f"{department}:{event.event_id}"] = (
                    f"{where} is in {stream} {len(seqs[event.event_id])} times, "
                    f"seqs {seqs[event.event_id][:5]}")
        for event_id, at in seqs.items():
            if event_id not in known:
                found["lost"][f"{department}:{event_id}"] = (
                    f"{stream} seq {at[0]} holds event {event_id}, which the {department} store has not")
        first = {event_id: at[0] for event_id, at in seqs.items()}
        order = [first[e.event_id] for e in stored if e.event_id in first]
        if (moved := _out_of_order(order)) > 0:
            found["reordered"][f"{department}:order"] = (
                f"{stream}: {moved} event(s) out of store order")
    return found


def accepted_in_stores(stores: dict[str, list[StoredEvent]], accepted: Iterable[Accepted]) -> Findings:
    """Every event a reply reported as stored is in that department's store."""
    found = empty()
    ids = {d: {e.event_id for e in events} for d, events in stores.items()}
    for command in accepted:
        for event_id in command.event_ids:
            if event_id not in ids.get(command.department, set()):
                found["lost"][f"accepted:{event_id}"] = (
                    f"{command.command} of {command.record} was accepted with event {event_id}, "
                    f"which the {command.department} store has not")
    return found


# Reactions that rightly make several events of one type for one cause: one per what these
# fields name. The SLA service marks every clock an event touches (a promise stops the PMC
# reply clock and starts three others; a delay notice stops one notice run and starts the next).
ONE_PER_CAUSE_AND: dict[str, tuple[str, ...]] = {
    "SlaClockMarked": ("clock", "record", "run", "mark"),
    "SlaClockRescheduled": ("clock", "record", "run", "due_at"),
    "SlaAtRisk": ("clock", "record", "run", "moment"),
    "SlaBreached": ("clock", "record", "run", "moment"),
}


def reactions(stores: dict[str, list[StoredEvent]], flows: Sequence[Flow]) -> Findings:
    """Every reaction once: no two of one type for one cause, each expected one present."""
    found = empty()
    events = [e for stored in stores.values() for e in stored]
    by_cause: dict[tuple[Any, ...], list[StoredEvent]] = defaultdict(list)
    for e in events:
        if e.causation_id and e.role == "system":
            own = tuple(e.body.get(name) for name in ONE_PER_CAUSE_AND.get(e.type, ()))
            by_cause[(e.type, e.causation_id, *own)].append(e)
    extra: Counter[tuple[str | None, str]] = Counter()
    for (kind, cause, *_), copies in by_cause.items():
        if len(copies) > 1:
            record = copies[0].record
            extra[(record, kind)] += len(copies) - 1
            found["double_applied"][f"{kind}:{cause}"] = (
                f"{kind} of {record or '-'} stored {len(copies)} times for one cause ({cause})")
    for cause, reaction, which in CAUSES:
        for e in events:
            if e.type != cause or (which is not None and not which(e)):
                continue
            expected = reaction if isinstance(reaction, str) else reaction(e)
            if (expected, e.event_id) not in by_cause:
                found["missing_reactions"][f"{expected}:{e.event_id}"] = (
                    f"no {expected} for {cause} {e.event_id} of {e.record or '-'}")
    escalations = {e.event_id: e for e in events if e.type == "ComplaintEscalated"}
    for e in events:  # an investigation opened by an escalation to another department
        if e.type in INVESTIGATIONS and (cause_event := escalations.get(e.causation_id or "")):
            if e.type != (expected := investigation(cause_event)):
                found["wrong_reactions"][f"{e.type}:{cause_event.event_id}"] = (
                    f"{e.type} of {e.record or '-'} for an escalation to "
                    f"{cause_event.body.get('responsible')} (expected {expected} only, R-C2)")
    per_record: dict[str, Counter[str]] = defaultdict(Counter)
    for e in events:
        if e.record:
            per_record[e.record][e.type] += 1
    for flow in flows:
        if flow.scenario is None or flow.failure is not None:
            continue  # a flow that did not finish has no expected end state
        seen = per_record.get(flow.record, Counter())
        for kind, want in PER_SCENARIO[flow.scenario].items():
            got = seen[kind]
            if got < want and kind not in CAUSED:
                found["missing_reactions"][f"{flow.record}:{kind}"] = (
                    f"{flow.record}: {got} {kind}, expected {want}")
            elif got - extra[(flow.record, kind)] > want:
                found["wrong_reactions"][f"{flow.record}:{kind}"] = (
                    f"{flow.record} ({flow.scenario}): {got} {kind}, expected {want}")
    return found


def _time(value: Any) -> datetime:
    return datetime.fromisoformat(str(value))


def penalties(stores: dict[str, list[StoredEvent]], now: datetime) -> Findings:
    """R-S7: a penalty request for each promised time that passed without completion and
    without a timely delay notice, and for no other (judged once its timer must have fired)."""
    found = empty()
    rounds: dict[tuple[str, int], list[StoredEvent]] = defaultdict(list)
    for e in [*stores.get("production", []), *stores.get("sales", [])]:
        # The chaos flows are samples; an order's promises (``promises``) are judged elsewhere.
        if e.record and e.type in ("DeliveryPromised", "DelayNotified", "SampleCompleted",
                                   "PenaltyRequested") and e.body.get("promises", "sample") == "sample":
            rounds[(e.record, int(e.body.get("round", 1)))].append(e)
    judged_before = now - TIMER_GRACE - TIMER_SLACK
    for (record, round_no), events in rounds.items():
        promises: dict[datetime, bool] = {}  # promised time -> superseded by a timely notice
        completed: datetime | None = None
        asked: Counter[datetime] = Counter()
        for e in events:  # production's events in its store order, then sales'
            if e.type == "DeliveryPromised":
                promises[_time(e.body["promised_at"])] = False
            elif e.type == "DelayNotified":
                if e.body.get("timely"):
                    promises[_time(e.body["previous_promised_at"])] = True
                promises.setdefault(_time(e.body["new_promised_at"]), False)
            elif e.type == "SampleCompleted":
                completed = min(completed or _time(e.body["timestamp"]), _time(e.body["timestamp"]))
            else:
                asked[_time(e.body["promised_at"])] += 1
        for promised, superseded in promises.items():
            if superseded or promised > judged_before:
                continue
            met = completed is not None and completed <= promised
            if not met and not asked[promised]:
                found["missing_reactions"][f"penalty:{record}:{round_no}:{promised.isoformat()}"] = (
                    f"no PenaltyRequested for {record} round {round_no}: promised "
                    f"{promised.isoformat()}, not completed by then")
            if met and asked[promised]:
                found["wrong_reactions"][f"penalty:{record}:{round_no}:{promised.isoformat()}"] = (
                    f"PenaltyRequested for {record} round {round_no} although completed at "
                    f"{completed.isoformat() if completed else '-'}, before the promised "
                    f"{promised.isoformat()} (R-S7)")
    return found


def histories_against_stores(histories: dict[str, list[dict[str, Any]]],
                             stores: dict[str, list[StoredEvent]], known: Findings) -> Findings:
    """Each record's audit trail holds each of its stored events exactly once. An event its
    stream lacks is not counted again; one the stream holds twice is, when the projection
    applied it twice (read models are idempotent by event id)."""
    found = empty()
    not_in_stream = {key.split(":", 1)[1] for key in known["lost"]}
    by_record: dict[str, list[StoredEvent]] = defaultdict(list)
    for stored in stores.values():
        for e in stored:
            if e.record in histories:
                by_record[e.record].append(e)
    for record, trail in histories.items():
        ids = Counter(str(row.get("event_id")) for row in trail)
        for event_id, n in ids.items():
            if n > 1:
                found["double_applied"][f"audit:{event_id}"] = (
                    f"history of {record} shows event {event_id} {n} times")
        for e in by_record.get(record, []):
            if e.event_id not in ids and e.event_id not in not_in_stream:
                found["lost"][f"audit:{e.event_id}"] = (
                    f"history of {record} lacks its {e.type} ({e.department} store position {e.position})")
    return found


def _keyed(rows: Any, key: str) -> dict[str, str]:
    if not isinstance(rows, list):
        return {"<reply>": json.dumps(rows, sort_keys=True, default=str)}
    return {str(r.get(key)): json.dumps(r, sort_keys=True, default=str) for r in rows}


# The summary tables a rebuild must give again, each by its record number.
MODELS = (("samples", "request_no"), ("customers", "customer_no"), ("orders", "order_no"),
          ("complaints", "complaint_no"))


def models_against_rebuild(before: dict[str, Any], after: dict[str, Any]) -> Findings:
    """The read models answer the same before and after ``salesflow rebuild``."""
    found = empty()
    for model, key in MODELS:
        if model not in before:
            continue
        live, rebuilt = _keyed(before[model], key), _keyed(after[model], key)
        for name in sorted(set(live) | set(rebuilt)):
            if live.get(name) != rebuilt.get(name):
                found["mismatched_rows"][f"{model}:{name}"] = _difference(model, name, live.get(name),
                                                                         rebuilt.get(name))
    for record, trail in before["history"].items():
        def canon(rows: list[dict[str, Any]]) -> list[str]:
            return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)
        if canon(trail) != canon(after["history"].get(record, [])):
            found["mismatched_rows"][f"history:{record}"] = (
                f"history of {record}: {len(trail)} rows live, "
                f"{len(after['history'].get(record, []))} after the rebuild, or different content")
    return found


def _difference(model: str, name: str, live: str | None, rebuilt: str | None) -> str:
    if live is None or rebuilt is None:
        return f"{model} row {name} only {'after' if live is None else 'before'} the rebuild"
    a, b = json.loads(live), json.loads(rebuilt)
    columns = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    shown = ", ".join(f"{c}: {a.get(c)!r} live vs {b.get(c)!r} rebuilt" for c in columns[:3])
    return f"{model} row {name} differs: {shown}"


def dead_lettered(messages: list[dict[str, Any]]) -> Findings:
    found = empty()
    for index, body in enumerate(messages):
        key = f"dlq:{body.get('consumer')}:{body.get('stream')}:{body.get('seq', index)}"
        found["dead_letters"][key] = (f"{body.get('consumer')} dead-lettered {body.get('stream')} seq "
                                      f"{body.get('seq')}: {str(body.get('error'))[:200]}")
    return found
