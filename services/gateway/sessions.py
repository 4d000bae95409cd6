"""Browser sessions as signed cookies, their CSRF tokens, and the brake on password guessing.

A session cookie holds who signed in, when it ends and which password it was signed in with,
signed with the gateway's secret (HMAC-SHA256): any copy of the gateway with the same secret
accepts it, and it stops working when the password changes, the account is disabled, the person
signs out, or after ``lifetime``. Nothing about sessions is stored in the event stores.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections import deque
from dataclasses import dataclass, field

COOKIE = "salesflow_session"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class Session:
    """What a valid cookie says."""

    username: str
    sid: str
    credential_version: int
    expires_at: float


class SessionKeeper:
    """Issues and reads session cookies; remembers the sessions signed out of (until they end)."""

    def __init__(self, secret: bytes, lifetime_seconds: float = 12 * 3600) -> None:
        if len(secret) < 32:
            raise ValueError("the gateway secret must be at least 32 bytes")
        self.secret, self.lifetime = secret, lifetime_seconds
        self.signed_out: dict[str, float] = {}

    def issue(self, username: str, credential_version: int, now: float | None = None
              ) -> tuple[str, Session]:
        now = time.time() if now is None else now
        session = Session(username, secrets.token_urlsafe(16), credential_version,
                          now + self.lifetime)
        body = json.dumps({"u": username, "s": session.sid, "c": credential_version,
                           "e": session.expires_at}, separators=(",", ":")).encode()
        text = base64.urlsafe_b64encode(body).decode().rstrip("=")
        return f"{text}.{self._sign(text)}", session

    def read(self, cookie: str, now: float | None = None) -> Session | None:
        """The session a cookie holds, if its signature is ours and it has not ended."""
        text, _, signature = cookie.partition(".")
        if not signature or not hmac.compare_digest(signature, self._sign(text)):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            session = Session(str(data["u"]), str(data["s"]), int(data["c"]), float(data["e"]))
        except (ValueError, KeyError, TypeError):
            return None
        now = time.time() if now is None else now
        if session.expires_at <= now or session.sid in self.signed_out:
            return None
        return session

    def sign_out(self, session: Session) -> None:
        self.signed_out[session.sid] = session.expires_at
        now = time.time()
        for sid, ends in list(self.signed_out.items()):
            if ends <= now:
                del self.signed_out[sid]

    def csrf_token(self, session: Session) -> str:
        """The token a state-changing request must carry in ``X-CSRF-Token`` (a page of another
        site can make the browser send the cookie, but cannot read this)."""
        return self._sign(f"csrf:{session.sid}")

    def csrf_ok(self, session: Session, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token, self.csrf_token(session))

    def _sign(self, text: str) -> str:
        digest = hmac.new(self.secret, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass
class LoginThrottle:
    """At most ``per_name`` failed sign-ins per user name and ``per_address`` per client address
    within ``window`` seconds; beyond that, sign-in is refused until the oldest failure ages out."""

    per_name: int = 5
    per_address: int = 20
    window: float = 15 * 60
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def wait_seconds(self, username: str, address: str, now: float | None = None) -> float:
        """0 when a sign-in may be tried now, else how long to wait."""
        now = time.monotonic() if now is None else now
        waits = [self._wait(f"name:{username}", self.per_name, now),
                 self._wait(f"addr:{address}", self.per_address, now)]
        return max(waits)

    def failed(self, username: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for key in (f"name:{username}", f"addr:{address}"):
            self.failures.setdefault(key, deque()).append(now)

    def succeeded(self, username: str) -> None:
        self.failures.pop(f"name:{username}", None)

    def _wait(self, key: str, limit: int, now: float) -> float:
        seen = self.failures.get(key)
        if not seen:
            return 0.0
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        if not seen:
            del self.failures[key]
            return 0.0
        return 0.0 if len(seen) < limit else seen[0] + self.window - now
