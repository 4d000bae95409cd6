"""A small NATS client for the CLI: send commands and queries to a running system.

Every command carries a fresh ``command_id``; when its reply is lost (a timeout) it is sent once
more with the same id, which the service applies at most once, answering with the first reply.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from nats.aio.client import Client as Nats
from nats.errors import MaxPayloadError, NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from pydantic import ValidationError

from contracts.replies import CommandReply, ErrorBody
from contracts.subjects import command_subject
from services.runtime.connect import NatsUnavailable, connect
from services.runtime.nats_auth import OPERATOR
from services.runtime.settings import Settings

log = logging.getLogger(__name__)


class QueryRefused(NatsUnavailable):
    """A query was answered with an error (e.g. a month that is not YYYY-MM).

    A ``NatsUnavailable`` only so that ``salesflow`` prints its one bilingual sentence and exits 2,
    as for every error it reports without a traceback."""

    def __init__(self, subject: str, error: ErrorBody) -> None:
        super().__init__(f"{subject} refused the query: {error.sentence()}")
        self.error = error


class Client:
    """Connected to the NATS of the system running with the same data directory (or NATS_URL)."""

    def __init__(self, nc: Nats) -> None:
        self.nc = nc

    @classmethod
    async def open(cls, settings: Settings) -> Client:
        """Connected as the operator: the admin CLI on the machine may do everything."""
        return cls(await connect(settings.resolved_nats_url(), "salesflow-cli",
                                 settings.nats_login(OPERATOR)))

    async def close(self) -> None:
        await self.nc.drain()

    async def command(self, department: str, name: str, payload: dict[str, Any],
                      timeout: float = 5.0) -> CommandReply:
        """Send one command (under the payload's ``command_id``, else a new one); a reply lost
        in a timeout is asked for once more with the same id before reporting unavailable."""
        payload = {**payload, "command_id": payload.get("command_id") or str(uuid.uuid4())}
        data = json.dumps(payload, default=str).encode()
        subject = command_subject(department, name)
        for _ in range(2):
            try:
                msg = await self.nc.request(subject, data, timeout=timeout)
            except MaxPayloadError:
                return CommandReply.refused(ErrorBody(
                    kind="validation", field="content_base64",
                    message_en="the command is larger than the NATS server accepts (max_payload)",
                    message_zh="命令内容超过 NATS 服务器允许的大小（max_payload）"))
            except NoRespondersError:  # nobody received it: nothing to ask again
                break
            except NatsTimeout:  # it may have been applied: the same id makes asking again safe
                log.info("no reply to %s %s", name, payload["command_id"])
                continue
            return CommandReply.model_validate_json(msg.data)
        return CommandReply.refused(ErrorBody(
            kind="unavailable",
            message_en=f"the {department} service did not answer; is it running?",
            message_zh=f"{department} 服务没有响应，请确认它正在运行"))

    async def query(self, subject: str, payload: dict[str, Any] | None = None,
                    timeout: float = 10.0) -> Any:
        try:
            msg = await self.nc.request(subject, json.dumps(payload or {}).encode(), timeout=timeout)
        except (NoRespondersError, NatsTimeout):
            raise NatsUnavailable(
                f"nothing answered {subject}: is `salesflow up` running? (`salesflow status` "
                f"shows which part is down) / {subject} 没有响应，请确认系统正在运行") from None
        reply = json.loads(msg.data)
        if isinstance(reply, dict) and set(reply) == {"error"}:  # brief decision 7
            raise QueryRefused(subject, _error_body(reply["error"]))
        return reply


def _error_body(error: Any) -> ErrorBody:
    try:
        return ErrorBody.model_validate(error)
    except ValidationError:  # an older or newer responder: still show what it said
        return ErrorBody(kind="internal", message_en=str(error)[:500],
                         message_zh="查询被拒绝（回复格式无法识别）")
