"""Who may sign in to the gateway: the accounts as the user events tell them, passwords and
API tokens.

The gateway stores nothing of its own: a ``Directory`` is folded from the user events of the
``sla`` stream (``DirectoryFeed``, in ``directory_feed``). Passwords are kept only as argon2id
hashes and tokens only as the SHA-256 of their secret part, so what the events carry never
lets anyone sign in.
"""
from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from events import users as ev
from events.envelope import Role
from services.gateway.directory_feed import DirectoryFeed

__all__ = ["Directory", "DirectoryFeed", "PasswordRefused", "Person", "TokenRecord",
           "check_password", "hash_password", "new_token", "parse_token", "token_person",
           "verify_password"]

PASSWORD_MIN, PASSWORD_MAX = 10, 200
TOKEN_PREFIX = "sf"
_TOKEN = re.compile(r"^sf_([a-z0-9]{8,32})_([0-9a-f]{64})$")


@dataclass(frozen=True)
class Person:
    """What the gateway knows of one account."""

    username: str
    display_name: str
    department: str
    roles: tuple[Role, ...]
    disabled: bool
    password_hash: str
    # originator_version of the latest UserAdded / UserPasswordChanged: a session signed with
    # an older one is no longer valid.
    credential_version: int
    email: str | None = None


@dataclass(frozen=True)
class TokenRecord:
    """One API token's public facts and the hash of its secret."""

    token_id: str
    username: str
    token_hash: str
    label: str
    expires_at: datetime
    revoked: bool


class Directory:
    """Accounts as the user events tell them, in memory."""

    def __init__(self) -> None:
        self._people: dict[str, Person] = {}
        self._tokens: dict[str, TokenRecord] = {}
        self._seen: set[UUID] = set()
        self._applied: asyncio.Event | None = None  # made in the loop that waits on it

    def apply(self, event: ev.UserEvent) -> None:
        """Fold one user event; the same event twice changes nothing the second time."""
        if event.event_id in self._seen:
            return
        self._fold(event)
        self._seen.add(event.event_id)
        if self._applied is not None:
            self._applied.set()

    def person(self, username: str) -> Person | None:
        return self._people.get(username)

    def people(self) -> list[Person]:
        return [self._people[name] for name in sorted(self._people)]

    def token(self, token_id: str) -> TokenRecord | None:
        return self._tokens.get(token_id)

    def tokens_of(self, username: str) -> list[TokenRecord]:
        return sorted((t for t in self._tokens.values() if t.username == username),
                      key=lambda t: (t.expires_at, t.token_id))

    async def wait_for(self, event_ids: Iterable[UUID], timeout: float = 2.0) -> bool:
        """True once every one of these events was applied; False after ``timeout`` seconds."""
        wanted = set(event_ids)
        deadline = time.monotonic() + timeout
        while not wanted <= self._seen:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self._applied is None:
                self._applied = asyncio.Event()
            self._applied.clear()
            try:
                await asyncio.wait_for(self._applied.wait(), left)
            except TimeoutError:
                return wanted <= self._seen
        return True

    @functools.singledispatchmethod
    def _fold(self, event: ev.UserEvent) -> None:
        raise TypeError(f"the directory has no fold for {type(event).__name__}")

    @_fold.register
    def _added(self, e: ev.UserAdded) -> None:
        self._people[e.username] = Person(
            username=e.username, display_name=e.display_name, department=e.user_department,
            roles=tuple(e.roles), disabled=False, password_hash=e.password_hash,
            credential_version=e.originator_version, email=e.email)

    @_fold.register
    def _email_changed(self, e: ev.UserEmailChanged) -> None:
        self._change(e, email=e.email)

    @_fold.register
    def _roles_changed(self, e: ev.UserRolesChanged) -> None:
        self._change(e, department=e.user_department, roles=tuple(e.roles))

    @_fold.register
    def _password_changed(self, e: ev.UserPasswordChanged) -> None:
        self._change(e, password_hash=e.password_hash, credential_version=e.originator_version)

    @_fold.register
    def _disabled(self, e: ev.UserDisabled) -> None:
        self._change(e, disabled=True)
        # UserEnabled says the old tokens stay revoked: disabling ends them for good.
        for token in self.tokens_of(e.username):
            self._tokens[token.token_id] = replace(token, revoked=True)

    @_fold.register
    def _enabled(self, e: ev.UserEnabled) -> None:
        self._change(e, disabled=False)

    @_fold.register
    def _token_issued(self, e: ev.ApiTokenIssued) -> None:
        self._tokens[e.token_id] = TokenRecord(
            token_id=e.token_id, username=e.username, token_hash=e.token_hash, label=e.label,
            expires_at=e.expires_at, revoked=False)

    @_fold.register
    def _token_revoked(self, e: ev.ApiTokenRevoked) -> None:
        token = self._tokens.get(e.token_id)
        if token is not None:
            self._tokens[e.token_id] = replace(token, revoked=True)

    def _change(self, e: ev.UserEvent, **changes: object) -> None:
        person = self._people.get(e.username)
        if person is not None:  # the account aggregate refuses changes to unknown people
            self._people[e.username] = replace(person, **changes)  # type: ignore[arg-type]


class PasswordRefused(ValueError):
    """A password the policy refuses; ``en`` and ``zh`` say why."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.en, self.zh = en, zh


def check_password(password: str, username: str = "") -> None:
    """Refuse a password that is too short, too long, one repeated character or the username."""
    if len(password) < PASSWORD_MIN:
        raise PasswordRefused(f"the password needs at least {PASSWORD_MIN} characters",
                              f"密码至少需要 {PASSWORD_MIN} 个字符")
    if len(password) > PASSWORD_MAX:
        raise PasswordRefused(f"the password may have at most {PASSWORD_MAX} characters",
                              f"密码最多 {PASSWORD_MAX} 个字符")
    if len(set(password)) == 1:
        raise PasswordRefused("the password cannot be one character repeated",
                              "密码不能只由同一个字符重复组成")
    if username and password.strip().casefold() == username.casefold():
        raise PasswordRefused("the password cannot be the username", "密码不能与用户名相同")


@functools.cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when there is no such person, so that case costs the same time."""
    return _hasher().hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """The argon2id hash (argon2-cffi's defaults) that the account commands carry."""
    return _hasher().hash(password)


def verify_password(person: Person | None, password: str) -> bool:
    """Whether ``password`` signs ``person`` in; the same work whether or not they exist."""
    stored = person.password_hash if person is not None else _dummy_hash()
    try:
        matches = bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        matches = False
    return matches and person is not None and not person.disabled


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> tuple[str, str, str]:
    """A new API token: (its text ``sf_<token_id>_<secret>``, token_id, SHA-256 of the secret)."""
    token_id, secret = secrets.token_hex(8), secrets.token_hex(32)
    return f"{TOKEN_PREFIX}_{token_id}_{secret}", token_id, _secret_hash(secret)


def parse_token(text: str) -> tuple[str, str] | None:
    """(token_id, secret) of a token's text, or None when it is no salesflow token."""
    found = _TOKEN.match(text.strip())
    return (found.group(1), found.group(2)) if found else None


def token_person(directory: Directory, text: str, now: datetime) -> Person | None:
    """The person a bearer token acts for, or None: unknown, tampered, revoked, expired token,
    or a person who is gone or disabled."""
    parsed = parse_token(text)
    if parsed is None:
        return None
    token_id, secret = parsed
    record = directory.token(token_id)
    if record is None or not hmac.compare_digest(record.token_hash, _secret_hash(secret)):
        return None
    if record.revoked or now >= record.expires_at:
        return None
    person = directory.person(record.username)
    if person is None or person.disabled:
        return None
    return person
