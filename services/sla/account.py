"""A person's account (one record per sign-in name): roles, password, API tokens.

Every change is the admin's, except a password: the person may change their own. Nobody can
take away their own admin role or disable themselves, so the last admin cannot lock the company
out by a slip.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from events import users as ev
from events.envelope import Role
from services.domain import Aggregate, Conflict, Context, Forbidden, NotFound, record_id


def account_id(username: str) -> uuid.UUID:
    return record_id("user", username)


@dataclass
class Token:
    """An API token's public facts; the hash stays in the event."""

    label: str
    expires_at: datetime
    revoked: bool = False


@dataclass
class Account(Aggregate):
    """One person who may sign in."""

    username: str = ""
    display_name: str = ""
    roles: tuple[Role, ...] = ()
    email: str | None = None
    disabled: bool = False
    tokens: dict[str, Token] = field(default_factory=dict)

    def add(self, ctx: Context, username: str, display_name: str, department: str,
            roles: tuple[Role, ...], password_hash: str, email: str | None = None) -> None:
        if self.version:
            raise Conflict(None, f"user {username} already exists", f"用户 {username} 已存在",
                           field="username")
        self.trigger(ev.UserAdded, ctx, username=username, display_name=display_name,
                     user_department=department, roles=roles, password_hash=password_hash,
                     email=email)

    def change_email(self, ctx: Context, email: str | None) -> None:
        self._exists()
        if email == self.email:
            raise Conflict(None, f"{self.username}'s e-mail address is already {email or 'unset'}",
                           f"{self.username} 的邮箱已是 {email or '空'}", field="email")
        self.trigger(ev.UserEmailChanged, ctx, username=self.username, email=email)

    def change_roles(self, ctx: Context, department: str, roles: tuple[Role, ...]) -> None:
        self._exists()
        if self._is_self(ctx) and Role.ADMIN in self.roles and Role.ADMIN not in roles:
            raise Forbidden(None, "an admin cannot take away their own admin role",
                            "管理员不能取消自己的管理员角色")
        self.trigger(ev.UserRolesChanged, ctx, username=self.username,
                     user_department=department, roles=roles)

    def change_password(self, ctx: Context, password_hash: str) -> None:
        self._exists()
        if not self._is_self(ctx) and ctx.actor.role is not Role.ADMIN:
            raise Forbidden(None, f"only {self.username} or an admin may change this password",
                            f"只有 {self.username} 本人或管理员可以修改该密码")
        self.trigger(ev.UserPasswordChanged, ctx, username=self.username,
                     password_hash=password_hash)

    def disable(self, ctx: Context, reason: str) -> None:
        self._exists()
        if self._is_self(ctx):
            raise Forbidden(None, "nobody can disable their own account",
                            "不能停用自己的账户")
        if self.disabled:
            raise Conflict(None, f"{self.username} is already disabled",
                           f"{self.username} 已被停用", field="username")
        self.trigger(ev.UserDisabled, ctx, username=self.username, reason=reason)

    def enable(self, ctx: Context) -> None:
        self._exists()
        if not self.disabled:
            raise Conflict(None, f"{self.username} is not disabled", f"{self.username} 未被停用",
                           field="username")
        self.trigger(ev.UserEnabled, ctx, username=self.username)

    def issue_token(self, ctx: Context, token_id: str, token_hash: str, label: str,
                    expires_at: datetime) -> None:
        self._exists()
        if self.disabled:
            raise Conflict(None, f"{self.username} is disabled", f"{self.username} 已被停用",
                           field="username")
        if token_id in self.tokens:
            raise Conflict(None, f"token {token_id} already exists", f"令牌 {token_id} 已存在",
                           field="token_id")
        self.trigger(ev.ApiTokenIssued, ctx, username=self.username, token_id=token_id,
                     token_hash=token_hash, label=label, expires_at=expires_at)

    def revoke_token(self, ctx: Context, token_id: str) -> None:
        self._exists()
        token = self.tokens.get(token_id)
        if token is None:
            raise NotFound(None, f"{self.username} has no token {token_id}",
                           f"{self.username} 没有令牌 {token_id}", field="token_id")
        if token.revoked:
            raise Conflict(None, f"token {token_id} is already revoked",
                           f"令牌 {token_id} 已被吊销", field="token_id")
        self.trigger(ev.ApiTokenRevoked, ctx, username=self.username, token_id=token_id)

    def _exists(self) -> None:
        if not self.version:
            raise NotFound(None, "no such user", "用户不存在", field="username")

    def _is_self(self, ctx: Context) -> bool:
        return ctx.actor.user == self.username

    def when_UserAdded(self, e: ev.UserAdded) -> None:
        self.username, self.display_name, self.roles = e.username, e.display_name, e.roles
        self.email = e.email

    def when_UserEmailChanged(self, e: ev.UserEmailChanged) -> None:
        self.email = e.email

    def when_UserRolesChanged(self, e: ev.UserRolesChanged) -> None:
        self.roles = e.roles

    def when_UserDisabled(self, e: ev.UserDisabled) -> None:
        self.disabled = True

    def when_UserEnabled(self, e: ev.UserEnabled) -> None:
        self.disabled = False

    def when_ApiTokenIssued(self, e: ev.ApiTokenIssued) -> None:
        self.tokens[e.token_id] = Token(label=e.label, expires_at=e.expires_at)

    def when_ApiTokenRevoked(self, e: ev.ApiTokenRevoked) -> None:
        self.tokens[e.token_id].revoked = True
