"""A small NATS client for the CLI: send commands and queries to a running system."""
from __future__ import annotations

import json
from typing import Any

from nats.aio.client import Client as Nats
from nats.errors import MaxPayloadError, NoRespondersError
from nats.errors import TimeoutError as NatsTimeout

from contracts.replies import CommandReply, ErrorBody
from contracts.subjects import command_subject
from services.runtime.connect import NatsUnavailable, connect
from services.runtime.settings import Settings


class Client:
    """Connected to the NATS of the system running with the same data directory (or NATS_URL)."""

    def __init__(self, nc: Nats) -> None:
        self.nc = nc

    @classmethod
    async def open(cls, settings: Settings) -> Client:
        return cls(await connect(settings.resolved_nats_url(), "salesflow-cli"))

    async def close(self) -> None:
        await self.nc.drain()

    async def command(self, department: str, name: str, payload: dict[str, Any],
                      timeout: float = 5.0) -> CommandReply:
        try:
            msg = await self.nc.request(command_subject(department, name),
                                        json.dumps(payload, default=str).encode(), timeout=timeout)
        except MaxPayloadError:
            return CommandReply.refused(ErrorBody(
                kind="validation", field="content_base64",
                message_en="the command is larger than the NATS server accepts (max_payload)",
                message_zh="命令内容超过 NATS 服务器允许的大小（max_payload）"))
        except (NoRespondersError, NatsTimeout):
            return CommandReply.refused(ErrorBody(
                kind="unavailable",
                message_en=f"the {department} service did not answer; is it running?",
                message_zh=f"{department} 服务没有响应，请确认它正在运行"))
        return CommandReply.model_validate_json(msg.data)

    async def query(self, subject: str, payload: dict[str, Any] | None = None,
                    timeout: float = 10.0) -> Any:
        try:
            msg = await self.nc.request(subject, json.dumps(payload or {}).encode(), timeout=timeout)
        except (NoRespondersError, NatsTimeout):
            raise NatsUnavailable(
                f"nothing answered {subject}: is `salesflow up` running? (`salesflow status` "
                f"shows which part is down) / {subject} 没有响应，请确认系统正在运行") from None
        return json.loads(msg.data)
