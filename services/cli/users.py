"""``salesflow users``: the operator on the machine manages who may sign in to the gateway.

Every change is an admin command of the ``sla`` service, sent as ``<login>@cli`` (or ``--as``) in
the admin role; this is how the first admin is made. Passwords are checked and hashed here, and
a token is made here: neither a password nor a token's secret ever leaves this process. The list
is read straight from the user events on the stream, as the gateway reads them.
"""
from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, get_args

from events.envelope import Role
from events.users import PERSON_ROLES, UserDepartment
from services.cli.client import Client
from services.cli.tables import visible
from services.cli.user_list import cmd_list, read_directory
from services.gateway.accounts import (
    PasswordRefused,
    check_password,
    hash_password,
    new_token,
    parse_token,
)
from services.runtime.settings import Settings

USAGE = """\
salesflow users list                                       every account, its roles and tokens
salesflow users add NAME --name "Full Name" --department D --role R [--role R ...] [--email A]
salesflow users email NAME ADDRESS                         or --clear: where the 16:00 pack goes
salesflow users roles NAME --role R [--role R ...] [--department D]
salesflow users password NAME                              asks twice, or --password-stdin
salesflow users disable NAME [--reason TEXT]
salesflow users enable NAME
salesflow users token NAME --label ERP [--days 90]         prints the token once
salesflow users revoke NAME TOKEN_ID
The first admin: salesflow users add ada --name Ada --department administration --role admin"""
MAX_TOKEN_DAYS = 730  # issue_api_token accepts up to two years ahead


class Usage(ValueError):
    """Arguments or input this command cannot use; the message says why, in both languages."""


def add_parser(sub: Any) -> None:
    """Add ``salesflow users`` and its actions to ``salesflow``'s subparsers."""
    p = sub.add_parser("users", help="who may sign in: add people, roles, passwords, API "
                                     "tokens (admin) / 用户管理", description=USAGE,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = p.add_subparsers(dest="users_action", required=True, metavar="ACTION")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--as", dest="actor", metavar="NAME", default=None,
                        help="the admin who does it (default: <your login>@cli)")
    roles: dict[str, Any] = {
        "choices": [r.value for r in PERSON_ROLES], "action": "append", "metavar": "ROLE",
        "help": "a role the person holds (repeat for several): "
                + ", ".join(r.value for r in PERSON_ROLES)}
    departments: dict[str, Any] = {
        "choices": get_args(UserDepartment), "metavar": "DEPARTMENT",
        "help": "the person's department: " + ", ".join(get_args(UserDepartment))}
    listing = actions.add_parser("list", parents=[common], help="every account / 用户列表")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add = actions.add_parser("add", parents=[common], help="a new person who may sign in")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="full name / 姓名")
    add.add_argument("--department", required=True, **departments)
    add.add_argument("--role", dest="roles", required=True, **roles)
    add.add_argument("--email", default=None, help="where the 16:00 pack is e-mailed / 邮箱")
    add.add_argument("--password-stdin", action="store_true", help="read the password from "
                     "the first line of standard input instead of asking twice")
    email = actions.add_parser("email", parents=[common], help="the person's e-mail address "
                               "(the 16:00 pack goes there) / 修改邮箱")
    email.add_argument("username")
    address = email.add_mutually_exclusive_group(required=True)
    address.add_argument("address", nargs="?", default=None, help="the new address")
    address.add_argument("--clear", action="store_true", help="no address from now on")
    change = actions.add_parser("roles", parents=[common], help="the person's roles from now on")
    change.add_argument("username")
    change.add_argument("--role", dest="roles", required=True, **roles)
    change.add_argument("--department", help="(default: unchanged) " + departments["help"],
                        choices=departments["choices"], metavar="DEPARTMENT")
    password = actions.add_parser("password", parents=[common], help="set a new password; "
                                  "every session signed in with the old one ends")
    password.add_argument("username")
    password.add_argument("--password-stdin", action="store_true",
                          help="read it from the first line of standard input")
    disable = actions.add_parser("disable", parents=[common], help="the person may no longer "
                                 "sign in; their sessions and tokens stop working")
    disable.add_argument("username")
    disable.add_argument("--reason", default="", help="why / 原因")
    enable = actions.add_parser("enable", parents=[common], help="a disabled person may sign in "
                                "again (their old tokens stay revoked)")
    enable.add_argument("username")
    token = actions.add_parser("token", parents=[common], help="an API token for a program "
                               "acting as this person: printed once on standard output")
    token.add_argument("username")
    token.add_argument("--label", required=True, help="what uses it, e.g. ERP / 用途")
    token.add_argument("--days", type=_days, default=90,
                       help=f"how many days it works (1 to {MAX_TOKEN_DAYS}, default 90)")
    revoke = actions.add_parser("revoke", parents=[common], help="the token stops working")
    revoke.add_argument("username")
    revoke.add_argument("token_id", metavar="TOKEN_ID", help="the token's id (or the token)")


def _days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_TOKEN_DAYS:
        raise argparse.ArgumentTypeError(f"{text!r}: a whole number of days from 1 to "
                                         f"{MAX_TOKEN_DAYS} / 天数应为 1 到 {MAX_TOKEN_DAYS}")
    return int(text)


async def run(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    try:
        return await ACTIONS[args.users_action](args, settings, client)
    except (Usage, PasswordRefused) as error:
        print(f"salesflow users: {error}", file=sys.stderr)
        return 2


def actor(args: argparse.Namespace) -> dict[str, str]:
    login = os.environ.get("SALESFLOW_USER") or getpass.getuser()
    return {"user": args.actor or f"{login}@cli", "role": Role.ADMIN.value}


async def send(client: Client, args: argparse.Namespace, name: str, **fields: Any) -> bool:
    """Send one account command; a refusal is printed (en + zh) and False returned."""
    reply = await client.command("sla", name, {"actor": actor(args),
                                                "username": args.username, **fields})
    if reply.error is not None:
        print(visible(f"salesflow users: {reply.error.sentence()}"), file=sys.stderr)
        return False
    return True


def read_password(args: argparse.Namespace) -> str:
    """The new password (one stdin line, or asked twice), checked against the policy."""
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"new password for {args.username} / 新密码: ")
        if getpass.getpass("again / 再次输入: ") != password:
            raise Usage("the two passwords differ / 两次输入的密码不一致")
    check_password(password, args.username)
    return password


async def cmd_add(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    password_hash = await asyncio.to_thread(hash_password, read_password(args))
    if not await send(client, args, "add_user", display_name=args.name,
                      user_department=args.department, roles=args.roles,
                      password_hash=password_hash, email=args.email):
        return 1
    print(f"{args.username} may sign in now, as {', '.join(args.roles)} "
          f"/ {args.username} 已可以登录")
    return 0


async def cmd_roles(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    department = args.department
    if department is None:  # the command names both: keep the one the person has
        person = (await read_directory(client)).person(args.username)
        if person is None:
            print(f"salesflow users: no user {args.username} / 用户 {args.username} 不存在",
                  file=sys.stderr)
            return 1
        department = person.department
    if not await send(client, args, "change_user_roles", user_department=department,
                      roles=args.roles):
        return 1
    print(f"{args.username}: {', '.join(args.roles)} in {department} from now on / 角色已更新")
    return 0


async def cmd_email(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    address = None if args.clear else args.address
    if not await send(client, args, "change_user_email", email=address):
        return 1
    print(f"{args.username}: e-mail {address} from now on / 邮箱已更新" if address else
          f"{args.username}: no e-mail address from now on / 邮箱已清除")
    return 0


async def cmd_password(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    password_hash = await asyncio.to_thread(hash_password, read_password(args))
    if not await send(client, args, "change_password", password_hash=password_hash):
        return 1
    print(f"{args.username}: new password set; sessions signed in with the old one have ended "
          f"/ 密码已修改，旧密码的登录会话已失效")
    return 0


async def cmd_disable(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    if not await send(client, args, "disable_user", reason=args.reason):
        return 1
    print(f"{args.username} may no longer sign in; their tokens stop working / 账户已停用")
    return 0


async def cmd_enable(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    if not await send(client, args, "enable_user"):
        return 1
    print(f"{args.username} may sign in again (old tokens stay revoked) / 账户已启用")
    return 0


async def cmd_token(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    text, token_id, token_hash = new_token()
    expires_at = datetime.now(UTC) + timedelta(days=args.days)
    if not await send(client, args, "issue_api_token", token_id=token_id,
                      token_hash=token_hash, label=args.label, expires_at=expires_at.isoformat()):
        return 1
    # The token alone on standard output (a script can keep it); the warning on the terminal.
    print(f"API token {token_id} for {args.username} ({args.label}), valid until "
          f"{expires_at.astimezone(settings.zone()):%Y-%m-%d %H:%M}. It is shown only now: "
          f"salesflow keeps only its hash. / 令牌只显示这一次，系统只保存其哈希值，请立即妥善保存。",
          file=sys.stderr)
    print(text)
    return 0


async def cmd_revoke(args: argparse.Namespace, settings: Settings, client: Client) -> int:
    parsed = parse_token(args.token_id)
    token_id = parsed[0] if parsed else args.token_id.strip()
    if not await send(client, args, "revoke_api_token", token_id=token_id):
        return 1
    print(f"token {token_id} of {args.username} no longer works / 令牌已吊销")
    return 0


ACTIONS: dict[str, Callable[[argparse.Namespace, Settings, Client], Awaitable[int]]] = {
    "list": cmd_list, "add": cmd_add, "roles": cmd_roles, "email": cmd_email,
    "password": cmd_password,
    "disable": cmd_disable, "enable": cmd_enable, "token": cmd_token, "revoke": cmd_revoke}
