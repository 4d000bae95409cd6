"""Connecting to NATS with one clear sentence when it is not there."""
from __future__ import annotations

import asyncio
from urllib.parse import urlparse

import nats
from nats.aio.client import Client
from nats.errors import NoServersError


class NatsUnavailable(RuntimeError):
    """NATS could not be reached; the message says where we looked and what to do."""


async def connect(url: str | None, name: str) -> Client:
    if not url:
        raise NatsUnavailable(
            "no NATS address: start the system with `salesflow up` (it records its address in the "
            "data directory) or set NATS_URL / 未找到 NATS 地址：请先运行 `salesflow up` 或设置 NATS_URL")
    servers = server_list(url)
    if not any([await _listening(server) for server in servers]):
        raise NatsUnavailable(
            f"NATS at {url} is unreachable; is `salesflow up` running? "
            f"/ 无法连接 NATS（{url}），请确认 `salesflow up` 正在运行")
    try:
        return await nats.connect(servers, name=name, connect_timeout=2, max_reconnect_attempts=-1,
                                  reconnect_time_wait=1, allow_reconnect=True,
                                  error_cb=_quiet, disconnected_cb=None)
    except (NoServersError, OSError, TimeoutError) as error:
        raise NatsUnavailable(
            f"NATS at {url} is unreachable ({type(error).__name__}); is `salesflow up` running? "
            f"/ 无法连接 NATS（{url}），请确认 `salesflow up` 正在运行") from None


def server_list(url: str) -> list[str]:
    """``NATS_URL`` may name a cluster: comma-separated addresses, each tried in turn."""
    return [u.strip() for u in url.split(",") if u.strip()]


async def _listening(server: str) -> bool:
    """A plain TCP probe: nats-py would otherwise keep retrying a dead address."""
    address = urlparse(server if "://" in server else f"nats://{server}")
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(address.hostname or "127.0.0.1", address.port or 4222), 2.0)
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


async def _quiet(error: Exception) -> None:
    """nats-py reports every reconnect attempt; the reconnect logic already handles them."""
