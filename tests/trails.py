"""What the audit trail of each demo sample must hold: every reaction exactly once."""
from __future__ import annotations

from collections import Counter
from typing import Any

from services.cli.demo import SCENARIOS

# Per demo scenario (in order): sample rounds opened in production, rounds finished,
# delay notices, penalty requests (each after production's missed promise).
OPENED = (1, 2, 0, 0, 1, 1, 1, 1, 0, 0, 1, 0)
FINISHED = (1, 2, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0)
DELAYS = (0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0)
PENALTIES = (0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0)


def check_trail(index: int, number: str, trail: list[dict[str, Any]]) -> None:
    """``index`` is the sample's position in the demo run (it picks the scenario)."""
    scenario = index % len(SCENARIOS)
    assert len({e["event_id"] for e in trail}) == len(trail), f"{number}: an event twice"
    counts = Counter(e["type"] for e in trail)
    assert counts["SampleRequested"] == 1, (number, counts)
    for reaction in ("SamplingJobOpened", "SampleDocumentsReceived"):
        assert counts[reaction] == OPENED[scenario], (number, reaction, counts)
    assert counts["FinishedSampleReceived"] == FINISHED[scenario], (number, counts)
    assert counts["DelayNoticeRecorded"] == DELAYS[scenario], (number, counts)
    assert counts["DeliveryPromiseMissed"] == PENALTIES[scenario], (number, counts)
    assert counts["PenaltyRequested"] == PENALTIES[scenario], (number, counts)
    sources = [e["facts"]["source_event_id"] for e in trail if e["type"] == "SampleProgressRecorded"]
    assert len(sources) == len(set(sources)), f"{number}: progress recorded twice"
