"""The SLA read model on a real nats-server: events published straight into the department
streams (as the relays would), the clocks answered by ``QUERY_SLA`` and ``salesflow sla``, the
Complaint Summary's SLA flags joined from it, and a rebuild from the streams giving the same
rows."""
from __future__ import annotations

import json
from datetime import UTC
from typing import Any

import nats
import pytest

from contracts.subjects import (
    CTL_REBUILD,
    PROJECTIONS,
    QUERY_COMPLAINTS,
    QUERY_SLA,
    status_subject,
)
from events.envelope import DomainEvent
from services.cli import main
from services.cli import sla as cli
from services.cli.client import Client
from services.runtime.settings import Settings
from tests.integration.system import request, running, until
from tests.projection_events import publish
from tests.sla_events import complaint, internal_order, local, promised, registered

FIXED = local(20, 12)  # a past moment every query below may be read as of


def history() -> list[DomainEvent]:
    """Complaint K-1 never registered, K-2 registered late; order O-1 answered by PMC in time,
    its customer never told."""
    return [complaint("K-1", local(2, 11.5)),
            complaint("K-2", local(2, 9)), registered("K-2", local(2, 15)),
            internal_order("O-1", local(2, 11)),
            promised("O-1", local(2, 13), local(6, 17), order=True)]


async def applied(nc: Any, count: int) -> bool:
    state = await request(nc, status_subject(PROJECTIONS), {})
    return sum(c["processed"] for c in state["consumers"].values()) >= count


def states(rows: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["clock"], r["record"], r["state"]) for r in rows]


async def test_sla_rows_flags_and_a_rebuild_on_a_real_server(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-C2 rule: R-O2 rule: R-S7 rule: R-O4 — a complaint not registered within 2
    working hours is breached, so is an order whose customer was never told its date; as of
    Monday 13:00 the complaint was still running; the Complaint Summary flags K-1 and K-2;
    `salesflow sla --json` shows breaches and at-risk runs only; a rebuild gives the same rows."""
    events = history()
    assert settings.nats_url
    async with running(settings, ["projections"]):
        nc = await nats.connect(settings.nats_url)
        await publish(nc.jetstream(timeout=10), events)
        await until(lambda: applied(nc, len(events)), "the projections to hold every event", 30)

        every = await request(nc, QUERY_SLA, {"as_of": FIXED.isoformat()})
        assert states(every) == [
            ("SLA-COMPLAINT-INTAKE", "K-1", "breached"),
            ("SLA-CUSTOMER-DATE", "O-1", "breached"),
            ("SLA-DELAY-NOTICE", "O-1", "breached"),
            ("SLA-DELIVERY", "O-1", "breached"),
            ("SLA-COMPLAINT-INTAKE", "K-2", "breached_then_met"),
            ("SLA-PMC-REPLY", "O-1", "met"),
        ]
        intake = every[0]
        assert intake["due"] == local(2, 14.5).astimezone(UTC).isoformat()
        assert (intake["rules"], intake["department"], intake["state_zh"]) == (
            ["R-C2"], "sales", "已超时")
        then = await request(nc, QUERY_SLA, {"as_of": local(2, 13).isoformat(),
                                             "clock": "SLA-COMPLAINT-INTAKE"})
        assert states(then) == [("SLA-COMPLAINT-INTAKE", "K-2", "breached"),
                                ("SLA-COMPLAINT-INTAKE", "K-1", "running")]
        refused = await request(nc, QUERY_SLA, {"states": ["late"]})
        assert refused["error"]["kind"] == "validation"

        flagged = {r["complaint_no"]: [(f["clock"], f["state"]) for f in r["sla_flags"]]
                   for r in await request(nc, QUERY_COMPLAINTS, {})}
        assert flagged == {"K-1": [("SLA-COMPLAINT-INTAKE", "breached")],
                           "K-2": [("SLA-COMPLAINT-INTAKE", "breached_then_met")]}

        args = main.parser().parse_args(["sla", "--json"])
        assert await cli.run(args, settings, Client(nc)) == 0
        shown = json.loads(capsys.readouterr().out)
        assert {r["state"] for r in shown} == {"breached"} and len(shown) == 4

        reply = await request(nc, CTL_REBUILD, {"model": "sla"}, timeout=60)
        assert reply["models"] == ["sla"]
        assert await request(nc, QUERY_SLA, {"as_of": FIXED.isoformat()}) == every
        await nc.close()
