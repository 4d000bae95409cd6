"""The outbox relay against a real nats-server: every stored event in its stream once, in order,
whatever fails in between."""
from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from services.runtime.relay import Relay
from services.runtime.settings import Settings
from services.runtime.streams import NatsTooOld, ensure_streams
from services.production.application import ProductionApplication
from services.sales.application import SalesApplication
from tests.integration.streamtools import (
    event_ids,
    messages,
    relay_until,
    stored_event_ids,
    stored_samples,
)


def promised(due: datetime, request_no: str = "S-1") -> object:
    """A work order whose PMC promised ``due``: the event that starts the promise timer."""
    from events.envelope import Role
    from services.production.sample_work_order import SampleWorkOrder, work_order_id
    from tests.unit.builders import ctx

    order = SampleWorkOrder(id=work_order_id(request_no), request_no=request_no,
                            status="received", round=1)
    order.promise(ctx(Role.PMC_PLANNER, at=datetime.now(UTC)), due)
    return order


async def stream_count(js, name: str = "SALESFLOW_SALES") -> int:  # type: ignore[no-untyped-def]
    return (await js.stream_info(name)).state.messages


def all_of(js, app: SalesApplication):  # type: ignore[no-untyped-def]
    """A check: the stream holds exactly the store's events, in the store's order."""
    async def check() -> bool:
        try:
            return await event_ids(js) == stored_event_ids(app)
        except Exception:  # noqa: BLE001 - NATS restarting
            return False
    return check


async def test_the_relay_publishes_each_stored_event_once_in_order_under_its_event_id(backend_settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    """rule: R-S3 — the sample request reaches the other departments through JetStream."""
    await ensure_streams(js, backend_settings)
    app = SalesApplication(backend_settings.store_env("sales"))
    stored_samples(app, 25)
    relay = Relay(app, js, batch=10)
    await relay.align()
    while relay.published < 25:
        await relay.publish_next()
    msgs = await messages(js)
    assert [m.headers["Nats-Msg-Id"] for m in msgs] == stored_event_ids(app)
    assert [m.headers["Salesflow-Notification"] for m in msgs] == [str(i) for i in range(1, 26)]
    assert msgs[0].headers["Salesflow-Type"] == "SampleRequested.v1"
    assert json.loads(msgs[3].data)["request_no"] == "R-3"
    assert app.tracked_position(relay.tracking_name) == 25 and relay.backlog() == 0
    app.close()


async def test_a_page_stored_before_a_crash_is_not_sent_again_even_after_the_dedupe_window(settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    """Finding 3/power loss: the relay continues after the stream's last event, not only after
    its own tracking, so a restart long after a crash duplicates nothing."""
    settings = settings.model_copy(update={"duplicate_window_hours": 1 / 3600})  # one second
    await ensure_streams(js, settings)
    app = SalesApplication(settings.store_env("sales"))
    stored_samples(app, 12)
    crashed = Relay(app, js)
    await crashed.align()
    await crashed.publish_page(list(app.process_recorder.select_notifications(1, 12)))
    assert app.tracked_position(crashed.tracking_name) == 0  # "crashed" before recording
    await asyncio.sleep(1.5)  # the dedupe window has passed
    await relay_until(Relay(app, js), all_of(js, app))
    await asyncio.sleep(0.5)
    assert await stream_count(js) == 12
    app.close()


async def test_events_of_a_recreated_store_are_not_taken_for_duplicates(settings: Settings, js, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Finding 3: notification ids restart at 1 in a new store; event ids never repeat."""
    await ensure_streams(js, settings)
    first = SalesApplication(settings.store_env("sales"))
    stored_samples(first, 5, prefix="OLD")
    await relay_until(Relay(first, js), lambda: _count_is(js, 5))
    first.close()
    fresh = settings.model_copy(update={"data_dir": tmp_path / "fresh"})
    second = SalesApplication(fresh.store_env("sales"))  # a new SQLite file, NATS kept its data
    stored_samples(second, 3, prefix="NEW")
    await relay_until(Relay(second, js), lambda: _count_is(js, 8))
    assert (await event_ids(js))[5:] == stored_event_ids(second)
    second.close()


async def test_events_an_os_crash_took_from_the_stream_are_published_again(settings: Settings, js, nats_server) -> None:  # type: ignore[no-untyped-def]
    """Power loss: NATS acknowledged the last events but lost them; the store still has them."""
    await ensure_streams(js, settings)
    app = SalesApplication(settings.store_env("sales"))
    stored_samples(app, 10)
    await relay_until(Relay(app, js), all_of(js, app))
    for seq in (9, 10):  # the tail the crash took ...
        await js.delete_msg("SALESFLOW_SALES", seq)
    nats_server.kill()  # ... and the restart after it (dedupe state is rebuilt from the store)
    nats_server.start()
    await relay_until(Relay(app, js), all_of(js, app), timeout=30)
    assert await stream_count(js) == 10
    app.close()


async def test_a_stream_recreated_empty_is_filled_again_from_the_store(settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    await ensure_streams(js, settings)
    app = SalesApplication(settings.store_env("sales"))
    stored_samples(app, 6)
    await relay_until(Relay(app, js), all_of(js, app))
    await js.delete_stream("SALESFLOW_SALES")
    await ensure_streams(js, settings)
    await relay_until(Relay(app, js), all_of(js, app))
    app.close()


async def test_a_message_lost_in_the_middle_of_a_page_never_lands_after_later_ones(settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    """Finding 4: a page is stored whole and in order, or not at all, and then sent again."""
    await ensure_streams(js, settings)
    app = SalesApplication(settings.store_env("sales"))
    stored_samples(app, 8)
    relay = Relay(app, js, ack_timeout=1.0)
    nc = js._nc
    real, calls = nc.publish, 0

    async def lossy(subject: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        if subject.startswith("salesflow.sales."):
            calls += 1
            if calls == 3:
                return None  # lost on the way (a reconnect, a leader change)
        return await real(subject, *args, **kwargs)

    nc.publish = lossy
    try:
        await relay_until(relay, lambda: _count_is(js, 8))
    finally:
        nc.publish = real
    assert await event_ids(js) == stored_event_ids(app)
    app.close()


async def test_two_relays_at_once_store_each_event_once_and_in_order(settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    """A deposed relay that goes on for a moment cannot interleave with its successor."""
    await ensure_streams(js, settings)
    app = SalesApplication(settings.store_env("sales"))
    for round_no in range(5):
        stored_samples(app, 7, prefix=f"T{round_no}")
    tasks = [asyncio.create_task(Relay(app, js, batch=3).run()) for _ in range(2)]
    try:
        from tests.integration.system import until

        await until(lambda: _count_is(js, 35), "35 events in the stream")
        await asyncio.sleep(0.5)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    assert await event_ids(js) == stored_event_ids(app)
    app.close()


async def test_a_promise_schedules_one_timer_that_fires_into_the_timers_stream(settings: Settings, js) -> None:  # type: ignore[no-untyped-def]
    """rule: R-S7 — the promised time is watched by a JetStream message schedule."""
    from contracts.timers import TimerDue

    await ensure_streams(js, settings)
    app = ProductionApplication(settings.store_env("production"))
    due = datetime.now(UTC) + timedelta(seconds=1)
    app.store(promised(due))
    relay = Relay(app, js, timer_grace=0.0)
    await relay.align()
    await relay.publish_next()
    # a crash before the position was recorded sends the page again: still one timer
    await relay.scheduler.schedule(list(app.process_recorder.select_notifications(1, 100)), 5)  # type: ignore[union-attr]
    sub = await js.pull_subscribe("salesflow.timers.due.>", stream="SALESFLOW_TIMERS")
    [fired] = await sub.fetch(1, timeout=5)
    timer = TimerDue.model_validate_json(fired.data)
    assert timer.name == "delivery_promise_due" and timer.due_at == due and timer.record_no == "S-1"
    try:
        more = await sub.fetch(1, timeout=2)
    except Exception:  # noqa: BLE001 - nothing more fired: the repeat was deduplicated
        more = []
    assert more == []
    await sub.unsubscribe()
    app.close()


async def test_a_timer_too_far_ahead_is_logged_and_does_not_stop_the_relay(settings: Settings, js, caplog) -> None:  # type: ignore[no-untyped-def]
    """A promise at 9999-12-31 (stored before commands were bounded) once stopped a relay."""
    await ensure_streams(js, settings)
    app = ProductionApplication(settings.store_env("production"))
    app.store(promised(datetime(9999, 12, 31, tzinfo=UTC)))
    app.store(promised(datetime.now(UTC) + timedelta(days=1), "S-2"))
    relay = Relay(app, js)
    await relay_until(relay, lambda: _count_is(js, 2, "SALESFLOW_PRODUCTION"))
    assert "cannot be scheduled" in caplog.text
    app.close()


async def test_a_nats_server_without_atomic_batches_is_refused_in_one_sentence(settings: Settings, js, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = js.stream_info

    async def old_server(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        info = await real(name, *args, **kwargs)
        info.config.allow_atomic = None  # what a 2.11 server answers
        return info

    await ensure_streams(js, settings)
    monkeypatch.setattr(js, "stream_info", old_server)
    monkeypatch.setattr(js, "update_stream", _refuse_update)
    with pytest.raises(NatsTooOld, match="2.12 or newer") as raised:
        await ensure_streams(js, settings)
    assert "版本过旧" in str(raised.value)


async def _refuse_update(config):  # type: ignore[no-untyped-def]
    raise AssertionError(f"no update expected: {config.name}")


async def _count_is(js, n: int, stream: str = "SALESFLOW_SALES") -> bool:  # type: ignore[no-untyped-def]
    return await stream_count(js, stream) == n
