"""One active copy per component: the lease on a real nats-server, and two copies of a service."""
from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from contracts.subjects import DEAD_LETTER_STREAM, status_subject
from services.engineering.application import EngineeringApplication
from services.runtime.lease import Lease, lease_bucket
from services.runtime.settings import Settings
from services.sales.application import SalesApplication
from tests.integration.system import running, until
from tests.unit.builders import sample_at

TTL = 2.0


class Copy:
    """One copy of a component, as far as its lease is concerned."""

    def __init__(self, js: Any, name: str = "engineering") -> None:
        self.events: list[str] = []
        self.lease = Lease(js, name, ttl=TTL, replicas=1, on_acquired=self.acquired,
                           on_lost=self.lost)
        self.task = asyncio.create_task(self.lease.run())

    async def acquired(self) -> None:
        self.events.append("acquired")

    async def lost(self) -> None:
        self.events.append("lost")

    async def die(self) -> None:
        """Like kill -9: no release, the key stays until it expires."""
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def test_one_of_two_copies_is_active_and_a_standby_takes_over_when_it_dies(js: Any) -> None:
    first, second = Copy(js), Copy(js)
    await until(lambda: first.lease.held != second.lease.held, "exactly one active copy")
    await asyncio.sleep(TTL)  # several renewals: still exactly one
    assert [first.lease.held, second.lease.held].count(True) == 1
    active, standby = (first, second) if first.lease.held else (second, first)
    died = time.monotonic()
    await active.die()
    await until(lambda: standby.lease.held, "the standby to take over", timeout=TTL * 4)
    assert time.monotonic() - died < TTL + 2.0
    assert standby.events == ["acquired"]
    await standby.die()


async def test_a_clean_stop_hands_the_lease_over_at_once(js: Any) -> None:
    first = Copy(js)
    await until(lambda: first.lease.held, "the first copy to be active")
    second = Copy(js)
    await asyncio.sleep(0.5)
    assert not second.lease.held
    await first.die()
    released = time.monotonic()
    await first.lease.release()
    await until(lambda: second.lease.held, "the standby to take over")
    assert time.monotonic() - released < TTL / 2
    await second.die()


async def test_a_holder_that_cannot_renew_steps_down_before_its_key_expires(js: Any) -> None:
    copy = Copy(js)
    await until(lambda: copy.lease.held, "the copy to be active")
    kv = await lease_bucket(js, TTL, 1)
    holder = (await kv.get("engineering")).value

    async def unreachable(*args: Any, **kwargs: Any) -> int:
        raise TimeoutError("NATS does not answer")

    assert copy.lease._kv is not None
    copy.lease._kv.update = unreachable  # type: ignore[method-assign]
    await until(lambda: copy.events == ["acquired", "lost"], "the copy to step down", TTL * 2)
    # it stepped down while its key still stood: no standby can have been active meanwhile
    assert (await kv.get("engineering")).value == holder
    await copy.die()


async def test_a_renewal_whose_ack_was_lost_is_not_taken_for_a_takeover(js: Any) -> None:
    copy = Copy(js)
    await until(lambda: copy.lease.held, "the copy to be active")
    assert copy.lease._kv is not None
    real, lost = copy.lease._kv.update, 0

    async def ack_lost(*args: Any, **kwargs: Any) -> int:
        nonlocal lost
        await real(*args, **kwargs)  # stored by the server ...
        if lost == 0:
            lost += 1
            raise TimeoutError("... but its acknowledgement was lost")
        return await real(*args, **kwargs)

    copy.lease._kv.update = ack_lost  # type: ignore[method-assign]
    await asyncio.sleep(TTL * 1.5)
    assert lost == 1 and copy.lease.held and copy.events == ["acquired"]
    await copy.die()


async def test_two_copies_of_a_service_open_one_sampling_job_per_approval(settings: Settings, js: Any) -> None:
    """rule: R-S3 — finding 2: with two copies sharing a durable, 60 approvals once gave 38 jobs."""
    settings = settings.model_copy(update={"lease_ttl_seconds": TTL, "fetch_batch": 10})
    async with running(settings, ["sales", "engineering", "engineering"]):
        sales = SalesApplication(settings.store_env("sales"))
        for start in range(0, 60, 10):  # approvals keep arriving while both copies run
            sales.store(*[sample_at("application_approved", f"S-{i}")
                          for i in range(start, start + 10)])
            await asyncio.sleep(0.2)
        sales.close()
        engineering = EngineeringApplication(settings.store_env("engineering"))
        await until(lambda: _jobs(engineering) == 60, "sixty sampling jobs", timeout=40)
        await asyncio.sleep(1.0)
        assert _jobs(engineering) == 60
        engineering.close()
        import nats

        nc = await nats.connect(settings.nats_url)
        inbox = nc.new_inbox()
        answers = await nc.subscribe(inbox)
        await nc.publish(status_subject("engineering"), b"{}", reply=inbox)
        roles = [json.loads((await answers.next_msg(timeout=5)).data)["role"] for _ in range(2)]
        dead = (await nc.jetstream().stream_info(DEAD_LETTER_STREAM)).state.messages
        await nc.close()
    assert set(roles) == {"active", "standby"} and dead == 0


def _jobs(app: EngineeringApplication) -> int:
    return app.recorder.max_notification_id() or 0


async def test_a_relay_woken_just_as_it_is_stopped_still_stops(settings: Settings, js: Any) -> None:
    """Found by the chaos run: on Python 3.11 a cancellation that meets a wake-up inside
    ``wait_for`` is lost, and a relay went on publishing after its copy had stepped down."""
    from services.runtime.relay import Relay
    from services.runtime.streams import ensure_streams

    await ensure_streams(js, settings)
    app = SalesApplication(settings.store_env("sales"))
    relay = Relay(app, js, idle=0.01)
    for attempt in range(100):
        task = asyncio.create_task(relay.run())
        await asyncio.sleep(0.001 * (attempt % 7))
        relay.poke()
        relay.stop()
        await asyncio.wait_for(task, 2.0)
    app.close()


async def test_work_that_ignores_its_stop_does_not_hold_up_a_lost_lease(settings: Settings, js: Any, caplog: Any) -> None:
    from services.engineering.wiring import SPEC
    from services.runtime.relay import Relay
    from services.runtime.service import ActiveSet

    app = EngineeringApplication(settings.store_env("engineering"))
    active = ActiveSet(SPEC, app, js, settings, Relay(app, js), lambda: None)

    async def stubborn() -> None:
        for _ in range(2):  # the first cancellation is swallowed, as wait_for once did
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue

    stubborn_task = asyncio.create_task(stubborn(), name="stubborn-relay")
    active.tasks = [stubborn_task]
    started = time.monotonic()
    await active.stop(patience=0.5)
    assert time.monotonic() - started < 8 and active.tasks == []
    stubborn_task.cancel()
    assert "stubborn-relay did not stop" in caplog.text
    app.close()
