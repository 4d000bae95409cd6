"""Admin commands of the user accounts (service ``sla``, ``salesflow.cmd.sla.<name>``).

The gateway and ``salesflow users`` hash a password (argon2id) or make a token before they send
a command: a password or a token's secret never travels over NATS nor reaches a store.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated, ClassVar

from pydantic import AfterValidator, AwareDatetime, Field, field_validator

from contracts.commands.base import Command
from contracts.commands.bounds import bilingual, moment_window
from events.envelope import Role
from events.users import (
    PERSON_ROLES,
    Email,
    PasswordHash,
    TokenId,
    UserDepartment,
    Username,
)

# A token lives from an hour (a one-off script) to two years (an ERP link renewed yearly).
TokenExpiry = Annotated[AwareDatetime, AfterValidator(
    moment_window(back=timedelta(0), ahead=timedelta(days=2 * 366)))]
Roles = Annotated[tuple[Role, ...], Field(min_length=1, max_length=len(PERSON_ROLES),
                                          description="Roles of DOMAIN.md the person holds "
                                                      "/ 角色")]


class UserCommand(Command):
    """A command about one person's account, named by the sign-in name."""

    username: Username


def person_roles(value: tuple[Role, ...]) -> tuple[Role, ...]:
    """Each role once, and never ``system`` (salesflow's own reactions)."""
    if Role.SYSTEM in value:
        raise bilingual("role_not_personal", "system is salesflow's own role, not a person's",
                        "system 是系统自身的角色，不能分配给用户")
    if len(set(value)) != len(value):
        raise bilingual("role_repeated", "names a role twice", "重复的角色")
    return value


class AddUser(UserCommand):
    """A new person who may sign in."""

    name: ClassVar[str] = "add_user"
    display_name: str = Field(min_length=1, max_length=80, description="Full name / 姓名")
    user_department: UserDepartment = Field(description="The person's department / 所属部门")
    roles: Roles
    password_hash: PasswordHash
    email: Email | None = Field(default=None, description="Where the 16:00 pack is e-mailed "
                                                          "(optional) / 电子邮箱（可选）")

    @field_validator("roles")
    @classmethod
    def _person_roles(cls, value: tuple[Role, ...]) -> tuple[Role, ...]:
        return person_roles(value)


class ChangeUserEmail(UserCommand):
    """The person's e-mail address from now on; none clears it."""

    name: ClassVar[str] = "change_user_email"
    email: Email | None = Field(default=None, description="The new address; none clears it "
                                                          "/ 新邮箱，为空则清除")


class ChangeUserRoles(UserCommand):
    """The person's roles and department from now on."""

    name: ClassVar[str] = "change_user_roles"
    user_department: UserDepartment = Field(description="The person's department / 所属部门")
    roles: Roles

    @field_validator("roles")
    @classmethod
    def _person_roles(cls, value: tuple[Role, ...]) -> tuple[Role, ...]:
        return person_roles(value)


class ChangePassword(UserCommand):
    """A new password, set by an admin or by the person; every older session ends."""

    name: ClassVar[str] = "change_password"
    password_hash: PasswordHash


class DisableUser(UserCommand):
    """The person may no longer sign in."""

    name: ClassVar[str] = "disable_user"
    reason: str = Field(default="", max_length=200, description="Why / 原因")


class EnableUser(UserCommand):
    """A disabled person may sign in again."""

    name: ClassVar[str] = "enable_user"


class IssueApiToken(UserCommand):
    """A bearer token for a program acting as this person."""

    name: ClassVar[str] = "issue_api_token"
    token_id: TokenId
    token_hash: str = Field(pattern=r"^[0-9a-f]{64}$",
                            description="SHA-256 (hex) of the token's secret part / 令牌哈希")
    label: str = Field(min_length=1, max_length=80, description="What uses it, e.g. ERP / 用途")
    expires_at: TokenExpiry = Field(description="Until when it works (at most two years) "
                                                "/ 有效期至")


class RevokeApiToken(UserCommand):
    """The token stops working at once."""

    name: ClassVar[str] = "revoke_api_token"
    token_id: TokenId


COMMANDS: tuple[type[Command], ...] = (AddUser, ChangeUserRoles, ChangeUserEmail, ChangePassword,
                                       DisableUser, EnableUser, IssueApiToken, RevokeApiToken)
