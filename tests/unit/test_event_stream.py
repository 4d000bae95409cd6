"""The dashboard's server-sent event stream (services.gateway.dashboard_routes._stream): a quiet
feed sends a keep-alive comment (proxies close silent connections), a page that went away ends
the stream at the next keep-alive and leaves the feed, a notice is one ``data:`` line, and the
gateway's stop (an empty notice) ends it."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from services.gateway import dashboard_routes
from services.gateway.dashboard_routes import _stream


class Page:
    """The request: connected for ``connected`` checks, then gone."""

    def __init__(self, connected: int) -> None:
        self.connected = connected

    async def is_disconnected(self) -> bool:
        self.connected -= 1
        return self.connected < 0


class Feed:
    def __init__(self) -> None:
        self.left: list[Any] = []

    def unsubscribe(self, queue: Any) -> None:
        self.left.append(queue)


async def test_a_quiet_feed_keeps_the_connection_alive_until_the_page_goes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard_routes, "KEEPALIVE_SECONDS", 0.05)
    feed, queue = Feed(), asyncio.Queue[dict[str, object]]()
    sent = [chunk async for chunk in _stream(Page(connected=2), feed, queue)]  # type: ignore[arg-type]
    assert sent[0].startswith("retry: 1000\nevent: hello")
    assert sent[1:] == [": keepalive\n\n", ": keepalive\n\n"]
    assert feed.left == [queue]


async def test_a_notice_is_one_data_line_and_the_gateways_stop_ends_the_stream() -> None:
    feed, queue = Feed(), asyncio.Queue[dict[str, object]]()
    notice = {"type": "SampleRequested", "record": "S-1", "department": "sales", "at": "t"}
    queue.put_nowait(notice)
    queue.put_nowait({})
    sent = [chunk async for chunk in _stream(Page(connected=9), feed, queue)]  # type: ignore[arg-type]
    assert json.loads(sent[1].removeprefix("data: ")) == notice and len(sent) == 2
    assert feed.left == [queue]
