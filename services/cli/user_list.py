"""``salesflow users list``: every account as the user events on the stream tell it (as the
gateway reads them), with Chinese labels; never a password hash, and tokens only by id."""
from __future__ import annotations

import argparse
import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from nats.js.errors import NotFoundError

from events.envelope import Role
from services.cli.client import Client
from services.cli.tables import json_text, render
from services.gateway import directory_feed
from services.gateway.accounts import Directory, DirectoryFeed, Person, TokenRecord
from services.runtime.settings import Settings

ROLE_ZH: dict[Role, str] = {
    Role.MARKETING_MANAGER: "市场部经理", Role.SALES_MANAGER: "业务经理",
    Role.CS_SUPERVISOR: "客服主管", Role.SALESPERSON: "业务员", Role.SALES_ASSISTANT: "业务助理",
    Role.TECHNICAL_SUPPORT: "技术支持", Role.QUOTATION_SPECIALIST: "报价专员",
    Role.ENGINEER: "工程师", Role.PMC_PLANNER: "PMC 计划员", Role.PRODUCTION_SUPERVISOR: "生产主管",
    Role.QC_INSPECTOR: "质检员", Role.QUALITY_ENGINEER: "品质工程师", Role.ADMIN: "管理员",
    Role.SYSTEM: "系统",
}
DEPARTMENT_ZH = {"sales": "业务部", "engineering": "工程部", "production": "生产部",
                 "quality": "品质部", "administration": "行政"}
COLUMNS = (("username", "User 用户名"), ("display_name", "Name 姓名"),
           ("department", "Dept 部门"), ("roles", "Roles 角色"), ("email", "E-mail 邮箱"),
           ("state", "State 状态"),
           ("tokens", "Tokens 令牌"))

async def read_directory(client: Client) -> Directory:
    """Every account as the user events stored so far tell it."""
    directory = Directory()
    js = client.nc.jetstream(timeout=5)
    try:
        await js.stream_info(directory_feed.STREAM)
    except NotFoundError:
        return directory  # the sla service has never run: nobody yet
    feed = DirectoryFeed(js, directory)
    directory_feed.log.setLevel(logging.WARNING)  # its progress is no news here
    await feed.start(timeout=15.0)
    await feed.stop()
    return directory


async def cmd_list(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    directory = await read_directory(client)
    now = datetime.now(UTC)
    rows = [person_row(p, directory.tokens_of(p.username), now) for p in directory.people()]
    if args.json:
        print(json_text(rows))
    elif not rows:
        print("no accounts yet; make the first admin with `salesflow users add ada --name Ada "
              "--department administration --role admin` / 暂无用户")
    else:
        print(render([shown(r, settings.zone()) for r in rows], COLUMNS, settings.zone())
              + f"\n{len(rows)} accounts / 共 {len(rows)} 个用户")
    return 0


def person_row(person: Person, tokens: list[TokenRecord], now: datetime) -> dict[str, Any]:
    """What ``users list`` tells of one person: never a hash."""
    return {"username": person.username, "display_name": person.display_name,
            "department": person.department, "roles": [r.value for r in person.roles],
            "email": person.email, "disabled": person.disabled,
            "tokens": [{"token_id": t.token_id, "label": t.label,
                        "expires_at": t.expires_at.isoformat(), "revoked": t.revoked,
                        "active": not t.revoked and now < t.expires_at} for t in tokens]}


def shown(row: dict[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """One table row: Chinese labels, and the tokens that still work."""
    tokens = [f"{t['token_id']} {t['label']} (until {_day(t['expires_at'], zone)})"
              for t in row["tokens"] if t["active"]]
    return dict(row, department=f"{row['department']} {DEPARTMENT_ZH[row['department']]}",
                roles=", ".join(f"{r} {ROLE_ZH[Role(r)]}" for r in row["roles"]),
                email=row.get("email") or "",
                state="disabled 停用" if row["disabled"] else "active 有效",
                tokens="; ".join(tokens))


def _day(moment: str, zone: ZoneInfo) -> str:
    return f"{datetime.fromisoformat(moment).astimezone(zone):%Y-%m-%d}"
