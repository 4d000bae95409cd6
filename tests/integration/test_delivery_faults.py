"""The remaining failure branches of the delivery path, each with exactly its fault injected on
a real nats-server: stream declaration under a forming cluster, foreign stream contents, bad
timers, a lease taken over, redrives that cannot be done, and a clustered NATS_URL."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import nats
from nats.js.errors import ServiceUnavailableError

from contracts.subjects import DEAD_LETTER_STREAM, DEPARTMENTS, redrive_subject, status_subject
from contracts.timers import TIMERS_STREAM
from services.runtime import dead_letters
from services.runtime.consumer import StreamConsumer
from services.runtime.lease import Lease, lease_bucket
from services.runtime.relay import Relay
from services.runtime.settings import Settings
from services.runtime.streams import ensure_streams
from services.sales.application import SalesApplication
from tests.integration.streamtools import messages, relay_until, stored_event_ids, stored_samples
from tests.integration.system import request, running, until


async def test_processes_declaring_the_streams_together_agree_on_one_epoch_each(settings: Settings, nats_server: Any) -> None:
    """Five components start at once on a fresh server: none fails, every stream once."""
    clients = [await nats.connect(nats_server.url) for _ in range(5)]
    try:
        epochs = await asyncio.gather(*[ensure_streams(nc.jetstream(), settings)
                                        for nc in clients])
    finally:
        for nc in clients:
            await nc.close()
    assert all(e == epochs[0] for e in epochs) and all(epochs[0].values())


async def test_a_stream_declaration_that_jetstream_refuses_for_a_while_is_retried(settings: Settings, js: Any, monkeypatch: Any, caplog: Any) -> None:
    real, refusals = js.stream_info, 0

    async def forming(name: str, *args: Any, **kwargs: Any) -> Any:
        nonlocal refusals
        if refusals < 2:  # a cluster still electing its meta leader answers 503
            refusals += 1
            raise ServiceUnavailableError()
        return await real(name, *args, **kwargs)

    monkeypatch.setattr(js, "stream_info", forming)
    epochs = await ensure_streams(js, settings)
    assert refusals == 2 and len(epochs) == len(DEPARTMENTS) + 2 and "JetStream not ready" in caplog.text


async def test_a_second_start_changes_no_stream(settings: Settings, js: Any, monkeypatch: Any) -> None:
    """The dead-letter stream used to be updated on every start (its window never matched)."""
    first = await ensure_streams(js, settings)
    updates: list[str] = []
    real = js.update_stream

    async def counted(config: Any, **kwargs: Any) -> Any:
        updates.append(config.name)
        return await real(config, **kwargs)

    monkeypatch.setattr(js, "update_stream", counted)
    assert await ensure_streams(js, settings) == first and updates == []


async def test_a_stream_last_written_by_an_older_relay_is_continued_from_tracking(settings: Settings, js: Any) -> None:
    """Its messages have no notification header: the relay cannot align on them and keeps to
    its own position (here: nothing published yet), publishing every event of the store."""
    await ensure_streams(js, settings)
    await js.publish("salesflow.sales.sample.sample_requested", b"{}",
                     headers={"Nats-Msg-Id": "sales:1", "Salesflow-Type": "SampleRequested.v1"})
    app = SalesApplication(settings.store_env("sales"))
    stored_samples(app, 4)

    async def published() -> bool:
        after = (await messages(js))[1:]  # the older relay's message has no event body
        return [json.loads(m.data)["event_id"] for m in after] == stored_event_ids(app)

    await relay_until(Relay(app, js), published)
    app.close()


async def test_a_timer_that_cannot_be_read_is_dead_lettered_at_once(settings: Settings, js: Any) -> None:
    """A decoder's own validation error (not an unknown type) is no message any retry helps."""
    from contracts.timers import TimerDue

    await ensure_streams(js, settings)
    await js.publish(TimerDue.subject_for("delivery_promise_due"), b'{"name": 1}',
                     stream=TIMERS_STREAM)
    handled: list[Any] = []

    async def handle(items: Any) -> tuple[int, Exception | None]:
        handled.extend(items)
        return len(items), None

    async def position(_: str) -> int:
        return 0

    consumer = StreamConsumer(js, consumer="production", source="timers", stream=TIMERS_STREAM,
                              filter_subjects=[TimerDue.subject_for("delivery_promise_due")],
                              handle=handle, position=position, settings=settings,
                              decoder=lambda msg: TimerDue.model_validate_json(msg.data))
    await consumer.start()
    await consumer.poll_once(timeout=2)
    await consumer.close()
    assert handled == [] and consumer.dead_lettered == 1
    assert (await js.stream_info(DEAD_LETTER_STREAM)).state.messages == 1


async def test_a_holder_whose_lease_another_copy_took_steps_down(js: Any) -> None:
    lost: list[bool] = []

    async def nothing() -> None:
        return None

    async def stepped_down() -> None:
        lost.append(True)

    lease = Lease(js, "quality", ttl=2.0, replicas=1, on_acquired=nothing, on_lost=stepped_down)
    task = asyncio.create_task(lease.run())
    await until(lambda: lease.held, "the lease to be taken")
    kv = await lease_bucket(js, 2.0, 1)
    await kv.put("quality", b"another-host:1:abc")  # e.g. an operator forced a fail-over
    await until(lambda: lost == [True] and not lease.held, "the holder to step down")
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_redrives_that_cannot_be_done_are_answered_in_a_sentence(settings: Settings) -> None:
    async with running(settings, ["engineering"]):
        nc = await nats.connect(settings.nats_url)
        bad = await request(nc, redrive_subject("engineering"), {"seq": "first"})
        missing = await request(nc, redrive_subject("engineering"), {"seq": 99})
        await nc.close()
    assert bad["error"]["field"] == "seq" and bad["error"]["message_zh"]
    assert "no dead letter 99" in missing["error"]["message_en"]


async def test_a_letter_of_another_consumer_is_not_redriven_here(js: Any, settings: Settings) -> None:
    await ensure_streams(js, settings)
    await js.publish("salesflow.dlq.projections.salesflow_sales", json.dumps({
        "consumer": "projections", "stream": "SALESFLOW_SALES", "seq": 1, "subject": "x",
        "error": "boom", "attempts": 1, "headers": {}, "data": "{}"}).encode())
    [letter] = await dead_letters.letters(js)
    try:
        await dead_letters.redrive(js, letter.seq, "engineering", [])
    except dead_letters.RedriveRefused as refused:
        assert "belongs to projections" in str(refused)
    else:
        raise AssertionError("redriven by the wrong component")


async def test_a_clustered_nats_url_reaches_every_part_of_a_service(settings: Settings, nats_server: Any) -> None:
    """docker-compose gives NATS_URL as comma-separated addresses: once crashed every component."""
    clustered = settings.model_copy(update={"nats_url": f"{nats_server.url},nats://127.0.0.1:1"})
    async with running(clustered, ["sales"]):
        nc = await nats.connect(nats_server.url)
        state = await request(nc, status_subject("sales"), {})
        reply = await request(nc, "salesflow.cmd.sales.request_sample", {
            "actor": {"user": "amy", "role": "sales_assistant"}, "request_no": "C-1",
            "customer": "ACME", "product": "gasket", "part_no": "P-1", "salesperson": "bob",
            "materials": {"drawings": True, "technical_requirements": True,
                          "original_sample": True, "quality_requirements": True,
                          "key_notes": True}})
        js = nc.jetstream()
        await until(lambda: _count(js, 1), "the event in the stream")
        await nc.close()
    assert state["role"] in ("active", "standby") and reply["ok"], reply


async def _count(js: Any, n: int) -> bool:
    return (await js.stream_info("SALESFLOW_SALES")).state.messages == n




async def test_a_last_message_that_vanishes_while_the_relay_aligns_is_taken_as_foreign(settings: Settings, js: Any, monkeypatch: Any) -> None:
    """The stream's last message cannot be read (purged between the two reads): the relay goes
    on from its own tracking, and every stored event ends up in the stream once."""
    from nats.js.errors import NotFoundError

    await ensure_streams(js, settings)
    app = SalesApplication(settings.store_env("sales"))
    stored_samples(app, 3)
    await relay_until(Relay(app, js), lambda: _count(js, 3))
    stored_samples(app, 2, prefix="MORE")
    real, misses = js.get_msg, 0

    async def vanished(*args: Any, **kwargs: Any) -> Any:
        nonlocal misses
        if misses == 0:
            misses += 1
            raise NotFoundError()
        return await real(*args, **kwargs)

    monkeypatch.setattr(js, "get_msg", vanished)
    await relay_until(Relay(app, js), lambda: _count(js, 5))
    monkeypatch.setattr(js, "get_msg", real)
    assert misses == 1
    assert [json.loads(m.data)["event_id"] for m in await messages(js)] == stored_event_ids(app)
    app.close()


async def test_a_jetstream_that_never_settles_is_reported_not_waited_for_for_ever(settings: Settings, js: Any, monkeypatch: Any) -> None:
    import pytest

    async def unavailable(*args: Any, **kwargs: Any) -> Any:
        raise ServiceUnavailableError()

    monkeypatch.setattr(js, "stream_info", unavailable)
    with pytest.raises(ServiceUnavailableError):
        await ensure_streams(js, settings, settle_seconds=1.5)


async def test_a_stream_another_process_created_a_moment_earlier_is_used_as_it_is(settings: Settings, js: Any, monkeypatch: Any) -> None:
    """Both saw no stream; the other created it first (with its own epoch): ours is refused with
    10058 and we take the other's stream and epoch instead of failing."""
    from nats.js.errors import BadRequestError

    real_add = js.add_stream
    created: list[str] = []

    async def beaten(config: Any, **kwargs: Any) -> Any:
        rival = type(config).from_response(config.as_dict())
        rival.metadata = {"salesflow_epoch": "rival"}
        await real_add(rival)
        created.append(config.name)
        raise BadRequestError(code=400, err_code=10058,
                              description="stream name already in use with a different configuration")

    monkeypatch.setattr(js, "add_stream", beaten)
    epochs = await ensure_streams(js, settings)
    assert len(created) == len(DEPARTMENTS) + 2 and set(epochs.values()) == {"rival"}


async def test_dead_letters_read_without_a_dead_letter_stream_and_past_removed_letters(settings: Settings, js: Any) -> None:
    assert await dead_letters.counts(js) == {} and await dead_letters.letters(js) == []
    await ensure_streams(js, settings)
    for n in range(3):
        await js.publish("salesflow.dlq.engineering.salesflow_sales", json.dumps({
            "consumer": "engineering", "stream": "SALESFLOW_SALES", "seq": n + 1, "subject": "x",
            "error": "boom", "attempts": 1, "headers": {"Nats-Msg-Id": f"e{n}"},
            "data": "{}"}).encode())
    await js.delete_msg(DEAD_LETTER_STREAM, 2)  # redriven already
    assert [x.event_id for x in await dead_letters.letters(js)] == ["e0", "e2"]
    assert await dead_letters.counts(js) == {"engineering": 2}
