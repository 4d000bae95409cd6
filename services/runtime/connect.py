"""Connecting to NATS with one clear sentence when it is not there or refuses us."""
from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlparse

from nats.aio.client import Client
from nats.errors import NoServersError

from services.runtime.nats_auth import inbox_prefix

log = logging.getLogger(__name__)

# A (user, password) pair; None connects without credentials (a server without users).
Login = tuple[str, str] | None


class NatsUnavailable(RuntimeError):
    """NATS could not be reached; the message says where we looked and what to do."""


async def connect(url: str | None, name: str, login: Login = None) -> Client:
    if not url:
        raise NatsUnavailable(
            "no NATS address: start the system with `salesflow up` (it records its address in the "
            "data directory) or set NATS_URL / 未找到 NATS 地址：请先运行 `salesflow up` 或设置 NATS_URL")
    servers = server_list(url)
    if not any([await _listening(server) for server in servers]):
        raise NatsUnavailable(
            f"NATS at {url} is unreachable; is `salesflow up` running? "
            f"/ 无法连接 NATS（{url}），请确认 `salesflow up` 正在运行")
    refused = asyncio.Event()

    async def on_error(error: Exception) -> None:
        # nats-py retries a refused login for ever while connecting: notice it and give up.
        if not connecting.done() and _is_refusal(error):
            refused.set()  # said once, in the sentence raised below
            return
        await report(error)

    nc = Client()
    connecting = asyncio.create_task(nc.connect(
        servers, name=name, connect_timeout=2, max_reconnect_attempts=-1, reconnect_time_wait=1,
        allow_reconnect=True, error_cb=on_error, disconnected_cb=None, **login_options(login)))
    watching = asyncio.create_task(refused.wait())
    try:
        await asyncio.wait({connecting, watching}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # our caller gave up: so does the connection
        connecting.cancel()
        raise
    finally:
        watching.cancel()
    if refused.is_set() and not connecting.done():
        connecting.cancel()
        await asyncio.gather(connecting, return_exceptions=True)
        await nc.close()
        raise NatsUnavailable(_refusal_sentence(url, login))
    try:
        await connecting
    except (NoServersError, OSError, TimeoutError) as error:
        raise NatsUnavailable(
            f"NATS at {url} is unreachable ({type(error).__name__}); is `salesflow up` running? "
            f"/ 无法连接 NATS（{url}），请确认 `salesflow up` 正在运行") from None
    return nc


def login_options(login: Login) -> dict[str, Any]:
    """nats-py ``connect`` options of one user: the credentials and its own inbox prefix."""
    if login is None:
        return {}
    user, password = login
    return {"user": user, "password": password, "inbox_prefix": inbox_prefix(user)}


def broker_options(login: Login) -> dict[str, Any]:
    """The same for a FastStream ``NatsBroker``, which takes the credentials as ``security``."""
    if login is None:
        return {"error_cb": report}
    from faststream.nats import NatsUserPassword  # not on the CLI's path

    user, password = login
    return {"security": NatsUserPassword(user, password), "inbox_prefix": inbox_prefix(user),
            "error_cb": report}


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


def _is_refusal(error: Exception) -> bool:
    return "authorization violation" in str(error).lower()


def _refusal_sentence(url: str, login: Login) -> str:
    if login is None:
        return (f"NATS at {url} refused a connection without a user: set SALESFLOW_NATS_USER and "
                f"SALESFLOW_NATS_PASSWORD (`salesflow up` keeps them in the data directory's "
                f"nats-credentials.json) / NATS（{url}）拒绝了未提供用户的连接：请设置 "
                f"SALESFLOW_NATS_USER 和 SALESFLOW_NATS_PASSWORD（`salesflow up` 将其保存在数据目录的 "
                f"nats-credentials.json 中）")
    return (f"NATS at {url} refused the user {login[0]!r}: unknown user or wrong password "
            f"(check SALESFLOW_NATS_USER / SALESFLOW_NATS_PASSWORD) / NATS（{url}）拒绝了用户 "
            f"{login[0]!r}：用户不存在或密码错误（请检查 SALESFLOW_NATS_USER / SALESFLOW_NATS_PASSWORD）")


async def report(error: Exception) -> None:
    """A refused publish or subscription is a missing permission: say so in the log. The
    reconnect attempts nats-py also reports are already handled by its reconnect logic."""
    text = str(error).lower()
    if "permissions violation" in text or _is_refusal(error):
        log.warning("NATS: %s", error)
