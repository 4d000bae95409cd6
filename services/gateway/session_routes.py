"""Signing in and out (``/session``): a session cookie for the browser, throttled guessing."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from events.envelope import Role
from services.gateway.accounts import Person, verify_password
from services.gateway.auth import Principal, SignedIn, gateway_of
from services.gateway.errors import ERROR_RESPONSES, ApiError
from services.gateway.sessions import COOKIE

Text = Annotated[str, Field(min_length=1, max_length=200)]


class Credentials(BaseModel):
    """A sign-in: user name and password."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=40, description="Sign-in name / 登录名")
    password: Text = Field(description="Password / 密码")


class SessionInfo(BaseModel):
    """Who is signed in, and what a browser needs to act."""

    username: str
    display_name: str
    department: str
    roles: list[Role]
    via: str = Field(description="session or token")
    csrf_token: str | None = Field(default=None, description="Send as X-CSRF-Token on every "
                                   "state-changing request made with the session cookie")
    expires_at: datetime | None = None


def info(who: Principal, csrf: str | None = None) -> SessionInfo:
    person = who.person
    ends = (datetime.fromtimestamp(who.session.expires_at, UTC) if who.session else None)
    return SessionInfo(username=person.username, display_name=person.display_name,
                       department=person.department, roles=list(person.roles),
                       via="session" if who.session else "token", csrf_token=csrf,
                       expires_at=ends)


def add_routes(app: FastAPI) -> None:
    @app.post("/session", tags=["sign-in"], responses={
        **ERROR_RESPONSES, 429: {"description": "Too many failed sign-ins; see Retry-After"}},
        summary="Sign in: sets the session cookie / 登录")
    async def sign_in(request: Request, response: Response, body: Credentials) -> SessionInfo:
        gateway = gateway_of(request)
        address = request.client.host if request.client else "unknown"
        name = body.username.strip().lower()
        wait = gateway.throttle.wait_seconds(name, address)
        if wait > 0:
            raise ApiError.of("forbidden", f"too many failed sign-ins; try again in "
                              f"{wait:.0f} s", f"登录失败次数过多，请 {wait:.0f} 秒后再试",
                              status=429, headers={"Retry-After": str(int(wait) + 1)})
        person: Person | None = gateway.directory.person(name)
        if not await asyncio.to_thread(verify_password, person, body.password):
            gateway.throttle.failed(name, address)
            raise ApiError.of("forbidden", "wrong user name or password (or the account is "
                              "disabled)", "用户名或密码错误（或账户已停用）", status=401)
        assert person is not None
        gateway.throttle.succeeded(name)
        cookie, session = gateway.sessions.issue(person.username, person.credential_version)
        response.set_cookie(COOKIE, cookie, max_age=int(gateway.sessions.lifetime),
                            httponly=True, samesite="strict", path="/",
                            secure=gateway.settings.secure_cookies)
        return info(Principal(person, session), gateway.sessions.csrf_token(session))

    @app.get("/session", tags=["sign-in"], responses=ERROR_RESPONSES,
             summary="Who is signed in (and the CSRF token) / 当前用户")
    async def current(request: Request, who: SignedIn) -> SessionInfo:
        sessions = gateway_of(request).sessions
        return info(who, sessions.csrf_token(who.session) if who.session else None)

    @app.delete("/session", tags=["sign-in"], status_code=204, responses=ERROR_RESPONSES,
                summary="Sign out / 退出登录")
    async def sign_out(request: Request, response: Response, who: SignedIn) -> None:
        if who.session is not None:
            gateway_of(request).sessions.sign_out(who.session)
        response.delete_cookie(COOKIE, path="/")
