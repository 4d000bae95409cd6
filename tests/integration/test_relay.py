"""The outbox relay against a real nats-server: every event once, repeats dropped by dedupe."""
from __future__ import annotations

import json

from events.envelope import Role
from services.runtime.relay import Relay
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams
from services.sales.application import SalesApplication
from services.sales.sample import SampleRecord, sample_id
from tests.unit.builders import FULL, ctx


def stored_samples(app: SalesApplication, count: int) -> None:
    records = []
    for i in range(count):
        record = SampleRecord(id=sample_id(f"R-{i}"))
        record.request(ctx(Role.SALES_ASSISTANT, "amy"), request_no=f"R-{i}", customer="ACME",
                       product="gasket", part_no=f"P-{i}", salesperson="bob", materials=FULL)
        records.append(record)
    app.store(*records)


async def stream_count(js, name: str = "SALESFLOW_SALES") -> int:  # type: ignore[no-untyped-def]
    return (await js.stream_info(name)).state.messages


async def test_the_relay_publishes_each_stored_event_once_in_order(backend_settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    """rule: R-S3 — the sample request reaches the other departments through JetStream."""
    await ensure_streams(js, backend_settings)
    app = SalesApplication(backend_settings.store_env("sales"))
    stored_samples(app, 25)
    relay = Relay(app, js, batch=10)
    position = 0
    while relay.published < 25:
        position = await relay.publish_after(position)
    assert await stream_count(js) == 25 and app.tracked_position(relay.tracking_name) == 25
    sub = await js.pull_subscribe("salesflow.sales.>", stream="SALESFLOW_SALES")
    msgs = await sub.fetch(25, timeout=5)
    assert [m.headers["Nats-Msg-Id"] for m in msgs] == [f"sales:{i}" for i in range(1, 26)]
    assert msgs[0].headers["Salesflow-Type"] == "SampleRequested.v1"
    assert json.loads(msgs[3].data)["request_no"] == "R-3"
    app.close()


async def test_republishing_a_page_after_a_crash_changes_nothing(backend_settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    await ensure_streams(js, backend_settings)
    app = SalesApplication(backend_settings.store_env("sales"))
    stored_samples(app, 12)
    page = app.process_recorder.select_notifications(1, 12)
    crashed = Relay(app, js)
    await crashed.publish_page(list(page))  # published, then "crashed" before recording
    assert await stream_count(js) == 12 and app.tracked_position(crashed.tracking_name) == 0
    restarted = Relay(app, js)
    position = await restarted.publish_after(restarted.position)
    assert position == 12 and await stream_count(js) == 12
    again = await restarted.publish_after(position)  # nothing new: waits, publishes nothing
    assert again == 12 and await stream_count(js) == 12
    app.close()


async def test_a_promise_schedules_one_timer_that_fires_into_the_timers_stream(settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    """rule: R-S7 — the promised time is watched by a JetStream message schedule."""
    from datetime import UTC, datetime, timedelta

    from contracts.timers import TimerDue
    from services.production.application import ProductionApplication
    from services.production.sample_work_order import SampleWorkOrder, work_order_id

    available = await ensure_streams(js, settings)
    assert "SALESFLOW_TIMERS" in available
    app = ProductionApplication(settings.store_env("production"))
    order = SampleWorkOrder(id=work_order_id("S-1"), request_no="S-1", status="received", round=1)
    due = datetime.now(UTC) + timedelta(seconds=1)
    order.promise(ctx(Role.PMC_PLANNER, at=datetime.now(UTC)), due)
    app.store(order)
    relay = Relay(app, js, timer_grace=0.0)
    await relay.publish_after(0)
    # a crash before the position was recorded republishes the page: still one timer
    await relay.publish_page(list(app.process_recorder.select_notifications(1, 100)))
    sub = await js.pull_subscribe("salesflow.timers.due.>", stream="SALESFLOW_TIMERS")
    [fired] = await sub.fetch(1, timeout=5)
    timer = TimerDue.model_validate_json(fired.data)
    assert timer.name == "delivery_promise_due" and timer.due_at == due and timer.record_no == "S-1"
    try:
        more = await sub.fetch(1, timeout=2)
    except Exception:  # noqa: BLE001 - nothing more fired: the repeat was deduplicated
        more = []
    assert more == []
    app.close()
