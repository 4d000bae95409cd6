"""What a consumer reads off a delivered JetStream message: its numbers and its event."""
from __future__ import annotations

from nats.aio.msg import Msg

from contracts.subjects import HEADER_TYPE
from events.envelope import DomainEvent
from events.registry import REGISTRY, UnknownEventType


class UndecodableMessage(ValueError):
    """A message no retry can help: missing header, invalid body."""


class UnknownType(ValueError):
    """An event type this code does not know yet (its producer was upgraded first): wait."""


def ack_numbers(msg: Msg) -> tuple[int, int]:
    """The message's (stream sequence, consumer sequence), read straight from its ack subject.

    ``$JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>...`` (9 tokens), or
    with domain and account hash after ``ACK`` (11 or 12 tokens). nats-py's ``msg.metadata``
    parses the same subject into dataclasses and a datetime, which costs more than the rest of
    our bookkeeping.
    """
    tokens = (msg.reply or "").split(".")
    if len(tokens) == 9:
        return int(tokens[5]), int(tokens[6])
    if len(tokens) >= 11:
        return int(tokens[7]), int(tokens[8])
    meta = msg.metadata.sequence
    return int(meta.stream), int(meta.consumer)


def stream_sequence(msg: Msg) -> int:
    return ack_numbers(msg)[0]


def decode(msg: Msg) -> DomainEvent:
    key = (msg.headers or {}).get(HEADER_TYPE)
    if not key:
        raise UndecodableMessage(f"message on {msg.subject} has no {HEADER_TYPE} header")
    name, _, version = key.rpartition(".v")
    try:
        known = REGISTRY.cls(name).version
    except UnknownEventType:
        raise UnknownType(f"unknown event type {key}: upgrade this service") from None
    if not version.isdigit():
        raise UndecodableMessage(f"{key} is no event type")
    if int(version) > known:
        raise UnknownType(f"{key} is newer than this service knows (v{known}): upgrade it")
    try:
        return REGISTRY.decode_json(key, msg.data)
    except ValueError as error:
        raise UndecodableMessage(f"{key}: {error}") from None
