"""Runs components in this test's event loop against the fixture's real nats-server."""
from __future__ import annotations

import asyncio
import importlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import nats

from contracts.subjects import status_subject
from services.runtime.connect import login_options, server_list
from services.runtime.nats_auth import OPERATOR
from services.runtime.settings import Settings

STOP_PATIENCE = 30.0  # a component's serve() returns within seconds of being asked to stop


def stack_of(task: asyncio.Task[None]) -> str:
    """Where a task waits, innermost frame last, and every other task still pending."""
    frames = [f"{f.f_code.co_name}:{f.f_lineno}" for f in task.get_stack(limit=20)]
    others = sorted({t.get_name() for t in asyncio.all_tasks() if not t.done()})
    return " > ".join(frames) + f" (pending tasks: {', '.join(others)})"


@asynccontextmanager
async def running(settings: Settings, components: Sequence[str]) -> AsyncIterator[None]:
    """Start each component as an asyncio task; wait until each answers its status subject."""
    from services.runtime import projection_service, service

    stop = asyncio.Event()
    tasks = []
    for name in components:
        if name == "projections":
            coro = projection_service.serve(settings, stop.wait)
        else:
            spec = importlib.import_module(f"services.{name}.wiring").SPEC
            coro = service.serve(spec, settings, stop.wait)
        tasks.append(asyncio.create_task(coro, name=name))
    # As the operator: on a server with users (nats_auth) only it may ask every status.
    nc = await nats.connect(server_list(settings.nats_url or ""),
                            **login_options(settings.nats_login(OPERATOR)))
    try:
        for name, task in zip(components, tasks, strict=True):
            await until(lambda n=name, t=task: answers(nc, n, t), what=f"{name} to start")
        yield
    finally:
        await nc.close()
        stop.set()
        _, hanging = await asyncio.wait(tasks, timeout=STOP_PATIENCE)
        if hanging:  # a component that does not stop: say where it waits, never hang the suite
            where = "; ".join(f"{t.get_name()} at {stack_of(t)}" for t in hanging)
            for task in hanging:
                task.cancel()
            await asyncio.wait(hanging, timeout=5.0)
            raise AssertionError(f"did not stop within {STOP_PATIENCE:.0f} s: {where}")
        results = await asyncio.gather(*tasks, return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        if errors:
            raise errors[0]


async def answers(nc: Any, name: str, task: asyncio.Task[None]) -> bool:
    if task.done():
        task.result()  # raise the component's start-up error
    try:
        await nc.request(status_subject(name), b"", timeout=0.5)
        return True
    except Exception:  # noqa: BLE001 - not up yet
        return False


async def until(check: Callable[[], Awaitable[bool] | bool], what: str, timeout: float = 15.0) -> None:
    """Poll ``check`` until true, failing with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if isinstance(result, Awaitable):
            result = await result
        if result:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


async def request(nc: Any, subject: str, payload: dict[str, Any], timeout: float = 10.0) -> Any:
    msg = await nc.request(subject, json.dumps(payload, default=str).encode(), timeout=timeout)
    return json.loads(msg.data)
