"""Engineering's consumer of the sales stream, built for tests, and the faults they inject."""
from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from eventsourcing.persistence import OperationalError

from contracts.subjects import DEAD_LETTER_STREAM
from events import sales
from services.engineering.application import EngineeringApplication
from services.engineering.wiring import SPEC as ENGINEERING
from services.runtime.consumer import StreamConsumer
from services.runtime.relay import Relay
from services.runtime.settings import Settings
from services.runtime.spec import reaction_handler
from services.runtime.streams import ensure_streams
from services.sales.application import SalesApplication
from tests.integration.streamtools import messages
from tests.unit.builders import sample_at


async def approved_samples(settings: Settings, js: Any, count: int, first: int = 0) -> None:
    """``count`` approved sample applications, stored by sales and relayed to its stream."""
    app = SalesApplication(settings.store_env("sales"))
    app.store(*[sample_at("application_approved", f"S-{i}") for i in range(first, first + count)])
    relay = Relay(app, js)
    await relay.align()
    while await relay.publish_next():
        pass
    app.close()


async def approvals(settings: Settings, js: Any, count: int,
                    update: dict[str, Any] | None = None) -> tuple[Settings, EngineeringApplication]:
    """Settings with ``update``, ``count`` approvals in the sales stream, engineering's store."""
    settings = settings.model_copy(update=update or {})
    await ensure_streams(js, settings)
    await approved_samples(settings, js, count)
    return settings, EngineeringApplication(settings.store_env("engineering"))


def engineering_consumer(settings: Settings, js: Any, app: EngineeringApplication,
                         reaction: Any = None, **overrides: Any) -> StreamConsumer:
    """Engineering's consumer of the sales stream; ``reaction`` replaces the real one."""
    reactions = dict(ENGINEERING.reactions)
    if reaction is not None:
        reactions[sales.SampleApplicationApproved] = reaction

    async def position(name: str) -> int:
        return await asyncio.to_thread(app.tracked_position, name)

    async def skip(tracking: Any) -> None:  # as the service records a dead-lettered message
        await asyncio.to_thread(app.process_recorder.insert_tracking, tracking)

    options: dict[str, Any] = dict(
        consumer="engineering", source="sales",
        filter_subjects=ENGINEERING.sources()[sales.SampleRequested.department],
        handle=reaction_handler(app, reactions, lambda: None), position=position,
        settings=settings, skip=skip)
    return StreamConsumer(js, **(options | overrides))


def failing(fails: Callable[[Any, int], bool], error: Callable[[], Exception]) -> Any:
    """Engineering's real reaction, raising ``error()`` whenever ``fails(event, attempt)``."""
    real = ENGINEERING.reactions[sales.SampleApplicationApproved]
    attempts = 0

    def reaction(app: EngineeringApplication, event: Any, tracking: Any) -> None:
        nonlocal attempts
        attempts += 1
        if fails(event, attempts):
            raise error()
        real(app, event, tracking)

    return reaction


def jobs(app: EngineeringApplication) -> int:
    """Sampling jobs opened (each approval opens one: R-S3)."""
    return app.recorder.max_notification_id() or 0


@asynccontextmanager
async def consuming(consumer: StreamConsumer) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(consumer.run())
    try:
        yield task
    finally:
        consumer.stop()
        await asyncio.wait_for(task, 10)


async def dead_letters(js: Any) -> list[dict[str, Any]]:
    return [json.loads(m.data) for m in await messages(js, DEAD_LETTER_STREAM)]


def real_sqlite_error(sql: str = "SELECT no_such_column FROM sqlite_master") -> OperationalError:
    """eventsourcing's OperationalError wrapping a genuine sqlite3 error, as its recorder raises."""
    try:
        sqlite3.connect(":memory:").execute(sql)
    except sqlite3.OperationalError as cause:
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error
    raise AssertionError("the statement succeeded")


def locked_error(tmp_path: Any) -> OperationalError:
    """A genuine "database is locked" (SQLITE_BUSY) from two connections to one file."""
    path = str(tmp_path / "locked.sqlite")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        sqlite3.connect(path, timeout=0).execute("CREATE TABLE t (x)")
    except sqlite3.OperationalError as cause:
        error = OperationalError(str(cause))
        error.__cause__ = cause
        return error
    finally:
        holder.close()
    raise AssertionError("the file was not locked")
