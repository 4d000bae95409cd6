"""Session cookies, CSRF tokens and the brake on password guessing (issue 10)."""
from __future__ import annotations

import pytest

from services.gateway.sessions import LoginThrottle, SessionKeeper

SECRET = b"s" * 32


def test_a_session_cookie_reads_back_until_it_ends_and_not_after() -> None:
    keeper = SessionKeeper(SECRET, lifetime_seconds=60)
    cookie, session = keeper.issue("amy", credential_version=3, now=1000.0)
    assert keeper.read(cookie, now=1059.0) == session
    assert keeper.read(cookie, now=1060.0) is None


def test_a_tampered_or_foreign_cookie_is_not_a_session() -> None:
    keeper = SessionKeeper(SECRET)
    cookie, _ = keeper.issue("amy", 1)
    body, _, signature = cookie.partition(".")
    forged, _ = SessionKeeper(b"t" * 32).issue("amy", 1)
    assert keeper.read(body[:-2] + "xx." + signature) is None
    assert keeper.read(forged) is None
    assert keeper.read("no-dot-at-all") is None
    assert keeper.read("e30." + signature) is None


def test_signing_out_ends_that_session_only() -> None:
    keeper = SessionKeeper(SECRET)
    first, one = keeper.issue("amy", 1)
    second, _ = keeper.issue("amy", 1)
    keeper.sign_out(one)
    assert keeper.read(first) is None and keeper.read(second) is not None


def test_the_csrf_token_belongs_to_its_session() -> None:
    keeper = SessionKeeper(SECRET)
    _, one = keeper.issue("amy", 1)
    _, two = keeper.issue("amy", 1)
    assert keeper.csrf_ok(one, keeper.csrf_token(one))
    assert not keeper.csrf_ok(one, keeper.csrf_token(two))
    assert not keeper.csrf_ok(one, None)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        SessionKeeper(b"short")


def test_guessing_is_braked_per_name_and_per_address_and_ages_out() -> None:
    throttle = LoginThrottle(per_name=3, per_address=5, window=60)
    for n in range(3):
        assert throttle.wait_seconds("amy", "10.0.0.1", now=float(n)) == 0
        throttle.failed("amy", "10.0.0.1", now=float(n))
    assert throttle.wait_seconds("amy", "10.0.0.2", now=3.0) == pytest.approx(57.0)
    assert throttle.wait_seconds("bob", "10.0.0.1", now=3.0) == 0, "5 per address"
    assert throttle.wait_seconds("amy", "10.0.0.1", now=61.0) == 0, "the oldest aged out"
    for name in ("c1", "c2", "c3", "c4", "c5"):
        throttle.failed(name, "10.0.0.9", now=70.0)
    assert throttle.wait_seconds("zed", "10.0.0.9", now=71.0) > 0
    throttle.succeeded("amy")
    assert throttle.wait_seconds("amy", "10.0.0.3", now=3.0) == 0
