"""One active copy per component: a lease held as a key of a NATS KV bucket with a TTL.

Every copy of a component handles commands (optimistic concurrency keeps them safe), but only
the lease holder runs the relay and the stream consumers: two copies on one durable interleave
batches, and single-row tracking cannot represent the holes that leaves. The holder renews its
key well within the TTL; when it dies the key expires and a standby creates it, so it takes
over within about ``ttl`` seconds. A holder that cannot renew in time steps down on its own,
before any standby can have taken over.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError, KeyWrongLastSequenceError, NotFoundError
from nats.js.kv import KeyValue

from contracts.subjects import LEASE_BUCKET
from services.runtime.lifecycle import wait_until_set

log = logging.getLogger(__name__)

Hook = Callable[[], Awaitable[None]]


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def lease_bucket(js: JetStreamContext, ttl: float, replicas: int) -> KeyValue:
    try:
        return await js.key_value(LEASE_BUCKET)
    except (BucketNotFoundError, NotFoundError):
        return await js.create_key_value(KeyValueConfig(
            bucket=LEASE_BUCKET, history=1, ttl=ttl, storage=StorageType.FILE, replicas=replicas,
            description="Which copy of each salesflow component is active"))


class Lease:
    """Holds ``name`` in the lease bucket while it can; calls ``on_acquired`` / ``on_lost``."""

    def __init__(self, js: JetStreamContext, name: str, *, ttl: float, replicas: int,
                 on_acquired: Hook, on_lost: Hook) -> None:
        self.js, self.name, self.ttl, self.replicas = js, name, ttl, replicas
        self.on_acquired, self.on_lost = on_acquired, on_lost
        self.holder = holder_id()
        self.held = False
        self._revision = 0
        self._renewed = 0.0  # monotonic time of the last successful create or renewal
        self._kv: KeyValue | None = None
        self._stopping = asyncio.Event()

    @property
    def role(self) -> str:
        return "active" if self.held else "standby"

    def stop(self) -> None:
        """End ``run`` at its next turn. Cancelling its task alone is not enough: on Python 3.11
        a cancellation that meets a NATS reply inside nats-py's ``asyncio.wait_for`` is
        swallowed, and the loop would go on renewing (seen as a stop that hung on this task)."""
        self._stopping.set()

    async def run(self) -> None:
        """Try to take the lease, renew it while held, step down when it cannot be renewed;
        until ``stop``."""
        while not self._stopping.is_set():
            try:
                if self._kv is None:
                    self._kv = await lease_bucket(self.js, self.ttl, self.replicas)
                if self.held:
                    await self._renew(self._kv)
                else:
                    await self._take(self._kv)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - NATS away: judged by the clock below
                log.debug("lease %s: %s", self.name, error)
            if self.held and time.monotonic() - self._renewed > self.ttl * 0.6:
                log.warning("lease %s not renewed for %.1f s: stepping down", self.name,
                            time.monotonic() - self._renewed)
                await self._lose()
            await wait_until_set(self._stopping, self.ttl / (5 if self.held else 10))

    async def _take(self, kv: KeyValue) -> None:
        try:
            self._revision = await kv.create(self.name, self.holder.encode())
        except KeyWrongLastSequenceError:
            return  # another copy holds it
        self._renewed, self.held = time.monotonic(), True
        log.info("lease %s taken by %s: active", self.name, self.holder)
        try:
            await self.on_acquired()
        except Exception:  # noqa: BLE001 - could not start: give the lease to another copy
            log.exception("lease %s: starting the active work failed; stepping down", self.name)
            await self._lose()
            await self._delete()

    async def _renew(self, kv: KeyValue) -> None:
        started = time.monotonic()
        try:
            self._revision = await kv.update(self.name, self.holder.encode(), last=self._revision)
        except KeyWrongLastSequenceError:
            # Our own renewal may have been stored with its ack lost: look before stepping down.
            entry = await kv.get(self.name)
            if entry.value != self.holder.encode():
                log.warning("lease %s was taken over by %s: stepping down", self.name,
                            (entry.value or b"").decode())
                await self._lose()
                return
            self._revision = entry.revision or 0
        self._renewed = started

    async def _lose(self) -> None:
        if self.held:
            self.held = False
            try:
                await self.on_lost()
            except Exception:  # noqa: BLE001 - the lease loop must go on whatever happened
                log.exception("lease %s: stopping the active work failed", self.name)

    async def release(self) -> None:
        """Give the lease up at a clean stop, so a standby takes over at once."""
        if self.held:
            self.held = False
            await self._delete()

    async def _delete(self) -> None:
        if self._kv is None:
            return
        try:
            await self._kv.delete(self.name, last=self._revision)
        except Exception:  # noqa: BLE001 - expired or taken already: nothing to give up
            pass

async def close_nats(nc: Any, lease: Lease, timeout: float = 3.0) -> None:
    """At a stop: give the lease up and drain the connection, but never wait long for a NATS
    that is stopping too (the supervisor died): the lease then simply expires."""
    if nc.is_connected:
        try:
            await asyncio.wait_for(lease.release(), timeout)
            await asyncio.wait_for(nc.drain(), timeout)
            return
        except Exception:  # noqa: BLE001 - NATS went away meanwhile
            pass
    try:
        await asyncio.wait_for(nc.close(), timeout)
    except Exception:  # noqa: BLE001 - nothing more to do
        pass
