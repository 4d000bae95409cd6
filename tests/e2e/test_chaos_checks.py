"""The chaos harness's checks (``bench.chaos_checks``) on hand-made evidence: each guarantee it
claims to check is broken once here and must be reported, in its own column.

In memory, no processes: these guard the harness itself, so that a clean chaos run means the
system held, not that the checks looked away.
"""
from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from bench import chaos_checks as checks
from bench.chaos_evidence import StoredEvent
from bench.chaos_load import Accepted, Flow
from bench.chaos_report import table
from bench.chaos_trial import TrialResult

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


def event(department: str, position: int, kind: str, record: str = "S-1", *,
          cause: str | None = None, **facts: Any) -> StoredEvent:
    event_id = str(uuid.uuid4())
    body = {"event_id": event_id, "causation_id": cause, "request_no": record,
            "actor": {"user": "salesflow" if cause else "amy", "role": "system" if cause else "sales_assistant"},
            "timestamp": facts.pop("timestamp", NOW.isoformat()), **facts}
    return StoredEvent(department, position, kind, event_id, cause, record,
                       body["actor"]["role"], body)


def stream_of(*events: StoredEvent) -> list[tuple[int, dict[str, Any] | None]]:
    return [(seq, {"event_id": e.event_id}) for seq, e in enumerate(events, start=1)]


def finished_flow(record: str, scenario: str) -> Flow:
    async def done() -> None:
        return None

    loop = asyncio.new_event_loop()
    try:
        task = loop.create_task(done())
        loop.run_until_complete(task)
    finally:
        loop.close()
    return Flow(record, scenario, task, judged=True)


def test_an_event_missing_from_its_stream_is_lost_and_one_there_twice_is_duplicated() -> None:
    a, b, c = (event("sales", i, "SampleRequested", f"S-{i}") for i in (1, 2, 3))
    found = checks.streams_against_stores({"sales": [a, b, c]}, {"sales": stream_of(a, b, b)})
    assert list(found["lost"]) == [f"sales:{c.event_id}"]
    assert "SampleRequested of S-3 (store position 3) is not in SALESFLOW_SALES" in found["lost"][f"sales:{c.event_id}"]
    assert list(found["duplicated"]) == [f"sales:{b.event_id}"]
    assert not found["reordered"]


def test_a_stream_out_of_store_order_is_reordered() -> None:
    a, b, c = (event("sales", i, "SampleRequested", f"S-{i}") for i in (1, 2, 3))
    found = checks.streams_against_stores({"sales": [a, b, c]}, {"sales": stream_of(a, c, b)})
    assert found["reordered"] == {"sales:order": "SALESFLOW_SALES: 1 event(s) out of store order"}
    assert not found["lost"] and not found["duplicated"]


def test_an_event_in_a_stream_that_its_store_has_not_is_lost() -> None:
    a, stranger = event("sales", 1, "SampleRequested"), event("sales", 9, "SampleRequested")
    found = checks.streams_against_stores({"sales": [a]}, {"sales": stream_of(a, stranger)})
    assert "which the sales store has not" in found["lost"][f"sales:{stranger.event_id}"]


def test_an_accepted_event_missing_from_the_store_is_lost() -> None:
    a = event("sales", 1, "SampleRequested")
    gone = str(uuid.uuid4())
    found = checks.accepted_in_stores({"sales": [a]}, [Accepted("sales", "request_sample", "S-1",
                                                                (a.event_id, gone))])
    assert list(found["lost"]) == [f"accepted:{gone}"]


def test_two_reactions_to_one_cause_are_double_applied_and_none_is_missing() -> None:
    approved = event("sales", 1, "SampleApplicationApproved")
    opened = [event("engineering", i, "SamplingJobOpened", cause=approved.event_id) for i in (1, 2)]
    found = checks.reactions({"sales": [approved], "engineering": opened}, [])
    assert list(found["double_applied"]) == [f"SamplingJobOpened:{approved.event_id}"]
    assert "stored 2 times for one cause" in found["double_applied"][f"SamplingJobOpened:{approved.event_id}"]
    approved_again = event("sales", 2, "SampleApplicationApproved", "S-2")
    found = checks.reactions({"sales": [approved_again]}, [])
    assert list(found["missing_reactions"]) == [f"SamplingJobOpened:{approved_again.event_id}"]


def test_a_returned_sample_must_reach_sales_as_progress() -> None:
    """rule: R-S5 — "returned" is the last stage: sales records it whatever arrived before."""
    returned = event("engineering", 1, "SampleReturnedToSales")
    found = checks.reactions({"engineering": [returned]}, [])
    assert list(found["missing_reactions"]) == [f"SampleProgressRecorded:{returned.event_id}"]
    progress = event("sales", 1, "SampleProgressRecorded", cause=returned.event_id, stage="returned")
    assert not any(checks.reactions({"engineering": [returned], "sales": [progress]}, []).values())


def test_more_reactions_than_a_finished_scenario_ends_with_are_wrong() -> None:
    """An unfinished sample (quotation only) with a sampling job: a reaction that should not be."""
    approved = event("sales", 1, "SampleApplicationApproved", "S-9")
    opened = event("engineering", 1, "SamplingJobOpened", "S-9", cause=approved.event_id)
    found = checks.reactions({"sales": [approved], "engineering": [opened]},
                             [finished_flow("S-9", "quotation_only")])
    assert "S-9 (quotation_only): 1 SamplingJobOpened, expected 0" in found["wrong_reactions"].values()


def test_an_internal_order_must_reach_production_and_engineering_once_each() -> None:
    """rule: R-O2 — the internal order is received by PMC and asks engineering for instructions."""
    issued = event("sales", 1, "InternalOrderIssued", "O-1")
    found = checks.reactions({"sales": [issued]}, [])
    assert set(found["missing_reactions"]) == {f"InternalOrderReceived:{issued.event_id}",
                                               f"ProcessInstructionsRequested:{issued.event_id}"}
    received = [event("production", i, "InternalOrderReceived", "O-1", cause=issued.event_id)
                for i in (1, 2)]
    asked = event("engineering", 1, "ProcessInstructionsRequested", "O-1", cause=issued.event_id)
    progress = event("sales", 2, "OrderProgressRecorded", "O-1", cause=str(uuid.uuid4()))
    found = checks.reactions({"sales": [issued, progress], "production": received,
                              "engineering": [asked]}, [finished_flow("O-1", "order_delayed")])
    assert list(found["double_applied"]) == [f"InternalOrderReceived:{issued.event_id}"]
    assert not found["missing_reactions"] and not found["wrong_reactions"]


def test_a_lot_is_inspected_a_failed_one_reworked_and_sales_records_each() -> None:
    """rule: R-O3 / R-O4 — every lot to quality, every failure back to production, and sales'
    order status follows each report."""
    lot = event("production", 1, "LotCompleted", "O-1", lot_no="L1")
    failed = event("quality", 1, "InspectionFailed", "O-1", lot_no="L1")
    found = checks.reactions({"production": [lot], "quality": [failed]}, [])
    assert set(found["missing_reactions"]) == {
        f"InspectionRequested:{lot.event_id}", f"OrderProgressRecorded:{lot.event_id}",
        f"ReworkStarted:{failed.event_id}", f"OrderProgressRecorded:{failed.event_id}"}
    requested = [event("quality", 2 + i, "InspectionRequested", "O-1", cause=lot.event_id)
                 for i in (0, 1)]
    rework = event("production", 2, "ReworkStarted", "O-1", cause=failed.event_id)
    sales = [event("sales", i, "OrderProgressRecorded", "O-1", cause=c.event_id)
             for i, c in enumerate((lot, failed), start=1)]
    found = checks.reactions({"production": [lot, rework], "quality": [failed, *requested],
                              "sales": sales}, [])
    assert list(found["double_applied"]) == [f"InspectionRequested:{lot.event_id}"]
    assert not found["missing_reactions"]


def test_an_order_delay_is_recorded_as_an_order_delay_not_a_sample_notice() -> None:
    """rule: R-S7 — ``promises: order`` goes to the order; a sample notice would be wrong."""
    delay = event("production", 1, "DelayNotified", "O-1", promises="order", order_no="O-1")
    found = checks.reactions({"production": [delay]}, [])
    assert list(found["missing_reactions"]) == [f"OrderDelayRecorded:{delay.event_id}"]
    noticed = event("sales", 1, "DelayNoticeRecorded", "O-1", cause=delay.event_id)
    found = checks.reactions({"production": [delay], "sales": [noticed]},
                             [finished_flow("O-1", "order_delayed")])
    assert list(found["missing_reactions"]) == [f"OrderDelayRecorded:{delay.event_id}"]
    assert "O-1 (order_delayed): 1 DelayNoticeRecorded, expected 0" in found["wrong_reactions"].values()


def test_an_order_promise_missed_asks_for_exactly_one_penalty_and_a_kept_one_for_none() -> None:
    """rule: R-S7 for orders"""
    missed = event("production", 1, "DeliveryPromiseMissed", "O-1", promises="order")
    found = checks.reactions({"production": [missed]}, [finished_flow("O-1", "order_missed")])
    assert list(found["missing_reactions"]) == [f"OrderPenaltyRequested:{missed.event_id}"]
    twice = [event("sales", i, "OrderPenaltyRequested", "O-1", cause=missed.event_id) for i in (1, 2)]
    found = checks.reactions({"production": [missed], "sales": twice},
                             [finished_flow("O-1", "order_missed")])
    assert list(found["double_applied"]) == [f"OrderPenaltyRequested:{missed.event_id}"]
    assert not found["wrong_reactions"]  # the copy is counted once, as double-applied
    unasked = event("sales", 1, "OrderPenaltyRequested", "O-2", cause=str(uuid.uuid4()))
    found = checks.reactions({"sales": [unasked]}, [finished_flow("O-2", "order_on_time")])
    assert "O-2 (order_on_time): 1 OrderPenaltyRequested, expected 0" in found["wrong_reactions"].values()


def test_an_escalation_opens_an_investigation_in_the_responsible_department_only() -> None:
    """rule: R-C2"""
    escalated = event("sales", 1, "ComplaintEscalated", "K-1", responsible="quality")
    elsewhere = event("production", 1, "ProductionComplaintInvestigationOpened", "K-1",
                      cause=escalated.event_id)
    found = checks.reactions({"sales": [escalated], "production": [elsewhere]}, [])
    assert list(found["missing_reactions"]) == [
        f"QualityComplaintInvestigationOpened:{escalated.event_id}"]
    [wrong] = found["wrong_reactions"].values()
    assert "ProductionComplaintInvestigationOpened of K-1 for an escalation to quality" in wrong
    opened = [event("quality", i, "QualityComplaintInvestigationOpened", "K-1",
                    cause=escalated.event_id) for i in (1, 2)]
    found = checks.reactions({"sales": [escalated], "quality": opened}, [])
    assert list(found["double_applied"]) == [
        f"QualityComplaintInvestigationOpened:{escalated.event_id}"]
    assert not found["missing_reactions"] and not found["wrong_reactions"]


def test_an_analysis_reaches_sales_and_a_redirected_complaint_is_taken_over_once() -> None:
    """rule: R-C2 / R-C4"""
    analysed = event("engineering", 1, "EngineeringComplaintAnalysed", "K-1")
    redirected = event("production", 1, "ProductionComplaintRedirected", "K-2")
    found = checks.reactions({"engineering": [analysed], "production": [redirected]}, [])
    assert set(found["missing_reactions"]) == {f"ComplaintMeasuresRecorded:{analysed.event_id}",
                                               f"ComplaintReceived:{redirected.event_id}"}
    sales = [event("sales", 1, "ComplaintMeasuresRecorded", "K-1", cause=analysed.event_id),
             *(event("sales", i, "ComplaintReceived", "K-2", cause=redirected.event_id)
               for i in (2, 3))]
    found = checks.reactions({"engineering": [analysed], "production": [redirected],
                              "sales": sales}, [finished_flow("K-2", "complaint_from_production")])
    assert list(found["double_applied"]) == [f"ComplaintReceived:{redirected.event_id}"]
    assert not found["missing_reactions"] and not found["wrong_reactions"]


def test_an_event_twice_in_an_audit_trail_is_double_applied_and_one_missing_is_lost() -> None:
    a, b = event("sales", 1, "SampleRequested"), event("sales", 2, "SampleCosted")
    histories = {"S-1": [{"event_id": a.event_id}, {"event_id": a.event_id}]}
    found = checks.histories_against_stores(histories, {"sales": [a, b]}, checks.empty())
    assert list(found["double_applied"]) == [f"audit:{a.event_id}"]
    assert list(found["lost"]) == [f"audit:{b.event_id}"]
    known = checks.empty()
    known["lost"][f"sales:{b.event_id}"] = "not in its stream"
    assert not checks.histories_against_stores(histories, {"sales": [a, b]}, known)["lost"]


def test_rows_that_differ_after_a_rebuild_are_mismatched() -> None:
    before = {"samples": [{"request_no": "S-1", "status": "returned"}, {"request_no": "S-2"}],
              "customers": [], "history": {"S-1": [{"event_id": "e1"}]}}
    after = {"samples": [{"request_no": "S-1", "status": "completed"}], "customers": [],
             "history": {"S-1": [{"event_id": "e1"}, {"event_id": "e1"}]}}
    found = checks.models_against_rebuild(before, after)["mismatched_rows"]
    assert set(found) == {"samples:S-1", "samples:S-2", "history:S-1"}
    assert "status: 'returned' live vs 'completed' rebuilt" in found["samples:S-1"]
    assert not any(checks.models_against_rebuild(before, before).values())


def test_order_and_complaint_rows_that_differ_after_a_rebuild_are_mismatched() -> None:
    before = {"samples": [], "customers": [], "history": {},
              "orders": [{"order_no": "O-1", "status": "shipped"}],
              "complaints": [{"complaint_no": "K-1", "status": "verified"}]}
    after = {**before, "orders": [{"order_no": "O-1", "status": "promised"}], "complaints": []}
    found = checks.models_against_rebuild(before, after)["mismatched_rows"]
    assert set(found) == {"orders:O-1", "complaints:K-1"}
    assert "status: 'shipped' live vs 'promised' rebuilt" in found["orders:O-1"]
    assert "complaints row K-1 only before the rebuild" == found["complaints:K-1"]


def test_dead_letters_are_counted_and_known_findings_are_not_counted_again() -> None:
    found = checks.dead_lettered([{"consumer": "sales", "stream": "SALESFLOW_PRODUCTION", "seq": 7,
                                   "error": "ValueError: boom"}])
    assert checks.counts(found)["dead_letters"] == 1
    assert "sales dead-lettered SALESFLOW_PRODUCTION seq 7: ValueError: boom" in found["dead_letters"].values()
    assert not any(checks.new_since(found, found).values())


def test_the_table_has_a_row_per_fault_kind_and_says_whether_the_guarantees_held() -> None:
    broken = TrialResult(2, "kill-nats", back_seconds=2.0, recovery_seconds=None)
    broken.findings["lost"]["sales:x"] = "SampleRequested of S-1 is not in SALESFLOW_SALES"
    results = [TrialResult(1, "kill-service", back_seconds=1.0, recovery_seconds=5.0), broken]
    text = table(results, ["kill-service", "kill-nats"],
                 {"seed": 1, "seconds": 9.0, "status": 1, "phases": []})
    rows = {line.split("|")[1].strip(): line for line in text.splitlines() if line.startswith("| ")}
    assert set(rows) == {"fault", "kill-service", "kill-nats", "all faults"}
    assert "| 1    |" in rows["kill-nats"] and "- (1 never)" in rows["kill-nats"]
    assert "trial 2 (kill-nats): SampleRequested of S-1 is not in SALESFLOW_SALES" in text
    assert text.rstrip().endswith("GUARANTEES BROKEN (exit status 1)")
