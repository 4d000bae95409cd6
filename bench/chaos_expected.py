"""What a chaos run expects the system to hold after each flow: how many of each reaction a
record of each scenario ends with, and which reactions follow every event of a type. The
checks (``chaos_checks``) compare the department stores with these."""
from __future__ import annotations

from collections.abc import Callable

from bench.chaos_evidence import StoredEvent
from bench.chaos_load import FLOWS, SAMPLE_FLOWS

# How many of each reaction a sample of each scenario ends with, read from the department
# stores: the demo's twelve (services.cli.demo.SCENARIOS, same figures as tests/trails.py) and
# ours. Penalty requests are checked against the promises themselves (``penalties``).
_COUNTS = {
    "SamplingJobOpened": (1, 2, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1),
    "SampleDocumentsReceived": (1, 2, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1),
    "FinishedSampleReceived": (1, 2, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1),
    "DelayNoticeRecorded": (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0),
}
INVESTIGATIONS = tuple(f"{d}ComplaintInvestigationOpened" for d in ("Production", "Quality", "Engineering"))


def _order(received: int = 1, inspections: int = 0, reworks: int = 0, progress: int = 1,
           delays: int = 0, missed: int = 0) -> dict[str, int]:
    """What one order of a scenario ends with: production's and engineering's reactions to the
    internal order, quality's to each lot, production's to each failure, and sales' to each
    promise, instructions, lot and verdict (R-O2 to R-O4); penalties for its missed promises."""
    return {"InternalOrderReceived": received, "ProcessInstructionsRequested": received,
            "InspectionRequested": inspections, "ReworkStarted": reworks,
            "OrderProgressRecorded": progress, "OrderDelayRecorded": delays,
            "DelayNoticeRecorded": 0, "DeliveryPromiseMissed": missed,
            "OrderPenaltyRequested": missed, "PenaltyRequested": 0}


def _complaint(**investigations: int) -> dict[str, int]:
    """What one complaint ends with: received once (through sales' window, or taken over from
    the department it reached first, R-C4), the responsible department's investigations and
    sales' copy of each analysis (R-C2)."""
    opened = {f"{d}ComplaintInvestigationOpened": investigations.get(d.lower(), 0)
              for d in ("Production", "Quality", "Engineering")}
    return {"ComplaintReceived": 1, **opened,
            "ComplaintMeasuresRecorded": sum(investigations.values())}


PER_SCENARIO: dict[str, dict[str, int]] = {
    method.__name__: {kind: counts[i] for kind, counts in _COUNTS.items()}
    for i, (_, method) in enumerate(SAMPLE_FLOWS)}
PER_SCENARIO |= {
    # promised, instructions issued, lot completed, lot passed
    "order_on_time": _order(inspections=1, progress=4),
    # promised, lot completed twice, failed, passed (no instructions in this scenario)
    "order_reworked": _order(inspections=2, reworks=1, progress=5),
    "order_delayed": _order(delays=1),
    "order_missed": _order(missed=1),
    "complaint_reopened": _complaint(quality=2),  # escalated twice: once more after the reopen
    "complaint_from_production": _complaint(),  # left registered, not escalated
}
assert set(PER_SCENARIO) == {method.__name__ for _, method in FLOWS}


def _promises(kind: str) -> Callable[[StoredEvent], bool]:
    return lambda e: e.body.get("promises", "sample") == kind


def investigation(escalated: StoredEvent) -> str:
    return f"{str(escalated.body.get('responsible', '')).capitalize()}ComplaintInvestigationOpened"


# Reactions that follow every event of a type in these flows, whatever the scenario:
# (cause, reaction or how to name it from the cause, which causes (None: all)). Sales records
# other production stages of a sample only when no later one arrived first (R-S5), but
# "returned" is the last stage: it is always recorded. Production's promise events are one
# type for samples and orders (``promises``); sales reacts to each kind differently.
CAUSES: tuple[tuple[str, str | Callable[[StoredEvent], str], Callable[[StoredEvent], bool] | None], ...] = (
    ("SampleApplicationApproved", "SamplingJobOpened", None),
    ("SamplingScheduled", "SampleDocumentsReceived", None),
    ("SampleCompleted", "FinishedSampleReceived", None),
    ("DelayNotified", "DelayNoticeRecorded", _promises("sample")),
    ("SampleReturnedToSales", "SampleProgressRecorded", None),
    # orders (R-O2 to R-O4, R-S7)
    ("InternalOrderIssued", "InternalOrderReceived", None),
    ("InternalOrderIssued", "ProcessInstructionsRequested", None),
    ("LotCompleted", "InspectionRequested", None),
    ("InspectionFailed", "ReworkStarted", None),
    ("DeliveryPromised", "OrderProgressRecorded", _promises("order")),
    ("ProcessInstructionsIssued", "OrderProgressRecorded", None),
    ("LotCompleted", "OrderProgressRecorded", None),
    ("InspectionPassed", "OrderProgressRecorded", None),
    ("InspectionFailed", "OrderProgressRecorded", None),
    ("DelayNotified", "OrderDelayRecorded", _promises("order")),
    ("DeliveryPromiseMissed", "OrderPenaltyRequested", _promises("order")),
    # complaints (R-C2, R-C4): an escalation opens an investigation in the responsible
    # department (and only there: ``reactions`` checks that too)
    ("ComplaintEscalated", investigation, None),
    *((f"{d}ComplaintAnalysed", "ComplaintMeasuresRecorded", None)
      for d in ("Production", "Quality", "Engineering")),
    *((f"{d}ComplaintRedirected", "ComplaintReceived", None)
      for d in ("Production", "Quality", "Engineering")),
)
CAUSED = {reaction for _, reaction, _ in CAUSES if isinstance(reaction, str)} | set(INVESTIGATIONS)
