"""The people who may sign in to salesflow, their roles and their API tokens (service ``sla``).

User management is an admin task, kept as events like every other record, in the company's
administration service (``sla``: the calendar, the service-level clocks and the users). The
gateway follows these events to know who is who; it stores nothing of its own.
Passwords and tokens are stored only as hashes, and the audit trail never shows them.
"""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, ClassVar, Literal

from pydantic import Field

from events.envelope import Department, DomainEvent, Role

# A sign-in name: lower case, so "Amy" and "amy" cannot be two people.
USERNAME_PATTERN = r"^[a-z][a-z0-9._-]{1,39}$"
Username = Annotated[str, Field(pattern=USERNAME_PATTERN,
                                description="Sign-in name: lower-case letters, digits, . _ - "
                                            "(2 to 40) / 登录名")]
UserDepartment = Literal["sales", "engineering", "production", "quality", "administration"]
# Roles a person can hold; ``system`` is salesflow's own reactions, never a person's.
PERSON_ROLES: tuple[Role, ...] = tuple(r for r in Role if r is not Role.SYSTEM)
# An argon2id hash in PHC form, as argon2-cffi writes it.
PasswordHash = Annotated[str, Field(pattern=r"^\$argon2id\$v=\d+\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+"
                                            r"\$[A-Za-z0-9+/]+$", max_length=200,
                                    description="argon2id hash of the password (never the "
                                                "password) / 密码的 argon2id 哈希")]
# An e-mail address: a bounded, plain form (no comments, no quoted local part, a dotted domain);
# the same pattern in the store, the commands and the gateway, so all three accept the same.
EMAIL_PATTERN = (r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
                 r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                 r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")
Email = Annotated[str, Field(pattern=EMAIL_PATTERN, max_length=254,
                             description="E-mail address, e.g. amy@example.com / 电子邮箱")]
TokenId = Annotated[str, Field(pattern=r"^[a-z0-9]{8,32}$",
                               description="Public part of an API token / API 令牌编号")]


class UserEvent(DomainEvent):
    """One person's account (aggregate ``user``, one per sign-in name)."""

    department: ClassVar[Department] = Department.SLA
    aggregate: ClassVar[str] = "user"
    record_field: ClassVar[str | None] = "username"

    username: Username


class UserAdded(UserEvent):
    """A person may sign in, with these roles, in this department."""

    secret_fields: ClassVar[frozenset[str]] = frozenset({"password_hash"})

    display_name: str = Field(min_length=1, max_length=80, description="Full name / 姓名")
    user_department: UserDepartment = Field(description="The person's department / 所属部门")
    roles: tuple[Role, ...] = Field(min_length=1, max_length=len(PERSON_ROLES))
    password_hash: PasswordHash
    email: Email | None = Field(default=None, description="Where the 16:00 pack is e-mailed "
                                                          "(none: not e-mailed) / 电子邮箱")


class UserEmailChanged(UserEvent):
    """The person's e-mail address from now on (None: cleared)."""

    email: Email | None = None


class UserRolesChanged(UserEvent):
    """The person's roles (and department) from now on."""

    user_department: UserDepartment
    roles: tuple[Role, ...] = Field(min_length=1, max_length=len(PERSON_ROLES))


class UserPasswordChanged(UserEvent):
    """A new password; every session signed in with the old one ends."""

    secret_fields: ClassVar[frozenset[str]] = frozenset({"password_hash"})

    password_hash: PasswordHash


class UserDisabled(UserEvent):
    """The person may no longer sign in; their sessions and tokens stop working."""

    reason: str = Field(default="", max_length=200)


class UserEnabled(UserEvent):
    """A disabled person may sign in again (their old tokens stay revoked)."""


class ApiTokenIssued(UserEvent):
    """A bearer token for a program acting as this person, until ``expires_at``."""

    secret_fields: ClassVar[frozenset[str]] = frozenset({"token_hash"})

    token_id: TokenId
    token_hash: str = Field(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the secret part")
    label: str = Field(min_length=1, max_length=80, description="What uses it, e.g. ERP / 用途")
    expires_at: datetime


class ApiTokenRevoked(UserEvent):
    """The token no longer works."""

    token_id: TokenId


USER_EVENTS: tuple[type[UserEvent], ...] = (
    UserAdded, UserRolesChanged, UserEmailChanged, UserPasswordChanged, UserDisabled, UserEnabled,
    ApiTokenIssued, ApiTokenRevoked,
)
EVENTS: tuple[type[DomainEvent], ...] = USER_EVENTS
