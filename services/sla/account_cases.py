"""The accounts' use cases (admin commands), mixed into ``SlaApplication``: load, call, save."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from contracts.commands import users as cmd
from contracts.replies import EventRef
from events.registry import REGISTRY
from events.users import UserAdded
from services.domain import Aggregate, Context
from services.sla.account import Account, account_id
from services.sla.daily_pack import Addressee

A = TypeVar("A", bound=Aggregate)


class AccountUseCases:
    """One account per sign-in name."""

    if TYPE_CHECKING:  # provided by DepartmentApplication
        from eventsourcing.persistence import ApplicationRecorder

        recorder: ApplicationRecorder

        def store(self, *aggregates: Aggregate, tracking: Any = None) -> list[EventRef]: ...
        def load_or_new(self, cls: type[A], aggregate_id: UUID) -> A: ...

    def account(self, username: str) -> Account:
        return self.load_or_new(Account, account_id(username))

    def addressees(self, page: int = 500) -> list[Addressee]:
        """Every account as it stands (found by its ``UserAdded`` in the store's log)."""
        names: list[str] = []
        start: int | None = None
        while True:
            found = self.recorder.select_notifications(start, page, topics=[UserAdded.type_key()],
                                                       inclusive_of_start=start is None)
            names += [REGISTRY.decode_json(n.topic, n.state).username  # type: ignore[attr-defined]
                      for n in found]
            if len(found) < page:
                break
            start = found[-1].id
        accounts = (self.account(name) for name in names)
        return [Addressee(username=a.username, display_name=a.display_name, roles=a.roles,
                          email=a.email, disabled=a.disabled) for a in accounts]

    def add_user(self, c: cmd.AddUser, ctx: Context) -> list[EventRef]:
        record = self.account(c.username)
        record.add(ctx, c.username, c.display_name, c.user_department, c.roles, c.password_hash,
                   c.email)
        return self.store(record)

    def change_user_email(self, c: cmd.ChangeUserEmail, ctx: Context) -> list[EventRef]:
        record = self.account(c.username)
        record.change_email(ctx, c.email)
        return self.store(record)

    def change_user_roles(self, c: cmd.ChangeUserRoles, ctx: Context) -> list[EventRef]:
        record = self.account(c.username)
        record.change_roles(ctx, c.user_department, c.roles)
        return self.store(record)

    def change_password(self, c: cmd.ChangePassword, ctx: Context) -> list[EventRef]:
        record = self.account(c.username)
        record.change_password(ctx, c.password_hash)
        return self.store(record)

    def disable_user(self, c: cmd.DisableUser, ctx: Context) -> list[EventRef]:
        record = self.account(c.username)
        record.disable(ctx, c.reason)
        return self.store(record)

    def enable_user(self, c: cmd.EnableUser, ctx: Context) -> list[EventRef]:
        record = self.account(c.username)
        record.enable(ctx)
        return self.store(record)

    def issue_api_token(self, c: cmd.IssueApiToken, ctx: Context) -> list[EventRef]:
        record = self.account(c.username)
        record.issue_token(ctx, c.token_id, c.token_hash, c.label, c.expires_at)
        return self.store(record)

    def revoke_api_token(self, c: cmd.RevokeApiToken, ctx: Context) -> list[EventRef]:
        record = self.account(c.username)
        record.revoke_token(ctx, c.token_id)
        return self.store(record)


ACCOUNT_COMMANDS: dict[type[Any], Any] = {
    cmd.AddUser: AccountUseCases.add_user,
    cmd.ChangeUserRoles: AccountUseCases.change_user_roles,
    cmd.ChangeUserEmail: AccountUseCases.change_user_email,
    cmd.ChangePassword: AccountUseCases.change_password,
    cmd.DisableUser: AccountUseCases.disable_user,
    cmd.EnableUser: AccountUseCases.enable_user,
    cmd.IssueApiToken: AccountUseCases.issue_api_token,
    cmd.RevokeApiToken: AccountUseCases.revoke_api_token,
}
