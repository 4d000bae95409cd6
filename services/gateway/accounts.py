"""TEMPORARY stand-in (lead), replaced by helper H2's module on merge."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from events import users as ev
from events.envelope import Role

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not a password of anyone")


class PasswordRefused(ValueError):
    def __init__(self, en: str, zh: str) -> None:
        super().__init__(en)
        self.en, self.zh = en, zh


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    department: str
    roles: tuple[Role, ...]
    disabled: bool
    password_hash: str
    credential_version: int


@dataclass(frozen=True)
class TokenRecord:
    token_id: str
    username: str
    token_hash: str
    label: str
    expires_at: datetime
    revoked: bool


class Directory:
    def __init__(self) -> None:
        self._people: dict[str, Person] = {}
        self._tokens: dict[str, TokenRecord] = {}
        self._seen: set[UUID] = set()
        self._changed = asyncio.Event()

    def apply(self, e: ev.UserEvent) -> None:
        if e.event_id in self._seen:
            return
        self._seen.add(e.event_id)
        p = self._people.get(e.username)
        if isinstance(e, ev.UserAdded):
            self._people[e.username] = Person(e.username, e.display_name, e.user_department,
                                              e.roles, False, e.password_hash,
                                              e.originator_version)
        elif p is None:
            return
        elif isinstance(e, ev.UserRolesChanged):
            self._people[e.username] = replace(p, roles=e.roles, department=e.user_department)
        elif isinstance(e, ev.UserPasswordChanged):
            self._people[e.username] = replace(p, password_hash=e.password_hash,
                                               credential_version=e.originator_version)
        elif isinstance(e, ev.UserDisabled):
            self._people[e.username] = replace(p, disabled=True)
        elif isinstance(e, ev.UserEnabled):
            self._people[e.username] = replace(p, disabled=False)
        elif isinstance(e, ev.ApiTokenIssued):
            self._tokens[e.token_id] = TokenRecord(e.token_id, e.username, e.token_hash,
                                                   e.label, e.expires_at, False)
        elif isinstance(e, ev.ApiTokenRevoked) and e.token_id in self._tokens:
            self._tokens[e.token_id] = replace(self._tokens[e.token_id], revoked=True)
        self._changed.set()

    def person(self, username: str) -> Person | None:
        return self._people.get(username)

    def people(self) -> list[Person]:
        return sorted(self._people.values(), key=lambda p: p.username)

    def token(self, token_id: str) -> TokenRecord | None:
        return self._tokens.get(token_id)

    def tokens_of(self, username: str) -> list[TokenRecord]:
        return [t for t in self._tokens.values() if t.username == username]

    async def wait_for(self, event_ids: Iterable[UUID], timeout: float = 2.0) -> bool:
        wanted = set(event_ids)
        loop = asyncio.get_running_loop()
        until = loop.time() + timeout
        while not wanted <= self._seen:
            left = until - loop.time()
            if left <= 0:
                return False
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except TimeoutError:
                return False
        return True


class DirectoryFeed:
    def __init__(self, js: Any, directory: Directory) -> None:
        self.js, self.directory, self.caught_up = js, directory, False
        self.sub: Any = None

    async def start(self, timeout: float = 30.0) -> None:
        from nats.js.api import DeliverPolicy

        from services.runtime.messages import decode

        async def on(msg: Any) -> None:
            event = decode(msg)
            if isinstance(event, ev.UserEvent):
                self.directory.apply(event)

        self.sub = await self.js.subscribe("salesflow.sla.user.>", cb=on, ordered_consumer=True,
                                           deliver_policy=DeliverPolicy.ALL)
        self.caught_up = True

    async def stop(self) -> None:
        if self.sub is not None:
            await self.sub.unsubscribe()


def check_password(password: str, username: str = "") -> None:
    if len(password) < 10:
        raise PasswordRefused("must be at least 10 characters", "至少 10 个字符")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(person: Person | None, password: str) -> bool:
    try:
        _hasher.verify(person.password_hash if person else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return False
    return person is not None and not person.disabled


def new_token() -> tuple[str, str, str]:
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return f"sf_{token_id}_{secret}", token_id, hashlib.sha256(secret.encode()).hexdigest()


def token_person(directory: Directory, text: str, now: datetime) -> Person | None:
    parts = text.split("_", 2)
    if len(parts) != 3 or parts[0] != "sf":
        return None
    record = directory.token(parts[1])
    if record is None or record.revoked or record.expires_at <= now:
        return None
    if not hmac.compare_digest(record.token_hash, hashlib.sha256(parts[2].encode()).hexdigest()):
        return None
    person = directory.person(record.username)
    return None if person is None or person.disabled else person
