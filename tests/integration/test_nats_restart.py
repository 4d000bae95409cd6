"""NATS itself restarts under running services: nothing stored is lost or applied twice."""
from __future__ import annotations

import nats

from contracts.subjects import COMPONENTS, QUERY_HISTORY, QUERY_SAMPLES, stream_name
from services.cli import demo
from services.cli.client import Client
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from services.runtime.store import DepartmentApplication
from tests.integration.system import request, running, until
from tests.trails import check_trail

def expected(prefix: str, count: int) -> dict[str, str]:
    return {f"{prefix}-{i + 1:03d}": demo.FINAL_STATUS[i % len(demo.FINAL_STATUS)]
            for i in range(count)}


async def summary(url: str) -> dict[str, str]:
    nc = await nats.connect(url)
    try:
        return {r["request_no"]: r["status"] for r in await request(nc, QUERY_SAMPLES, {})}
    except Exception:  # noqa: BLE001 - projections still reconnecting
        return {}
    finally:
        await nc.close()


async def run_demo(url: str, prefix: str, count: int) -> None:
    nc = await nats.connect(url)
    await demo.run(Client(nc), count, prefix, out=lambda *_: None)
    await nc.close()


async def test_a_nats_restart_loses_no_event_and_duplicates_none(settings: Settings,
                                                                  nats_server: EmbeddedNats) -> None:
    """rule: R-S3 rule: R-S5"""
    async with running(settings, list(COMPONENTS)):
        await run_demo(nats_server.url, "A", 6)
        await until(lambda: _equals(nats_server.url, expected("A", 6)), "the first samples", 40)
        nats_server.kill()
        nats_server.start()  # same port, same store directory
        await run_demo(nats_server.url, "B", 6)
        want = {**expected("A", 6), **expected("B", 6)}
        await until(lambda: _equals(nats_server.url, want), "every sample after the restart", 60)
        nc = await nats.connect(nats_server.url)
        for number in want:
            check_trail(int(number[-3:]) - 1, number,
                        await request(nc, QUERY_HISTORY, {"record_no": number}))
        js = nc.jetstream()
        for department in ("sales", "engineering", "production"):
            store = DepartmentApplication(settings.store_env(department))
            stored = store.recorder.max_notification_id()
            store.close()
            async def relayed(d: str = department, n: int | None = stored) -> bool:
                return (await js.stream_info(stream_name(d))).state.messages == n
            await until(relayed, f"every stored {department} event in its stream exactly once")
        await nc.close()


async def _equals(url: str, want: dict[str, str]) -> bool:
    return await summary(url) == want
