"""Command dispatch: parse the contract, run the use case off the event loop, reply.

A command is either stored whole or refused with an ``ErrorBody``; a refusal stores nothing,
because the aggregate raises before any event reaches the store. Every command gets a reply: an
unexpected exception is answered as an ``internal`` error whose reference the log line shows.

A command with a client-chosen ``command_id`` is applied once: its events and the record of its
id are saved in one transaction (``services.runtime.command_log``), and a repeat within
``DepartmentApplication.command_ids_kept`` gets the first reply. A refused command is not
remembered: the same id may be sent again once the reason is fixed.

Commands that arrive together are written together (``services.runtime.group_commit``): one
transaction for a batch, with the same answer each command would get alone.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from eventsourcing.persistence import IntegrityError
from pydantic import ValidationError

from contracts.commands import ALL
from contracts.commands.base import Command
from contracts.commands.bulk import Bulk
from contracts.permissions import allowed_roles, rule_of
from contracts.replies import CommandReply, ErrorBody, RowReply, validation_refusal
from services.domain import DomainError, Forbidden
from services.runtime.group_commit import GroupCommit, UseCase
from services.runtime.store import CommandKey, DepartmentApplication, store_unavailable

log = logging.getLogger(__name__)




def validation_error(error: ValidationError) -> ErrorBody:
    return validation_refusal(error, "command", "命令")


def domain_error(error: DomainError) -> ErrorBody:
    return ErrorBody(kind=error.kind, rule=error.rule, field=error.field,  # type: ignore[arg-type]
                     message_en=error.en, message_zh=error.zh)


def unexpected_error(error: Exception, what: str) -> ErrorBody:
    """An exception no contract or rule explains: one reply, and one log line with the same
    reference (with the traceback, unless the store is simply unavailable)."""
    reference = uuid.uuid4().hex[:10]
    if store_unavailable(error):
        log.warning("%s: the event store is unavailable [ref %s]: %s", what, reference, error)
        return ErrorBody(
            kind="unavailable", reference=reference,
            message_en="the event store is unavailable; please try again (under the same "
                       "command_id it is applied at most once)",
            message_zh="事件存储暂时不可用，请稍后重试（使用相同的 command_id 最多只执行一次）")
    log.error("%s failed [ref %s]: %s: %s", what, reference, type(error).__name__, error,
              exc_info=error)
    return ErrorBody(
        kind="internal", reference=reference,
        message_en=f"an internal error stopped the command; the service log shows the details "
                   f"under reference {reference}",
        message_zh=f"内部错误，命令未能执行；服务日志中编号 {reference} 记录了详情")


def command_key(command: Command) -> CommandKey | None:
    """The command id with what it names, so a reused id for another command is not mistaken
    for a repeat."""
    if command.command_id is None:
        return None
    digest = hashlib.sha256(command.model_dump_json().encode()).hexdigest()
    return CommandKey(command_id=command.command_id, command=command.name, digest=digest)


class CommandBus:
    """Routes ``<command name>`` to a use case of one application, by an explicit table.

    ``batch_size`` commands at most are written in one transaction (1: each alone), after
    waiting ``batch_window`` seconds for more (``Settings.command_batch_*``)."""

    def __init__(self, app: DepartmentApplication, table: Mapping[type[Command], UseCase],
                 retries: int = 3, on_stored: Callable[[], None] | None = None,
                 preparers: Mapping[type[Command], Callable[[Command], Awaitable[Command]]]
                 | None = None, department: str | None = None, batch_size: int = 200,
                 batch_window: float = 0.0) -> None:
        self.app, self.retries, self.on_stored = app, retries, on_stored
        self.routes = {cls.name: (cls, use_case) for cls, use_case in table.items()}
        self.preparers = dict(preparers or {})
        self.department = department or _department_of(self.routes)
        for bulk in ALL.get(self.department, {}).values():  # a bulk runs its row's use case
            if issubclass(bulk, Bulk) and bulk.row_command.name in self.routes:
                self.routes[bulk.name] = (bulk, self.routes[bulk.row_command.name][1])
        self.group = GroupCommit(app, self, batch_size, batch_window) if batch_size > 1 else None

    async def handle(self, name: str, payload: bytes) -> CommandReply:
        """The reply to one command; never raises."""
        try:
            return await self._handle(name, payload)
        except Exception as error:  # noqa: BLE001 - every command gets a reply
            return CommandReply.refused(unexpected_error(error, f"{self.app.name} command {name}"))

    async def _handle(self, name: str, payload: bytes) -> CommandReply:
        route = self.routes.get(name)
        if route is None:
            known = ", ".join(sorted(self.routes)) or "none"
            return CommandReply.refused(ErrorBody(
                kind="not_found", field="command",
                message_en=f"unknown command {name!r} for {self.app.name}; known: {known}",
                message_zh=f"{self.app.name} 没有命令 {name!r}；可用命令：{known}"))
        cls, use_case = route
        try:
            # Contracts bound dates around this "now" (the application's clock, so tests and
            # replays are deterministic).
            command = cls.model_validate_json(payload or b"{}", context={"now": self.app.clock()})
        except ValidationError as error:
            return CommandReply.refused(validation_error(error))
        if (refusal := self.not_permitted(command)) is not None:
            return CommandReply.refused(refusal)
        if isinstance(command, Bulk):
            return await self._bulk(command, use_case)
        key = command_key(command)
        prepare = self.preparers.get(cls)
        if prepare is not None:
            if key is not None:  # a repeat is answered before the preparer stores anything again
                earlier = await asyncio.to_thread(self.earlier_reply, key)
                if earlier is not None:
                    return earlier
            try:
                command = await prepare(command)
            except DomainError as error:
                return CommandReply.refused(domain_error(error))
        if self.group is not None:
            return await self.group.submit(use_case, command, key)
        return await asyncio.to_thread(self.run_alone, use_case, command, key)

    async def _bulk(self, bulk: Bulk, use_case: UseCase) -> CommandReply:
        """Every row as its row command given alone (``contracts.commands.bulk``): checked,
        then decided and written in the group commits; each row answered in ``rows``."""
        now = self.app.clock()

        def check() -> list[Command | ErrorBody]:
            checked: list[Command | ErrorBody] = []
            for index in range(len(bulk.rows)):
                try:
                    checked.append(bulk.row(index, now))
                except ValidationError as error:
                    checked.append(validation_error(error))
            return checked

        async def decide(index: int, row: Command | ErrorBody) -> RowReply:
            if isinstance(row, ErrorBody):
                return RowReply(row=index, error=row)
            try:
                if self.group is not None:
                    reply = await self.group.submit(use_case, row, None)
                else:
                    reply = await asyncio.to_thread(self.run_alone, use_case, row, None)
            except Exception as error:  # noqa: BLE001 - a batch's bug answers its rows only
                reply = CommandReply.refused(unexpected_error(
                    error, f"{self.app.name} command {bulk.name} row {index}"))
            return RowReply(row=index, events=reply.events, error=reply.error)

        rows = await asyncio.to_thread(check)  # 500 rows: ~25 ms, off the event loop
        replies = await asyncio.gather(*(decide(i, row) for i, row in enumerate(rows)))
        return CommandReply(ok=True, rows=list(replies))

    def not_permitted(self, command: Command) -> ErrorBody | None:
        """The permission table's refusal, when the actor's role may not give this command."""
        allowed = allowed_roles(self.department, command.name)
        if command.actor.role in allowed:
            return None
        return domain_error(refused_role(self.department, command.name, command.actor.user,
                                         command.actor.role.value))

    def run_alone(self, use_case: UseCase, command: Command, key: CommandKey | None,
                  first_attempt: int = 1) -> CommandReply:
        """One command in its own transaction, reloaded and retried on a conflict (a group
        commit's conflicting command goes on here from ``first_attempt``)."""
        earlier = self.earlier_reply(key) if key is not None else None
        if earlier is not None:  # a repeat: the use case would refuse it, or apply it again
            return earlier
        ctx = self.app.context(command.actor, command.correlation_id, command.occurred_at)
        for attempt in range(first_attempt, self.retries + 1):
            try:
                with self.app.handling(key):
                    events = use_case(self.app, command, ctx)
            except DomainError as error:
                return CommandReply.refused(domain_error(error))
            except IntegrityError:
                # Either the record changed under us, or another copy of this very command
                # (same id) was just stored: then its reply is ours.
                earlier = self.earlier_reply(key) if key is not None else None
                if earlier is not None:
                    return earlier
                log.info("concurrent save of %s (attempt %d); reloading", command.name, attempt)
                continue
            self.stored()
            return CommandReply(ok=True, events=events)
        return CommandReply.refused(ErrorBody(
            kind="conflict", message_en="the record changed concurrently; please retry",
            message_zh="记录正被同时修改，请重试"))

    def refusal(self, error: Exception, command: str) -> CommandReply:
        """The reply to a command its use case (or its batch's write) failed with."""
        if isinstance(error, DomainError):
            return CommandReply.refused(domain_error(error))
        return CommandReply.refused(unexpected_error(error, f"{self.app.name} command {command}"))

    def earlier_reply(self, key: CommandKey) -> CommandReply | None:
        """The first reply to this command id, if it was handled (and not forgotten yet)."""
        handled = self.app.handled(key.command_id)
        if handled is None:
            return None
        if (handled.command, handled.digest) != (key.command, key.digest):
            return CommandReply.refused(ErrorBody(
                kind="conflict", field="command_id",
                message_en=f"command_id {key.command_id} was already used for another command "
                           f"({handled.command}); send a new id for a new command",
                message_zh=f"命令编号 {key.command_id} 已用于另一条命令（{handled.command}），"
                           f"新命令请使用新编号"))
        log.info("%s %s was already handled; answering with its first reply",
                 key.command, key.command_id)
        return CommandReply.model_validate_json(handled.reply)

    def stored(self) -> None:
        """Wake the relay; the events are stored, so a failure here must not change the reply."""
        if self.on_stored is None:
            return
        try:
            self.on_stored()
        except Exception:
            log.warning("could not wake the relay after a command", exc_info=True)


def refused_role(department: str, command: str, user: str, role: str) -> Forbidden:
    """``user`` acting as ``role`` may not give ``command`` (``contracts.permissions``)."""
    names = ", ".join(r.value for r in allowed_roles(department, command)) or "nobody"
    return Forbidden(
        rule_of(department, command),
        f"only {names} may give {department}.{command}; {user} acts as {role}",
        f"只有 {names} 可以执行 {department}.{command}；{user} 的角色是 {role}", field="actor.role")


def _department_of(routes: Mapping[str, Any]) -> str:
    """The department whose contracts hold every routed command (a test's bus names none)."""
    for department, commands in ALL.items():
        if set(routes) <= set(commands):
            return department
    raise ValueError(f"no department accepts all of {sorted(routes)}: name the department")


def reply_bytes(reply: CommandReply) -> bytes:
    return reply.model_dump_json(exclude_none=True).encode()


def parse_reply(data: bytes) -> CommandReply:
    return CommandReply.model_validate(json.loads(data))
