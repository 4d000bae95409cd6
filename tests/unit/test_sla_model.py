"""The SLA read model: every clock run folded from the events alone, evaluated when asked, now or
as of a moment (only the events recorded up to it); filters; idempotent by event id; the same
whatever the order the streams are delivered in; a calendar entry counts only from when it was
recorded and for the days it names."""
from __future__ import annotations

import itertools
import random
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from events import sla as ev
from events.envelope import DieDifficulty, DomainEvent, Role
from projections.projector import Projector
from projections.sla.model import SlaModel
from projections.sla.rows import evaluate
from projections.store import ViewStore
from services.cli import sla as cli
from tests.projection_events import by_stream
from tests.sla_events import (
    CALENDAR,
    SHANGHAI,
    complaint,
    completed,
    documents,
    holiday,
    internal_order,
    local,
    make,
    promised,
    receipt,
    registered,
)

MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": ":memory:"}


def fold(store: ViewStore, events: list[DomainEvent], first: int = 1) -> Projector:
    projector = Projector(store)
    for items in by_stream(events, first).values():
        projector.apply(items)
    return projector


def model(projector: Projector) -> SlaModel:
    return projector.models.sla


def history() -> list[DomainEvent]:
    """A complaint registered late, one not registered, a sample made in time, an order PMC has
    not answered, a trial to follow up."""
    return [
        complaint("K-1", local(2, 9)), registered("K-1", local(2, 15)),
        complaint("K-2", local(2, 11.5)),
        documents("S-1", local(2, 9)), completed("S-1", local(3, 11)),
        internal_order("O-1", local(2, 11)),
        receipt("S-2", local(3, 10), date(2026, 11, 3)),
    ]


def test_every_clock_run_is_a_row_breaches_first_with_who_answers_for_it(store: ViewStore) -> None:
    """rule: R-C2 rule: R-S3 rule: R-O2 rule: R-S6 — at Tuesday 12:00: O-1 and K-2 breached
    (by due time), S-2's trial follow-up running, K-1 registered late, S-1 made in time."""
    projector = fold(store, history())
    rows = model(projector).rows(store, CALENDAR, local(3, 12))
    assert [(r["clock"], r["record"], r["state"]) for r in rows] == [
        ("SLA-PMC-REPLY", "O-1", "breached"),
        ("SLA-COMPLAINT-INTAKE", "K-2", "breached"),
        ("SLA-TRIAL-FOLLOWUP", "S-2", "running"),
        ("SLA-COMPLAINT-INTAKE", "K-1", "breached_then_met"),
        ("SLA-SAMPLE-MAKE", "S-1", "met"),
    ]
    pmc = rows[0]
    assert pmc["due"] == local(2, 14).astimezone(UTC).isoformat()
    assert (pmc["left_hours"], pmc["rules"], pmc["state_zh"]) == (-7.0, ["R-O2"], "已超时")
    assert (pmc["department"], pmc["role"], pmc["title_zh"], pmc["person"]) == (
        "production", Role.PMC_PLANNER.value, "PMC回复交期", None)  # received by the system
    sample = rows[4]
    assert (sample["person"], sample["used_hours"], sample["left_hours"]) == ("pete", 10.0, None)
    assert sample["stopped"] == local(3, 11).astimezone(UTC).isoformat()
    assert sample["allowance"] == {"kind": "working", "hours": 12.0, "at": None, "day": None}
    assert rows[2]["person"] == "bob" and rows[2]["department"] == "sales"


def test_filters_by_state_clock_department_person_and_record(store: ViewStore) -> None:
    """rule: R-C2 rule: R-O2 — ``salesflow sla`` filters."""
    sla = model(fold(store, history()))

    def records(**filters: Any) -> list[str]:
        return [f"{r['clock']}/{r['record']}" for r in sla.rows(store, CALENDAR, local(3, 12),
                                                                  **filters)]

    assert records(states=["breached"]) == ["SLA-PMC-REPLY/O-1", "SLA-COMPLAINT-INTAKE/K-2"]
    assert records(clock="SLA-COMPLAINT-INTAKE") == ["SLA-COMPLAINT-INTAKE/K-2",
                                                     "SLA-COMPLAINT-INTAKE/K-1"]
    assert records(department="production") == ["SLA-PMC-REPLY/O-1", "SLA-SAMPLE-MAKE/S-1"]
    assert records(person="bob") == ["SLA-TRIAL-FOLLOWUP/S-2"]
    assert records(record="S-1") == ["SLA-SAMPLE-MAKE/S-1"]
    assert records(record="S-1", states=["breached"]) == []


def test_as_of_a_moment_only_the_events_recorded_by_then_count(store: ViewStore) -> None:
    """rule: R-C2 — the call came at 09:10 and was typed in at 11:02: as of 11:00 there is
    nothing; as of 11:05 the intake is at risk (due 11:10, counted from 09:10); now, breached."""
    late = complaint("K-9", local(2, 9 + 10 / 60), recorded=local(2, 11 + 2 / 60))
    sla = model(fold(store, [late]))
    assert sla.rows(store, CALENDAR, local(2, 16), as_of=local(2, 11)) == []
    [then] = sla.rows(store, CALENDAR, local(2, 16), as_of=local(2, 11 + 5 / 60))
    assert (then["state"], then["left_hours"]) == ("at_risk", round(5 / 60, 4))
    [now] = sla.rows(store, CALENDAR, local(2, 16))
    assert now["state"] == "breached" and now["started"] == local(2, 9 + 10 / 60).astimezone(
        UTC).isoformat()


def test_an_event_delivered_twice_changes_nothing(store: ViewStore) -> None:
    """rule: R-S3 — idempotent by event id: the same events again (a duplicate past the dedupe
    window, at other stream positions) give the same rows."""
    events = history()
    projector = fold(store, events)
    before = model(projector).rows(store, CALENDAR, local(4, 9))
    for items in by_stream(events, first=1000).values():
        projector.apply(items)
    assert model(projector).rows(store, CALENDAR, local(4, 9)) == before


def test_rows_do_not_depend_on_how_the_streams_interleave() -> None:
    """rule: R-S3 rule: R-S7 — production's completion delivered before or after the promise and
    the documents, sales' before or after production's: the same rows and stored marks."""
    events = [*history(), promised("S-1", local(2, 10), local(4, 12)),
              make(ev.SlaBreached, local(2, 14), Role.SYSTEM, "sla", clock="SLA-PMC-REPLY",
                   record="O-1", run="1", due_at=local(2, 14), at_risk_at=local(2, 13.6),
                   moment=local(2, 14), late_seconds=0.2, responsible_department="production")]
    seen = []
    shuffler = random.Random(9)
    for attempt in range(4):
        order = list(events)
        if attempt:
            shuffler.shuffle(order)
        views = ViewStore(MEMORY)
        try:
            projector = Projector(views)
            for event in order:  # one event per batch: every interleaving of the streams
                [items] = by_stream([event], first=1 + order.index(event)).values()
                projector.apply(items)
            stored = model(projector).stored(views)
            seen.append((sorted(map(str, stored.marks)), sorted(map(str, stored.alerts)),
                         model(projector).rows(views, CALENDAR, local(4, 9))))
        finally:
            views.close()
    assert all(s == seen[0] for s in seen[1:]) and seen[0][2]


def test_alerts_and_daily_reports_are_rows_of_the_model(store: ViewStore) -> None:
    """rule: R-O2 rule: R-S5 rule: R-O5 rule: R-C5 — the breach alert raised 0.2 s after 14:00
    is on the run's row; the 16:00 reports: samples issued in time, orders late (after a
    downtime), complaints not issued at all."""
    due = local(2, 16)
    alert = make(ev.SlaBreached, local(2, 14), Role.SYSTEM, "sla", clock="SLA-PMC-REPLY",
                 record="O-1", run="1", due_at=local(2, 14), at_risk_at=local(2, 13.6),
                 moment=local(2, 14), late_seconds=0.2, responsible_department="production")
    scheduled = make(ev.DailyReportScheduled, local(2, 8), Role.SYSTEM, "sla", day=due.date(),
                     due_at=due)
    issued = [make(ev.DailyReportIssued, at, Role.SYSTEM, "sla", day=due.date(), due_at=due,
                   table=table, rule=rule, as_of=due, late_seconds=(at - due).total_seconds())
              for table, rule, at in (("samples", "R-S5", due), ("orders", "R-O5", local(2, 17)))]
    sla = model(fold(store, [internal_order("O-1", local(2, 11)), alert, scheduled, *issued]))
    rows = sla.rows(store, CALENDAR, local(2, 18))
    pmc = next(r for r in rows if r["clock"] == "SLA-PMC-REPLY")
    assert (pmc["breach_alert_at"], pmc["breach_alert_late_seconds"]) == (
        local(2, 14).astimezone(UTC).isoformat(), 0.2)
    reports = {r["record"]: r for r in rows if r["clock"] == "SLA-DAILY-REPORT"}
    assert {k: (r["state"], r["late_seconds"]) for k, r in reports.items()} == {
        "samples": ("met", 0.0), "orders": ("breached_then_met", 3600.0),
        "complaints": ("breached", None)}
    assert reports["complaints"]["due"] == due.astimezone(UTC).isoformat()
    before = sla.rows(store, CALENDAR, local(2, 18), as_of=local(2, 15))
    assert {r["record"]: r["state"] for r in before if r["clock"] == "SLA-DAILY-REPORT"} == {
        "samples": "running", "orders": "running", "complaints": "running"}


def test_the_days_pack_delivered_shows_on_its_report_rows(store: ViewStore) -> None:
    """rule: R-S5 rule: R-O5 rule: R-C5 — the day's DailyPackDelivered is on each of the day's
    report rows (the workbook's hash, when), from when it was recorded."""
    due = local(2, 16)
    issued = [make(ev.DailyReportIssued, due, Role.SYSTEM, "sla", day=due.date(), due_at=due,
                   table=table, rule=rule, as_of=due, late_seconds=0.0)
              for table, rule in (("samples", "R-S5"), ("orders", "R-O5"), ("complaints", "R-C5"))]
    pack = make(ev.DailyPackDelivered, local(2, 16.01), Role.SYSTEM, "sla", day=due.date(),
                as_of=due, document_sha256="b" * 64, filename="pack-daily.xlsx", size=10,
                recipients=(), emailed=False)
    sla = model(fold(store, [*issued, pack]))
    rows = [r for r in sla.rows(store, CALENDAR, local(2, 18)) if r["clock"] == "SLA-DAILY-REPORT"]
    assert len(rows) == 3
    assert {(r["pack_document"], r["pack_delivered_at"]) for r in rows} == {
        ("b" * 64, local(2, 16.01).astimezone(UTC).isoformat())}
    before = sla.rows(store, CALENDAR, local(2, 18), as_of=local(2, 16.005))
    assert {r["pack_document"] for r in before if r["clock"] == "SLA-DAILY-REPORT"} == {None}


def test_a_holiday_counts_from_when_it_was_declared_and_for_its_days_only(store: ViewStore) -> None:
    """rule: R-S6 rule: R-O2 — on Tuesday the company declares Monday 9 November a holiday: the
    trial follow-up due that Monday moves to Tuesday 10; read as of Monday 2 the clock still
    says Monday 9 (history is not recomputed); a run of the week before keeps its deadline."""
    events = [receipt("S-2", local(5, 16), date(2026, 11, 5)),
              internal_order("O-1", local(2, 11)),
              holiday(date(2026, 11, 9), at=local(6, 9))]
    sla = model(fold(store, events))

    def due(as_of: datetime | None) -> dict[str, str]:
        return {r["record"]: r["due"] for r in sla.rows(store, CALENDAR, local(7, 9), as_of)}

    text = {k: v.astimezone(UTC).isoformat() for k, v in (
        ("O-1", local(2, 14)), ("monday", local(9, 17)), ("tuesday", local(10, 17)))}
    assert due(local(6, 8)) == {"O-1": text["O-1"], "S-2": text["monday"]}
    assert due(None) == {"O-1": text["O-1"], "S-2": text["tuesday"]}


def test_a_change_of_working_hours_applies_from_its_effective_date(store: ViewStore) -> None:
    """rule: R-S3 — from Thursday 5 November the company works 08:00-12:00 only: a sample made
    from Monday keeps Monday to Wednesday's hours and counts 4 hours a day from Thursday."""
    if not hasattr(CALENDAR, "with_entries"):
        pytest.skip("the company calendar does not take working-hours changes yet")
    change = make(ev.WorkingHoursChanged, local(2, 8), Role.ADMIN, "ada",
                  effective_from=date(2026, 11, 5), weekdays=(0, 1, 2, 3, 4, 5),
                  periods=(ev.WorkingPeriod(start=time(8), end=time(12)),))
    sla = model(fold(store, [documents("S-1", local(2, 9), DieDifficulty.COMPLEX), change]))
    [row] = sla.rows(store, CALENDAR, local(3, 9))
    # Monday 7, Tuesday and Wednesday 8 (23), then 4 a day: Thu 27 … Mon 9 39, Tue 10 43,
    # Wed 11 47, Thursday 12 08:00 + 1 hour.
    assert row["due"] == local(12, 9).astimezone(UTC).isoformat()


def test_the_summary_tables_flag_what_the_sla_model_finds(store: ViewStore) -> None:
    """rule: R-C2 rule: R-O2 — flags per record: breached, at risk, breached then met; a met or
    running clock is no flag."""
    sla = model(fold(store, history()))
    flags = sla.flags(store, CALENDAR, local(2, 16))
    assert flags == {
        "O-1": [{"clock": "SLA-PMC-REPLY", "run": "1", "state": "breached", "state_zh": "已超时"}],
        "K-2": [{"clock": "SLA-COMPLAINT-INTAKE", "run": "1", "state": "breached",
                 "state_zh": "已超时"}],
        "K-1": [{"clock": "SLA-COMPLAINT-INTAKE", "run": "1", "state": "breached_then_met",
                 "state_zh": "超时后完成"}]}


def test_evaluation_is_a_pure_function_of_the_stored_rows(store: ViewStore) -> None:
    """rule: R-S3 — the same stored rows, calendar and moment: the same answer, every time."""
    sla = model(fold(store, history()))
    stored = sla.stored(store)
    answers = [evaluate(stored, CALENDAR, local(3, 12)) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2] == sla.rows(store, CALENDAR, local(3, 12))


def test_the_sla_table_shows_times_in_the_company_zone_and_time_left_or_overdue(
        store: ViewStore) -> None:
    """rule: R-O2 — PMC's reply due Monday 14:00 in Shanghai, 7 working hours overdue on Tuesday
    at 12:00."""
    rows = model(fold(store, history())).rows(store, CALENDAR, local(3, 12))
    text = cli.sla_table(rows, SHANGHAI)
    pmc = next(line for line in text.splitlines() if "SLA-PMC-REPLY" in line)
    assert "11-02 14:00" in pmc and "7.0h overdue 超时" in pmc and "breached 已超时" in pmc
    assert "5 runs, 2 breached, 0 at risk" in text and "Due 到期" in text
    assert cli.sla_table([], SHANGHAI) == "no clock runs to show / 暂无时限事项"


def test_rows_of_unrelated_events_are_not_kept(store: ViewStore) -> None:
    """rule: R-S7 — events no clock reads leave the model empty."""
    noise = make(ev.SlaClockMarked, local(2, 9), Role.SYSTEM, "sla", clock="SLA-PMC-REPLY",
                 record="O-1", run="1", mark="start", at=local(2, 9),
                 source_event_id=str(uuid.uuid4()), source_type="InternalOrderReceived")
    sla = model(fold(store, [noise]))
    assert not sla.wants(noise) and sla.rows(store, CALENDAR, local(2, 16)) == []
    assert list(itertools.chain(*vars(sla.stored(store)).values())) == []
