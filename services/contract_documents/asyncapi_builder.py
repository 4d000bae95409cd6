"""Assembles an AsyncAPI 3.0 document: channels (subjects), operations (who sends, who receives,
and the reply of a request), messages and their schemas, each under a stable key."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from services.contract_documents.parties import DESCRIPTIONS
from services.contract_documents.schemas import Schema, Schemas

INBOX = "inbox"  # the channel every request/reply answer travels on
Action = Literal["send", "receive"]


def _channel_ref(channel: str) -> Schema:
    return {"$ref": f"#/channels/{channel}"}


def _message_ref(channel: str, message: str) -> Schema:
    return {"$ref": f"#/channels/{channel}/messages/{message}"}


class Builder:
    """The parts of the document, filled by ``services.contract_documents.asyncapi``."""

    def __init__(self) -> None:
        self.schemas = Schemas()
        self.messages: dict[str, Schema] = {}
        self.channels: dict[str, Schema] = {INBOX: {
            "address": None, "title": "Reply inbox",
            "description": "The requester's own inbox (`_INBOX.…`): NATS request/reply answers "
                           "arrive here / 请求方的收件箱：请求-应答的回复",
            "messages": {}}}
        self.operations: dict[str, Schema] = {}
        self.parties: set[str] = set()

    def message(self, key: str, payload: Schema, *, title: str, summary: str = "",
                headers: Schema | None = None, name: str | None = None) -> str:
        """A message in ``components.messages`` (the same key twice must be the same message)."""
        message: Schema = {"name": name or key, "title": title, "contentType": "application/json",
                           "payload": payload}
        if summary:
            message["summary"] = summary
        if headers is not None:
            message["headers"] = headers
        known = self.messages.setdefault(key, message)
        if known != message:
            raise ValueError(f"two different messages are both called {key}")
        return key

    def channel(self, key: str, address: str, messages: Sequence[str], *, title: str,
                description: str, parameters: dict[str, Schema] | None = None) -> str:
        if key in self.channels:
            raise ValueError(f"the channel {key} is declared twice")
        channel: Schema = {
            "address": address, "title": title, "description": description,
            "messages": {m: {"$ref": f"#/components/messages/{m}"} for m in messages}}
        if parameters:
            channel["parameters"] = parameters
        self.channels[key] = channel
        return key

    def operation(self, channel: str, action: Action, parties: Sequence[str], *,
                  summary: str, description: str = "", replies: Sequence[str] = (),
                  queue: str | None = None, messages: Sequence[str] | None = None) -> None:
        """``parties`` send (or receive) on ``channel``; ``replies``: what the request is
        answered with, on the requester's inbox."""
        key = f"{channel}.{action}"
        if key in self.operations:
            raise ValueError(f"the operation {key} is declared twice")
        names = list(self.channels[channel]["messages"]) if messages is None else list(messages)
        operation: Schema = {
            "action": action, "channel": _channel_ref(channel), "summary": summary,
            "messages": [_message_ref(channel, m) for m in names],
            "tags": [{"name": p} for p in sorted(parties)]}
        if description:
            operation["description"] = description
        if replies:
            for reply in replies:
                self.channels[INBOX]["messages"][reply] = {
                    "$ref": f"#/components/messages/{reply}"}
            operation["reply"] = {"channel": _channel_ref(INBOX),
                                  "messages": [_message_ref(INBOX, r) for r in replies]}
        if queue is not None:
            operation["bindings"] = {"nats": {"queue": queue, "bindingVersion": "0.1.0"}}
        self.parties.update(parties)
        self.operations[key] = operation

    def document(self, info: Schema, servers: Schema) -> dict[str, Any]:
        info = {**info, "tags": [{"name": p, "description": DESCRIPTIONS.get(p, p)}
                                 for p in sorted(self.parties)]}
        return {
            "asyncapi": "3.0.0", "info": info, "defaultContentType": "application/json",
            "servers": servers, "channels": self.channels, "operations": self.operations,
            "components": {"messages": self.messages, "schemas": self.schemas.schemas},
        }
