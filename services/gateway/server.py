"""``salesflow service gateway``: the HTTP gateway as its own process (``salesflow up`` starts it).

It binds its port itself first, so a port in use is one clear sentence instead of a traceback,
then connects to NATS, reads every account, and serves until asked to stop.
"""
from __future__ import annotations

import asyncio
import importlib.util
import logging
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvicorn

from contracts.subjects import GATEWAY
from services.cli.client import Client
from services.gateway.accounts import Directory, DirectoryFeed
from services.gateway.app import build_app
from services.gateway.dashboard_routes import stop_live
from services.gateway.metrics import GatewayMetrics
from services.gateway.sessions import SessionKeeper
from services.gateway.state import Gateway, gateway_secret
from services.runtime.connect import connect
from services.runtime.nats_server import PortTaken
from services.runtime.settings import Settings

log = logging.getLogger(__name__)
ADDRESS_FILE = "gateway.url"
# httptools parses HTTP in C: about half the gateway's CPU per request against the pure-Python
# h11 (bench.gateway); h11 where httptools is not installed.
HTTP_PARSER = "httptools" if importlib.util.find_spec("httptools") else "h11"


class GatewayPortTaken(PortTaken):
    """The configured address is in use or cannot be bound."""


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said out loud: asyncio sets TCP_NODELAY only on sockets whose proto is it,
    # and without it every response waits ~40 ms (Nagle meets the client's delayed ACK).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise GatewayPortTaken(
            f"the gateway cannot listen on {host}:{port} ({error.strerror}); set "
            f"SALESFLOW_GATEWAY_PORT (or SALESFLOW_GATEWAY_HOST) to a free one / 网关无法监听 "
            f"{host}:{port}（端口已被占用？），请用 SALESFLOW_GATEWAY_PORT 指定其他端口") from None
    sock.listen(512)
    sock.setblocking(False)
    return sock


def make_gateway(settings: Settings) -> Gateway:
    return Gateway(settings=settings, directory=Directory(),
                   sessions=SessionKeeper(gateway_secret(settings),
                                          settings.session_hours * 3600),
                   metrics=GatewayMetrics())


async def serve(settings: Settings, stopped: Callable[[], Awaitable[None]]) -> None:
    sock = bind(settings.gateway_host, settings.gateway_port)
    host, port = sock.getsockname()[:2]
    gateway = make_gateway(settings)
    nc = await connect(settings.resolved_nats_url(), "salesflow-gateway",
                       settings.nats_login(GATEWAY))
    gateway.nats, gateway.js = Client(nc), nc.jetstream()
    gateway.feed = DirectoryFeed(gateway.js, gateway.directory)
    await gateway.feed.start()
    app = build_app(gateway)
    config = uvicorn.Config(app, log_level="warning", lifespan="off",
                            access_log=False, timeout_graceful_shutdown=5, http=HTTP_PARSER)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="http")
    try:
        while not server.started:
            if task.done():
                task.result()
                return
            await asyncio.sleep(0.02)
        url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
        Path(settings.data_dir, ADDRESS_FILE).write_text(url)
        log.info("gateway listening on %s", url)
        await stopped()
    finally:
        server.should_exit = True
        await stop_live(app)  # end the pages' event streams first
        await asyncio.gather(task, return_exceptions=True)
        await gateway.feed.stop()
        await nc.drain()
        Path(settings.data_dir, ADDRESS_FILE).unlink(missing_ok=True)
