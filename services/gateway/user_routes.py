"""Account management (``/users``): the admin's commands of the sla service, with the password
hashed and the token made here, so neither ever travels over NATS nor reaches a store."""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from contracts.commands import users as cmd
from contracts.commands.base import Command
from contracts.replies import CommandReply
from events.envelope import Role
from events.users import USERNAME_PATTERN, Email, UserDepartment
from services.gateway.accounts import (
    PasswordRefused,
    Person,
    check_password,
    hash_password,
    new_token,
)
from services.gateway.auth import Admin, Principal, SignedIn, gateway_of
from services.gateway.command_routes import send
from services.gateway.errors import CHANGE_RESPONSES, ApiError
from services.gateway.state import Gateway

UserName = Annotated[str, Path(pattern=USERNAME_PATTERN, description="Sign-in name / 登录名")]
Password = Annotated[str, Field(min_length=10, max_length=200,
                                description="Password: 10 to 200 characters, not the user name, "
                                            "not one character repeated / 密码：10 到 200 个字符")]


class NewUser(BaseModel):
    """A person who may sign in."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN, description="Sign-in name / 登录名")
    display_name: str = Field(min_length=1, max_length=80, description="Full name / 姓名")
    user_department: UserDepartment
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    password: Password
    email: Email | None = None


class EmailChange(BaseModel):
    """The person's e-mail address from now on; null clears it."""

    model_config = ConfigDict(extra="forbid")

    email: Email | None = None


class RolesChange(BaseModel):
    """The person's roles from now on."""

    model_config = ConfigDict(extra="forbid")

    user_department: UserDepartment
    roles: list[Role] = Field(min_length=1, max_length=len(Role))


class PasswordChange(BaseModel):
    """A new password."""

    model_config = ConfigDict(extra="forbid")

    password: Password


class Disabling(BaseModel):
    """Why the account stops."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=200)


class TokenRequest(BaseModel):
    """A token for a program."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(min_length=1, max_length=80, description="What uses it / 用途")
    days: int = Field(default=90, ge=1, le=731, description="How long it works / 有效天数")


class IssuedToken(BaseModel):
    """The token, shown this once only."""

    token: str = Field(description="Send as 'Authorization: Bearer <token>'; shown only now")
    token_id: str
    expires_at: datetime


class Account(BaseModel):
    """What an admin sees of an account (never a hash)."""

    username: str
    display_name: str
    department: str
    roles: list[Role]
    email: str | None = None
    disabled: bool
    tokens: list[dict[str, Any]]


def account(gateway: Gateway, person: Person) -> Account:
    tokens = [{"token_id": t.token_id, "label": t.label, "expires_at": t.expires_at,
               "revoked": t.revoked} for t in gateway.directory.tokens_of(person.username)]
    return Account(username=person.username, display_name=person.display_name,
                   department=person.department, roles=list(person.roles),
                   email=person.email, disabled=person.disabled, tokens=tokens)


async def run(request: Request, who: Principal, cls: type[Command], fields: dict[str, Any]
              ) -> CommandReply:
    """Send one account command, then wait until this gateway's directory holds its events, so
    the next request (a sign-in with the new password) sees them."""
    gateway = gateway_of(request)
    reply = await send(gateway, who, "sla", cls, fields, None, None)
    await gateway.directory.wait_for([e.event_id for e in reply.events])
    return reply


async def hashed(password: str, username: str) -> str:
    try:
        check_password(password, username)
    except PasswordRefused as refused:
        raise ApiError.of("validation", f"password: {refused.en}", f"password：{refused.zh}",
                          field="password") from None
    return await asyncio.to_thread(hash_password, password)


def add_routes(app: FastAPI) -> None:
    common: dict[str, Any] = {"tags": ["users"], "responses": CHANGE_RESPONSES}

    @app.get("/users", summary="Every account (admin) / 用户列表", **common)
    async def people(request: Request, who: Admin) -> list[Account]:
        gateway = gateway_of(request)
        return [account(gateway, p) for p in gateway.directory.people()]

    @app.post("/users", summary="Add a user (admin) / 新增用户", **common)
    async def add(request: Request, who: Admin, body: NewUser) -> CommandReply:
        fields = body.model_dump(mode="json", exclude={"password"})
        fields["password_hash"] = await hashed(body.password, body.username)
        return await run(request, who, cmd.AddUser, fields)

    @app.put("/users/{username}/roles", summary="Change a user's roles (admin) / 修改角色",
             **common)
    async def roles(request: Request, who: Admin, username: UserName, body: RolesChange
                    ) -> CommandReply:
        return await run(request, who, cmd.ChangeUserRoles,
                         {"username": username, **body.model_dump(mode="json")})

    @app.put("/users/{username}/email", summary="Change or clear a user's e-mail address "
             "(admin) / 修改邮箱", **common)
    async def email(request: Request, who: Admin, username: UserName, body: EmailChange
                    ) -> CommandReply:
        return await run(request, who, cmd.ChangeUserEmail,
                         {"username": username, **body.model_dump(mode="json")})

    @app.post("/users/{username}/password", summary="Change a password (the person or an "
              "admin) / 修改密码", **common)
    async def password(request: Request, who: SignedIn, username: UserName,
                       body: PasswordChange) -> CommandReply:
        if who.username != username and Role.ADMIN not in who.person.roles:
            raise ApiError.of("forbidden", f"only {username} or an admin may change this "
                              "password", f"只有 {username} 本人或管理员可以修改该密码",
                              field="username")
        return await run(request, who, cmd.ChangePassword, {
            "username": username, "password_hash": await hashed(body.password, username)})

    @app.post("/users/{username}/disable", summary="Disable a user (admin) / 停用用户", **common)
    async def disable(request: Request, who: Admin, username: UserName, body: Disabling
                      ) -> CommandReply:
        return await run(request, who, cmd.DisableUser, {"username": username,
                                                          "reason": body.reason})

    @app.post("/users/{username}/enable", summary="Enable a user again (admin) / 启用用户",
              **common)
    async def enable(request: Request, who: Admin, username: UserName) -> CommandReply:
        return await run(request, who, cmd.EnableUser, {"username": username})

    @app.post("/users/{username}/tokens", summary="Issue an API token (admin) / 签发 API 令牌",
              status_code=201, **common)
    async def issue(request: Request, who: Admin, username: UserName, body: TokenRequest
                    ) -> IssuedToken:
        gateway = gateway_of(request)
        text, token_id, digest = new_token()
        expires = gateway.now() + timedelta(days=body.days)
        await run(request, who, cmd.IssueApiToken, {
            "username": username, "token_id": token_id, "token_hash": digest,
            "label": body.label, "expires_at": expires.isoformat()})
        return IssuedToken(token=text, token_id=token_id, expires_at=expires)

    @app.delete("/users/{username}/tokens/{token_id}", summary="Revoke an API token (admin) "
                "/ 吊销 API 令牌", **common)
    async def revoke(request: Request, who: Admin, username: UserName,
                     token_id: Annotated[str, Path(pattern=r"^[a-z0-9]{8,32}$")]
                     ) -> CommandReply:
        return await run(request, who, cmd.RevokeApiToken, {"username": username,
                                                             "token_id": token_id})
