"""One POST endpoint per command of every department: ``/commands/<department>/<command>``.

The body is the command's contract without ``actor``: the signed-in person is the actor, in
the role the ``Salesflow-Role`` header names, else the first of their roles the permission table
allows for the command. The gateway checks the role and the contract itself (no round trip for
a refusal), then sends the NATS request and maps the service's reply to an HTTP status.
"""
from __future__ import annotations

import hashlib
import json
import time
from typing import Annotated, Any

import nats.errors
from fastapi import FastAPI, Header, Request
from pydantic import ValidationError

from contracts.commands import ALL, users
from contracts.commands.base import Command
from contracts.permissions import allowed_roles, rule_of
from contracts.replies import CommandReply, ErrorBody
from events.envelope import Role
from services.gateway.auth import Principal, SignedIn, gateway_of
from services.gateway.errors import CHANGE_RESPONSES, STATUS, ApiError, validation
from services.gateway.schemas import Components
from services.gateway.state import Gateway

# The account commands take a password's hash or make a token: /users serves them.
SERVED_ELSEWHERE = frozenset(c.name for c in users.COMMANDS)
# NATS accepts 16 MB per message (the embedded server's max_payload); documents travel inside.
MAX_BODY_BYTES = 16 * 1024 * 1024
IDEMPOTENCY_PATTERN = r"^[A-Za-z0-9_.:-]{1,64}$"
ROLE_HEADER = "Salesflow-Role"


def add_routes(app: FastAPI, components: Components) -> None:
    for department, commands in ALL.items():
        for name, cls in commands.items():
            if department == "sla" and name in SERVED_ELSEWHERE:
                continue
            _route(app, components, department, cls)


def _route(app: FastAPI, components: Components, department: str, cls: type[Command]) -> None:
    roles = ", ".join(r.value for r in allowed_roles(department, cls.name))
    rule = rule_of(department, cls.name)

    async def handle(
        request: Request, who: SignedIn,
        idempotency_key: Annotated[str | None, Header(
            alias="Idempotency-Key", pattern=IDEMPOTENCY_PATTERN,
            description="Makes a retried command take effect once: the same key (from the same "
                        "user, with the same body) within a day gets the first reply "
                        "/ 幂等键")] = None,
        act_as: Annotated[Role | None, Header(
            alias=ROLE_HEADER, description="Which of your roles you act in (default: the first "
                                           "that may give this command) / 以哪个角色执行")] = None,
    ) -> CommandReply:
        payload = await json_object(request)
        return await send(gateway_of(request), who, department, cls, payload,
                          idempotency_key, act_as)

    app.add_api_route(
        f"/commands/{department}/{cls.name}", handle, methods=["POST"],
        name=f"{department}.{cls.name}", tags=[f"commands: {department}"],
        summary=(cls.__doc__ or cls.name).strip().splitlines()[0],
        description=f"Roles: {roles}" + (f" ({rule})" if rule else "") + " / 可执行角色",
        response_model=CommandReply,
        responses=CHANGE_RESPONSES,
        openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
            "schema": components.command_body(cls)}}}},
    )


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object, refused by name when it is too large or not an object."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    parts: list[bytes] = []
    size = 0
    async for chunk in request.stream():  # bounded as it streams in, also when chunked
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _too_large()
        parts.append(chunk)
    raw = b"".join(parts)
    try:
        value = json.loads(raw or b"{}")
    except ValueError:
        raise ApiError.of("validation", "the body is not valid JSON", "请求内容不是合法的 JSON",
                          field="body") from None
    if not isinstance(value, dict):
        raise ApiError.of("validation", "the body must be a JSON object", "请求内容必须是 JSON 对象",
                          field="body")
    return value


def _too_large() -> ApiError:
    return ApiError.of("validation", f"the body is larger than {MAX_BODY_BYTES} bytes",
                       f"请求内容超过 {MAX_BODY_BYTES} 字节", status=413, field="body")


def acting_role(who: Principal, department: str, command: str, asked: Role | None) -> Role:
    """The role the person acts in for this command, or a refusal naming the allowed roles."""
    allowed = allowed_roles(department, command)
    names = ", ".join(r.value for r in allowed) or "nobody"
    if asked is not None:
        if asked not in who.person.roles:
            raise ApiError.of("forbidden", f"{who.username} does not hold the role {asked.value}",
                              f"{who.username} 没有角色 {asked.value}", field=ROLE_HEADER)
        if asked in allowed:
            return asked
    else:
        for role in who.person.roles:
            if role in allowed:
                return role
    held = ", ".join(r.value for r in who.person.roles)
    body = ErrorBody(kind="forbidden", rule=rule_of(department, command), field="actor.role",
                     message_en=f"only {names} may give {department}.{command}; "
                                f"{who.username} holds {held}",
                     message_zh=f"只有 {names} 可以执行 {department}.{command}；"
                                f"{who.username} 的角色是 {held}")
    raise ApiError(403, body)


def command_id(username: str, key: str) -> str:
    """The command id an idempotency key stands for: one person's key never meets another's."""
    return "k-" + hashlib.sha256(f"{username}\n{key}".encode()).hexdigest()[:40]


async def send(gateway: Gateway, who: Principal, department: str, cls: type[Command],
               payload: dict[str, Any], key: str | None, asked: Role | None) -> CommandReply:
    """Check, send, map: the stored events, or an ``ApiError`` with the service's refusal."""
    started = time.perf_counter()
    outcome = "error"
    try:
        reply = await _send(gateway, who, department, cls, payload, key, asked)
        outcome = "ok"
        return reply
    except ApiError as error:
        outcome = error.body.kind
        raise
    finally:
        if gateway.metrics is not None:
            gateway.metrics.command_done(department, cls.name, outcome,
                                         time.perf_counter() - started)


async def _send(gateway: Gateway, who: Principal, department: str, cls: type[Command],
                payload: dict[str, Any], key: str | None, asked: Role | None) -> CommandReply:
    payload.pop("actor", None)  # whatever the client claims, the signed-in person acts
    role = acting_role(who, department, cls.name, asked)
    body = {**payload, "actor": {"user": who.username, "role": role.value}}
    if key is not None:
        body["command_id"] = command_id(who.username, key)
    try:
        cls.model_validate_json(json.dumps(body), context={"now": gateway.now()})
    except ValidationError as error:
        raise validation(error, "command", "命令") from None
    try:
        reply = await gateway.client().command(department, cls.name, body,
                                               timeout=gateway.command_timeout)
    except nats.errors.Error as error:
        raise ApiError.of("unavailable", f"NATS did not take the command ({type(error).__name__});"
                          " please retry", "NATS 未能接收命令，请重试") from None
    if reply.ok or reply.error is None:
        return reply
    refusal = reply.error
    if key is not None and refusal.field == "command_id":
        refusal = refusal.model_copy(update={
            "field": "Idempotency-Key",
            "message_en": "this Idempotency-Key was already used for a different command",
            "message_zh": "该幂等键已用于另一条不同的命令"})
    raise ApiError(STATUS.get(refusal.kind, 500), refusal)
