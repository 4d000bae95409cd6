"""``salesflow status``: which components answer, their role, relay backlogs, consumers, dead letters.

Each component answers ``salesflow.ctl.<component>.status`` with (keys may be missing from
older components; whatever is missing is shown as "-"):
``{"service", "pid", "role", "relay": {"published", "backlog", "error"},
"consumers": {"<durable>": {"processed", "dead_lettered", "waiting"}}, "rebuilding"}``.
The dead-letter total is read from the dead-letter stream itself, so it survives restarts.
"""
from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any
from zoneinfo import ZoneInfo

from nats.aio.client import Client as Nats
from nats.js.errors import NotFoundError

from contracts.subjects import COMPONENTS, DEAD_LETTER_STREAM, PREFIX, status_subject
from services.cli import tables
from services.runtime.settings import Settings

DEAD_LETTER_SUBJECTS = f"{PREFIX}.dlq.>"
ANSWER_SECONDS = 2.0
ROLES = {"active": "active 主用", "standby": "standby 备用"}
COMPONENT_COLUMNS = (
    ("name", "Component 组件"), ("answers", "Answers 响应"), ("role", "Role 角色"), ("pid", "PID"),
    ("published", "Published 已发布"), ("backlog", "Backlog 待发布"), ("error", "Relay error 发布错误"),
)
CONSUMER_COLUMNS = (
    ("durable", "Consumer 消费者"), ("processed", "Processed 已处理"),
    ("dead_lettered", "Dead letters 死信"), ("waiting", "Waiting 等待原因"),
)
DEAD_LETTER_COLUMNS = (("subject", "Dead-letter subject 死信主题"), ("count", "Messages 条数"))


async def ask(nc: Nats, component: str, timeout: float = ANSWER_SECONDS) -> dict[str, Any] | None:
    """The component's status payload, or None when it does not answer."""
    try:
        msg = await nc.request(status_subject(component), b"{}", timeout=timeout)
        state = json.loads(msg.data)
    except Exception:  # noqa: BLE001 - no responders, timeout, garbage: it does not answer
        return None
    # A refusal is {"error": ...} (never a status): that component does not answer status either.
    return state if isinstance(state, dict) and set(state) != {"error"} else None


async def dead_letters(nc: Nats, timeout: float = ANSWER_SECONDS) -> dict[str, int] | None:
    """Messages per dead-letter subject, from the stream; None when it cannot be read."""
    try:
        info = await nc.jetstream(timeout=timeout).stream_info(
            DEAD_LETTER_STREAM, subjects_filter=DEAD_LETTER_SUBJECTS)
    except NotFoundError:
        return {}  # nothing was ever dead-lettered on this server
    except Exception:  # noqa: BLE001 - JetStream not answering: say unknown, not zero
        return None
    return dict(sorted((info.state.subjects or {}).items()))


def render(states: dict[str, dict[str, Any] | None], dead: dict[str, int] | None) -> str:
    """The three tables: components, consumers, dead letters."""
    zone = ZoneInfo("UTC")  # no times in these tables; `cell` wants a zone
    components: list[dict[str, Any]] = []
    consumers: list[dict[str, Any]] = []
    for name, state in states.items():
        if state is None:
            components.append({"name": name, "answers": "NO 无响应"})
            continue
        relay = state.get("relay") or {}
        role = ROLES.get(str(state.get("role")), state.get("role"))
        if state.get("rebuilding"):
            role = f"{role or ''} rebuilding 重建中".strip()
        components.append({
            "name": name, "answers": "yes 是", "role": role,
            "pid": state.get("pid"), "published": relay.get("published", state.get("relay_published")),
            "backlog": relay.get("backlog"), "error": relay.get("error"),
        })
        for durable, counts in sorted((state.get("consumers") or {}).items()):
            consumers.append({"durable": durable, **(counts if isinstance(counts, dict) else {})})
    parts = [tables.render(components, COMPONENT_COLUMNS, zone)]
    if consumers:
        parts.append(tables.render(consumers, CONSUMER_COLUMNS, zone))
    if dead is None:
        parts.append(f"dead letters: unknown, {DEAD_LETTER_STREAM} cannot be read / 死信数未知")
    else:
        total = sum(dead.values())
        parts.append(f"dead letters in {DEAD_LETTER_STREAM}: {total} / 死信共 {total} 条"
                     + (" (`salesflow dead-letters` lists them)" if total else ""))
        if total:
            rows = [{"subject": s, "count": n} for s, n in dead.items()]
            parts.append(tables.render(rows, DEAD_LETTER_COLUMNS, zone))
    down = [name for name, state in states.items() if state is None]
    if down:
        parts.append(f"not answering: {', '.join(down)} / 无响应：{', '.join(down)}")
    return "\n\n".join(parts)


async def run(args: argparse.Namespace, settings: Settings, client: Any) -> int:
    """0 when every component answers, 1 otherwise."""
    nc: Nats = client.nc
    answers = await asyncio.gather(*(ask(nc, name) for name in COMPONENTS))
    states = dict(zip(COMPONENTS, answers, strict=True))
    dead = await dead_letters(nc)
    if getattr(args, "json", False):
        print(json.dumps({"components": states, "dead_letters": dead}, ensure_ascii=False, indent=2))
    else:
        print(render(states, dead))
    return 0 if all(answers) else 1
