"""Who is asking: a session cookie (the browser) or a bearer API token (a program).

The actor of every command is the signed-in person, in one of their roles; nothing the client
sends in the body can change it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from events.envelope import Role
from services.gateway.accounts import Person, token_person
from services.gateway.errors import ApiError, not_signed_in
from services.gateway.sessions import COOKIE, CSRF_HEADER, Session

if TYPE_CHECKING:
    from services.gateway.state import Gateway

# Declared so the OpenAPI document shows both ways in; checked by hand below.
bearer = HTTPBearer(auto_error=False, scheme_name="apiToken",
                    description="API token from POST /users/{username}/tokens or `salesflow "
                                "users token` / API 令牌")
cookie = APIKeyCookie(name=COOKIE, auto_error=False, scheme_name="session",
                      description="Session cookie from POST /session; state-changing requests "
                                  f"also send {CSRF_HEADER} / 浏览器会话")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Principal:
    """The signed-in person, and the session when signed in by cookie."""

    person: Person
    session: Session | None = None

    @property
    def username(self) -> str:
        return self.person.username


def gateway_of(request: Request) -> Gateway:
    return request.app.state.gateway  # type: ignore[no-any-return]


async def principal(request: Request,
                    token: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
                    session_cookie: Annotated[str | None, Depends(cookie)]) -> Principal:
    gateway = gateway_of(request)
    if request.headers.get("authorization") is not None:
        if token is None:
            raise not_signed_in("the Authorization header must be 'Bearer <API token>'",
                                "Authorization 头须为 'Bearer <API 令牌>'")
        person = token_person(gateway.directory, token.credentials, gateway.now())
        if person is None:
            raise not_signed_in("the API token is unknown, revoked or expired, or its user is "
                                "disabled", "API 令牌无效、已吊销或已过期，或其用户已停用")
        return Principal(person)
    if not session_cookie:
        raise not_signed_in()
    session = gateway.sessions.read(session_cookie)
    person = gateway.directory.person(session.username) if session else None
    if (session is None or person is None or person.disabled
            or person.credential_version != session.credential_version):
        raise not_signed_in("the session has ended (signed out, expired, password changed or "
                            "account disabled); sign in again",
                            "会话已结束（已退出、已过期、密码已修改或账户已停用），请重新登录")
    if request.method not in SAFE_METHODS and not gateway.sessions.csrf_ok(
            session, request.headers.get(CSRF_HEADER)):
        raise ApiError.of("forbidden", f"a browser request that changes something must carry "
                          f"the {CSRF_HEADER} header given by POST /session or GET /session",
                          f"浏览器提交的修改请求必须带有 {CSRF_HEADER} 头（由 POST /session 或 "
                          f"GET /session 提供）", field=CSRF_HEADER)
    return Principal(person, session)


async def admin(who: Annotated[Principal, Depends(principal)]) -> Principal:
    if Role.ADMIN not in who.person.roles:
        raise ApiError.of("forbidden", f"only an admin may do this; {who.username} is not one",
                          f"只有管理员可以执行此操作；{who.username} 不是管理员",
                          field="actor.role")
    return who


SignedIn = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(admin)]
