"""Command dispatch: parse the contract, run the use case off the event loop, reply.

A command is either stored whole or refused with an ``ErrorBody``; a refusal stores nothing,
because the aggregate raises before any event reaches the store.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from eventsourcing.persistence import IntegrityError
from pydantic import ValidationError

from contracts.commands.base import Command
from contracts.replies import CommandReply, ErrorBody, EventRef
from services.domain import Context, DomainError
from services.runtime.store import DepartmentApplication

log = logging.getLogger(__name__)

UseCase = Callable[[Any, Any, Context], list[EventRef]]

_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_too_short": "内容不能为空或过短",
    "string_too_long": "内容过长",
    "string_pattern_mismatch": "格式不正确",
    "enum": "取值不在允许范围内",
    "literal_error": "取值不在允许范围内",
    "timezone_aware": "时间必须带时区",
    "datetime_parsing": "时间格式不正确",
    "datetime_from_date_parsing": "时间格式不正确",
    "decimal_parsing": "必须是数字",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "bool_parsing": "必须是 true 或 false",
    "json_invalid": "不是合法的 JSON",
    "model_type": "必须是一个对象",
}


def validation_error(error: ValidationError) -> ErrorBody:
    first = error.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or None
    zh = _ZH.get(first["type"], "内容不合法")
    return ErrorBody(kind="validation", field=field,
                     message_en=f"{field or 'command'}: {first['msg']}",
                     message_zh=f"{field or '命令'}：{zh}")


def domain_error(error: DomainError) -> ErrorBody:
    return ErrorBody(kind=error.kind, rule=error.rule, field=error.field,  # type: ignore[arg-type]
                     message_en=error.en, message_zh=error.zh)


class CommandBus:
    """Routes ``<command name>`` to a use case of one application, by an explicit table."""

    def __init__(self, app: DepartmentApplication, table: Mapping[type[Command], UseCase],
                 retries: int = 3, on_stored: Callable[[], None] | None = None,
                 preparers: Mapping[type[Command], Callable[[Command], Awaitable[Command]]]
                 | None = None) -> None:
        self.app, self.retries, self.on_stored = app, retries, on_stored
        self.routes = {cls.name: (cls, use_case) for cls, use_case in table.items()}
        self.preparers = dict(preparers or {})

    async def handle(self, name: str, payload: bytes) -> CommandReply:
        route = self.routes.get(name)
        if route is None:
            known = ", ".join(sorted(self.routes)) or "none"
            return CommandReply.refused(ErrorBody(
                kind="not_found", field="command",
                message_en=f"unknown command {name!r} for {self.app.name}; known: {known}",
                message_zh=f"{self.app.name} 没有命令 {name!r}；可用命令：{known}"))
        cls, use_case = route
        try:
            command = cls.model_validate_json(payload or b"{}")
        except ValidationError as error:
            return CommandReply.refused(validation_error(error))
        prepare = self.preparers.get(cls)
        if prepare is not None:
            try:
                command = await prepare(command)
            except DomainError as error:
                return CommandReply.refused(domain_error(error))
        return await asyncio.to_thread(self._run, use_case, command)

    def _run(self, use_case: UseCase, command: Command) -> CommandReply:
        ctx = self.app.context(command.actor, command.correlation_id)
        for attempt in range(1, self.retries + 1):
            try:
                events = use_case(self.app, command, ctx)
            except DomainError as error:
                return CommandReply.refused(domain_error(error))
            except IntegrityError:
                log.info("concurrent save of %s (attempt %d); reloading", command.name, attempt)
                continue
            if self.on_stored is not None:
                self.on_stored()
            return CommandReply(ok=True, events=events)
        return CommandReply.refused(ErrorBody(
            kind="conflict", message_en="the record changed concurrently; please retry",
            message_zh="记录正被同时修改，请重试"))


def reply_bytes(reply: CommandReply) -> bytes:
    return reply.model_dump_json(exclude_none=True).encode()


def parse_reply(data: bytes) -> CommandReply:
    return CommandReply.model_validate(json.loads(data))
