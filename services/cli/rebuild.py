"""``salesflow rebuild [MODEL]``: rebuild the read models (or one) from the streams, with progress.

The projections answer when the rebuild is done and publish its progress meanwhile; queries
keep reading the current tables until the new ones are swapped in. If the projections go quiet
(no progress and no status answer for ``STALL_SECONDS``) or restart, the rebuild cannot finish:
the command says so in one sentence instead of waiting, and the current tables stay.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from contracts.queries import READ_MODELS
from contracts.replies import ErrorBody
from contracts.subjects import CTL_REBUILD, CTL_REBUILD_PROGRESS, PROJECTIONS, status_subject
from services.runtime.connect import NatsUnavailable
from services.runtime.settings import Settings

STALL_SECONDS = 15.0  # no progress and no status answer for this long: the projections are gone
CHECK_SECONDS = 1.0
LIMIT_SECONDS = 24 * 3600.0  # the request's own timeout; the checks below end it much sooner


def add_parser(sub: Any) -> None:
    rebuild = sub.add_parser(
        "rebuild", help="rebuild the read models from the streams (queries keep reading the "
                        "current tables until the new ones are complete) / 从事件流重建读模型")
    rebuild.add_argument("model", nargs="?", choices=READ_MODELS,
                         help="only this read model (default: every one)")


class Watch:
    """What the command has heard from the projections, and when."""

    def __init__(self, pid: Any) -> None:
        self.pid = pid
        self.heard = time.monotonic()
        self.shown = False

    async def on_progress(self, msg: Msg) -> None:
        self.heard = time.monotonic()
        state = json.loads(msg.data)
        done, total = state.get("done", 0), state.get("total", 0)
        share = f" ({done / total:.0%})" if total else ""
        print(f"\rrebuilding {', '.join(state.get('models', []))}: {done}/{total} events{share} "
              f"/ 正在重建", end="", flush=True)
        self.shown = True

    def end_line(self) -> None:
        if self.shown:
            print()
            self.shown = False


def describe(state: dict[str, Any]) -> str:
    """A rebuild under way, as ``salesflow status`` shows it under the projections."""
    progress = state.get("rebuild") or {}
    models = ", ".join(progress.get("models", [])) or "read models"
    return (f"rebuilding {models}: {progress.get('done', 0)}/{progress.get('total', 0)} events; "
            f"queries read the previous tables until it is done / 正在重建，完成前查询使用原有的表")


async def status(client: Any, timeout: float = 2.0) -> dict[str, Any] | None:
    try:
        state = await client.query(status_subject(PROJECTIONS), timeout=timeout)
    except NatsUnavailable:
        return None
    return state if isinstance(state, dict) else None


def gone(seen: Watch) -> str:
    return (f"The projections stopped answering during the rebuild (no progress and no status "
            f"answer for {STALL_SECONDS:.0f} s), so it did not finish and the previous tables are "
            f"kept; see `salesflow status`, then run `salesflow rebuild` again / 重建期间投影服务"
            f"停止响应（{STALL_SECONDS:.0f} 秒内无进度、无状态应答），重建未完成，原有的表保持不变；"
            f"请查看 `salesflow status` 后重新运行 `salesflow rebuild`")


def restarted(seen: Watch, pid: Any) -> str:
    return (f"The projections restarted during the rebuild (pid {seen.pid} -> {pid}), so it did "
            f"not finish and the previous tables are kept; run `salesflow rebuild` again / "
            f"重建期间投影服务已重启（进程 {seen.pid} -> {pid}），重建未完成，原有的表保持不变，"
            f"请重新运行 `salesflow rebuild`")


def lost(seen: Watch) -> str:
    return (f"The projections (pid {seen.pid}) no longer report the rebuild and sent no answer "
            f"for {STALL_SECONDS:.0f} s, so its result is unknown; see `salesflow status` and run "
            f"`salesflow rebuild` again / 投影服务（进程 {seen.pid}）已不再报告重建，且 "
            f"{STALL_SECONDS:.0f} 秒内没有应答，结果未知；请查看 `salesflow status` 后重新运行 "
            f"`salesflow rebuild`")


async def watch(client: Any, reply: asyncio.Future[Msg], seen: Watch) -> str | None:
    """Wait for the reply; the sentence to print instead if the projections went away."""
    while not reply.done():
        await asyncio.wait({reply}, timeout=CHECK_SECONDS)
        quiet = time.monotonic() - seen.heard
        if reply.done() or quiet < CHECK_SECONDS * 3:
            continue
        state = await status(client)
        if state is None:
            if quiet > STALL_SECONDS:
                return gone(seen)
        elif state.get("pid") != seen.pid:
            return restarted(seen, state.get("pid"))
        elif state.get("rebuilding"):
            seen.heard = time.monotonic()
        elif quiet > STALL_SECONDS:
            return lost(seen)
    return None


def show_error(error: dict[str, Any]) -> str:
    if error.get("kind") == "internal":  # ErrorBody gains this kind with the command path work
        return f"internal: {error['message_en']} / {error['message_zh']}"
    return ErrorBody.model_validate(error).sentence()


async def run(args: argparse.Namespace, settings: Settings, client: Any) -> int:
    first = await client.query(status_subject(PROJECTIONS), timeout=5.0)  # not running: raises
    seen = Watch(first.get("pid"))
    payload = {"model": args.model} if getattr(args, "model", None) else {}
    sub = await client.nc.subscribe(CTL_REBUILD_PROGRESS, cb=seen.on_progress)
    reply = asyncio.ensure_future(
        client.nc.request(CTL_REBUILD, json.dumps(payload).encode(), timeout=LIMIT_SECONDS))
    try:
        stalled = await watch(client, reply, seen)
    finally:
        if not reply.done():
            reply.cancel()
        await sub.unsubscribe()
        seen.end_line()
    if stalled:
        print(stalled)
        return 1
    try:
        answer = json.loads(reply.result().data)
    except (NoRespondersError, NatsTimeout):
        print("The projections did not answer the rebuild request; is `salesflow up` running? "
              "/ 投影服务没有响应重建请求，请确认系统正在运行")
        return 1
    if isinstance(answer, dict) and set(answer) == {"error"}:
        print(show_error(answer["error"]))
        return 1
    print(f"rebuilt from {answer['events']} events in {answer['seconds']} s "
          f"({', '.join(answer.get('models') or READ_MODELS)}): {answer['rows']} sample rows "
          f"/ 已从事件重建")
    return 0
