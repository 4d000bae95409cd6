"""As-of reading through the query subject on a real nats-server: the Sample Record Summary as it
stood at 16:00 on each day equals a rebuild of the events recorded up to then (R-S5, R-O5).
Events are published straight into the department streams, as the relays would."""
from __future__ import annotations

import json
import os
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import nats
import pytest

from contracts.calendar import WorkingCalendar
from contracts.queries import SAMPLE_SEARCHED
from contracts.subjects import QUERY_SAMPLES, status_subject
from events.envelope import DomainEvent
from projections.table_paging import Slice, in_python
from services.cli import main
from services.cli.client import Client
from services.runtime.projection_queries import with_sla_flags
from services.runtime.settings import Settings
from tests.integration.system import request, running, until
from tests.projection_events import publish
from tests.unit.builders import T0
from tests.unit.test_as_of import history, rebuilt

SHANGHAI = ZoneInfo("Asia/Shanghai")


def recent() -> list[DomainEvent]:
    """The unit tests' history, moved to start about three weeks ago (as-of refuses the future)."""
    start = datetime.now(UTC).replace(hour=T0.hour, minute=0, second=0, microsecond=0)
    return history(later=start - timedelta(days=21) - T0)


def at_four(events: list[DomainEvent]) -> list[datetime]:
    """16:00 in Shanghai on every day the events span: the daily report's moment."""
    first = min(e.timestamp for e in events).astimezone(SHANGHAI).date()
    last = max(e.timestamp for e in events).astimezone(SHANGHAI).date()
    return [datetime.combine(first + timedelta(days=n), time(16), SHANGHAI)
            for n in range((last - first).days + 1)]


def expected(events: list[DomainEvent], moment: datetime, **filters: Any) -> list[Any]:
    """The rows a rebuild of the events recorded up to ``moment`` gives, with the SLA flags that
    rebuild's SLA model finds at ``moment``."""
    reference = rebuilt(events, moment)
    try:
        rows = reference.models.samples.rows(reference.store, **filters)
        return with_sla_flags(reference.store, reference.models, WorkingCalendar.from_env(os.environ),
                              rows, "request_no", moment)
    finally:
        reference.store.close()


async def applied(nc: Any, count: int) -> bool:
    state = await request(nc, status_subject("projections"), {})
    return sum(c["processed"] for c in state["consumers"].values()) >= count


async def test_the_summary_at_four_each_day_equals_a_rebuild_up_to_then(
        backend_settings: Settings) -> None:
    """rule: R-S5 — the 16:00 view of every working day, also for one customer and one month."""
    events = recent()
    async with running(backend_settings, ["projections"]):
        nc = await nats.connect(backend_settings.nats_url)
        await publish(nc.jetstream(timeout=10), events)
        await until(lambda: applied(nc, len(events)), "the projections to hold every event", 30)
        moments = at_four(events)
        assert len(moments) > 10
        for moment in moments:
            rows = await request(nc, QUERY_SAMPLES, {"as_of": moment.isoformat()})
            assert rows == expected(events, moment), moment
        middle = moments[len(moments) // 2]
        month = expected(events, middle)[0]["requested_at"]
        for filters in ({"customer": "BOLT"}, {"status": "trial_ok"},
                        {"month": datetime.fromisoformat(month).astimezone(SHANGHAI).strftime("%Y-%m")}):
            rows = await request(nc, QUERY_SAMPLES, {"as_of": middle.isoformat(), **filters})
            assert rows == expected(events, middle, **filters), filters
        # A page of the table as of a moment: sorted, searched and cut as the live table is.
        for part in (Slice(sort="customer", desc=True, limit=2, offset=1),
                     Slice(search="s-", sort="requested_at", limit=3)):
            query = {"as_of": middle.isoformat(), "sort": part.sort, "desc": part.desc,
                     "search": part.search, "limit": part.limit, "offset": part.offset}
            page = await request(nc, QUERY_SAMPLES, {k: v for k, v in query.items() if v})
            items, total = in_python(expected(events, middle), "request_no", SAMPLE_SEARCHED, part)
            assert (page["items"], page["total"]) == (items, total) and page["items"], part
        now = await request(nc, QUERY_SAMPLES, {"as_of": datetime.now(UTC).isoformat()})
        assert now == await request(nc, QUERY_SAMPLES, {})
        await nc.close()


async def test_a_moment_in_the_future_or_without_its_zone_is_refused_naming_as_of(
        settings: Settings) -> None:
    """rule: R-S5 — the table can be read as it stood, not as it will stand."""
    async with running(settings, ["projections"]):
        nc = await nats.connect(settings.nats_url)
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        for moment in (tomorrow, "2026-12-01T16:00:00", "1999-12-31T16:00:00+08:00"):
            refused = await request(nc, QUERY_SAMPLES, {"as_of": moment})
            assert set(refused) == {"error"}, moment
            assert (refused["error"]["kind"], refused["error"]["field"]) == ("validation", "as_of")
        await nc.close()


async def test_salesflow_samples_as_of_reads_a_wall_clock_time_in_the_company_zone(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    """rule: R-S5 — `salesflow samples --as-of "YYYY-MM-DD 16:00"`: 16:00 in Shanghai."""
    events = recent()
    async with running(settings, ["projections"]):
        nc = await nats.connect(settings.nats_url)
        await publish(nc.jetstream(timeout=10), events)
        await until(lambda: applied(nc, len(events)), "the projections to hold every event", 30)
        moment = at_four(events)[5]
        wall = moment.strftime("%Y-%m-%d %H:%M")
        client = Client(nc)
        for extra in (["--json"], []):
            args = main.parser().parse_args(["samples", "--as-of", wall, *extra])
            assert await main.cmd_samples(args, settings, client) == 0
        shown_json, _, shown_table = capsys.readouterr().out.partition("\nas of ")
        assert json.loads(shown_json) == expected(events, moment)
        assert shown_table.startswith(f"{wall} (Asia/Shanghai)")
        assert f"{len(expected(events, moment))} samples" in shown_table
        await nc.close()
