"""The gateway's accounts (issue 10): the password policy, argon2id hashes, API tokens and the
directory folded from the user events."""
from __future__ import annotations

import asyncio
import functools
import hashlib
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from events import users as ev
from events.envelope import Actor, Role
from events.registry import REGISTRY
from services.gateway.accounts import (
    Directory,
    PasswordRefused,
    Person,
    check_password,
    hash_password,
    new_token,
    parse_token,
    token_person,
    verify_password,
)
from services.sla.account import account_id

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"


@functools.cache
def password_hash() -> str:
    return hash_password(PASSWORD)


class Trail:
    """One person's user events, numbered as the account aggregate numbers them."""

    def __init__(self, username: str) -> None:
        self.username = username
        self.version = 0

    def __call__(self, cls: type[ev.UserEvent], **facts: Any) -> ev.UserEvent:
        self.version += 1
        return cls(originator_id=account_id(self.username), originator_version=self.version,
                   timestamp=NOW, event_id=uuid.uuid4(), actor=Actor(user="ada", role=Role.ADMIN),
                   correlation_id=uuid.uuid4(), username=self.username, **facts)

    def added(self, *roles: Role, department: str = "sales") -> ev.UserEvent:
        return self(ev.UserAdded, display_name=self.username.title(), user_department=department,
                    roles=roles or (Role.SALES_ASSISTANT,), password_hash=password_hash())

    def token(self, token_hash: str, days: int = 90, token_id: str = "") -> ev.UserEvent:
        return self(ev.ApiTokenIssued, token_id=token_id or uuid.uuid4().hex[:16],
                    token_hash=token_hash, label="ERP", expires_at=NOW + timedelta(days=days))


def directory_with(*events: ev.UserEvent) -> Directory:
    directory = Directory()
    for event in events:
        directory.apply(event)
    return directory


# The password policy

@pytest.mark.parametrize("password", ["short1234", "x" * 201, "a" * 12, "          "])
def test_a_password_too_short_too_long_or_one_repeated_character_is_refused(password: str) -> None:
    with pytest.raises(PasswordRefused) as refused:
        check_password(password, "amy")
    assert refused.value.en and refused.value.zh
    assert str(refused.value) == f"{refused.value.en} / {refused.value.zh}"


def test_a_password_equal_to_the_username_is_refused_whatever_its_case() -> None:
    with pytest.raises(PasswordRefused, match="username"):
        check_password("Christabel", "christabel")
    check_password("christabel-7", "christabel")


def test_ten_to_two_hundred_characters_of_more_than_one_kind_are_accepted() -> None:
    check_password("abcdefghij")
    check_password("ab" * 100, "amy")
    check_password("密码密码密码密码密码安全")  # counted in characters, not bytes
    assert issubclass(PasswordRefused, ValueError)


# Hashes and verification

def test_a_password_is_hashed_with_argon2id_in_the_form_the_events_accept() -> None:
    hashed = password_hash()
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert hash_password(PASSWORD) != hashed  # a fresh salt every time
    trail = Trail("amy")
    assert ev.UserAdded.model_validate(trail.added().model_dump()).password_hash == hashed


def test_the_right_password_signs_a_person_in_and_a_wrong_one_does_not() -> None:
    amy = directory_with(Trail("amy").added()).person("amy")
    assert verify_password(amy, PASSWORD)
    assert not verify_password(amy, PASSWORD + "!")
    assert not verify_password(amy, "")


def test_an_unknown_person_is_refused_after_the_same_work_as_a_known_one() -> None:
    amy = directory_with(Trail("amy").added()).person("amy")

    def fastest(person: Person | None) -> float:  # the least disturbed of three runs
        times = []
        for _ in range(3):
            started = time.perf_counter()
            assert not verify_password(person, "wrong password")
            times.append(time.perf_counter() - started)
        return min(times)
    unknown, known = fastest(None), fastest(amy)
    assert unknown > known / 3  # an argon2 verification each, not an early return


def test_a_disabled_person_cannot_sign_in_with_the_right_password() -> None:
    trail = Trail("amy")
    directory = directory_with(trail.added(), trail(ev.UserDisabled, reason="left"))
    assert not verify_password(directory.person("amy"), PASSWORD)
    directory.apply(trail(ev.UserEnabled))
    assert verify_password(directory.person("amy"), PASSWORD)


def test_a_stored_hash_that_is_no_argon2_hash_signs_nobody_in() -> None:
    person = Person("amy", "Amy", "sales", (Role.SALESPERSON,), False, "not a hash", 1)
    assert not verify_password(person, "not a hash")


# API tokens

def test_a_new_token_names_its_id_and_carries_the_hash_of_its_secret_only() -> None:
    text, token_id, token_hash = new_token()
    assert text.startswith(f"sf_{token_id}_") and len(token_id) == 16
    secret = text.rsplit("_", 1)[1]
    assert token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in token_hash
    assert parse_token(text) == (token_id, secret) and parse_token(f"  {text}\n") is not None
    Trail("amy").token(token_hash, token_id=token_id)  # the event accepts both as they are
    assert len({new_token()[1] for _ in range(50)}) == 50


@pytest.mark.parametrize("text", ["", "Bearer x", "sf_abc_def", "sf_0123456789abcdef_short",
                                  "sk_0123456789abcdef_" + "0" * 64])
def test_text_that_is_no_salesflow_token_is_not_parsed(text: str) -> None:
    assert parse_token(text) is None


def token_setup(days: int = 90) -> tuple[Directory, Trail, str, str]:
    text, token_id, token_hash = new_token()
    trail = Trail("erp")
    directory = directory_with(trail.added(Role.SALES_ASSISTANT),
                               trail.token(token_hash, days=days, token_id=token_id))
    return directory, trail, text, token_id


def test_a_token_acts_for_its_person_until_it_expires() -> None:
    directory, _, text, _ = token_setup(days=90)
    person = token_person(directory, text, NOW + timedelta(days=89))
    assert person is not None and person.username == "erp"
    assert token_person(directory, text, NOW + timedelta(days=90)) is None


def test_a_revoked_token_acts_for_nobody() -> None:
    directory, trail, text, token_id = token_setup()
    directory.apply(trail(ev.ApiTokenRevoked, token_id=token_id))
    assert token_person(directory, text, NOW) is None
    record = directory.token(token_id)
    assert record is not None and record.revoked


def test_a_token_with_a_tampered_secret_or_an_unknown_id_acts_for_nobody() -> None:
    directory, _, text, token_id = token_setup()
    last = text[-1]
    assert token_person(directory, text[:-1] + ("0" if last != "0" else "1"), NOW) is None
    assert token_person(directory, text.replace(token_id, "f" * 16), NOW) is None


def test_disabling_a_person_ends_their_tokens_for_good() -> None:
    directory, trail, text, _ = token_setup()
    directory.apply(trail(ev.UserDisabled, reason="contract ended"))
    assert token_person(directory, text, NOW) is None
    directory.apply(trail(ev.UserEnabled))
    assert token_person(directory, text, NOW) is None  # UserEnabled: old tokens stay revoked
    assert directory.person("erp") is not None and not directory.person("erp").disabled  # type: ignore[union-attr]


# The directory

def test_applying_the_same_events_twice_is_the_same_as_once() -> None:
    trail = Trail("amy")
    events = [trail.added(), trail(ev.UserRolesChanged, user_department="sales",
                                   roles=(Role.SALESPERSON,)),
              trail(ev.UserDisabled, reason="")]
    once, twice = directory_with(*events), directory_with(*events, *events)
    assert once.people() == twice.people()
    # UserEnabled then the old UserDisabled again: the repeat must not disable her anew
    enabled = trail(ev.UserEnabled)
    once.apply(enabled)
    once.apply(events[2])
    assert not once.person("amy").disabled  # type: ignore[union-attr]


def test_a_roles_change_replaces_the_roles_and_the_department() -> None:
    trail = Trail("amy")
    directory = directory_with(trail.added(Role.SALES_ASSISTANT), trail(
        ev.UserRolesChanged, user_department="quality",
        roles=(Role.QC_INSPECTOR, Role.QUALITY_ENGINEER)))
    amy = directory.person("amy")
    assert amy is not None
    assert (amy.department, amy.roles) == ("quality", (Role.QC_INSPECTOR, Role.QUALITY_ENGINEER))
    assert amy.credential_version == 1  # the password did not change: sessions go on


def test_a_password_change_bumps_the_credential_version() -> None:
    trail = Trail("amy")
    directory = directory_with(trail.added(), trail(ev.UserDisabled, reason=""),
                               trail(ev.UserEnabled))
    assert directory.person("amy").credential_version == 1  # type: ignore[union-attr]
    new_hash = hash_password("a brand new secret")
    directory.apply(trail(ev.UserPasswordChanged, password_hash=new_hash))
    amy = directory.person("amy")
    assert amy is not None and amy.credential_version == 4 and amy.password_hash == new_hash
    assert verify_password(amy, "a brand new secret") and not verify_password(amy, PASSWORD)


def test_people_are_listed_by_username_and_tokens_by_person() -> None:
    zoe, amy = Trail("zoe"), Trail("amy")
    directory = directory_with(zoe.added(), amy.added(), zoe.token("a" * 64),
                               amy.token("b" * 64, days=30), amy.token("c" * 64, days=10))
    assert [p.username for p in directory.people()] == ["amy", "zoe"]
    assert [t.token_hash[0] for t in directory.tokens_of("amy")] == ["c", "b"]
    assert directory.tokens_of("nobody") == [] and directory.person("nobody") is None


def test_the_directory_has_a_fold_for_every_user_event() -> None:
    trail = Trail("amy")
    directory = directory_with(trail.added())
    facts: dict[type[ev.UserEvent], dict[str, Any]] = {
        ev.UserRolesChanged: {"user_department": "sales", "roles": (Role.SALESPERSON,)},
        ev.UserEmailChanged: {"email": "amy@example.com"},
        ev.UserPasswordChanged: {"password_hash": password_hash()},
        ev.UserDisabled: {}, ev.UserEnabled: {},
        ev.ApiTokenIssued: {"token_id": "0123456789abcdef", "token_hash": "d" * 64,
                            "label": "MES", "expires_at": NOW},
        ev.ApiTokenRevoked: {"token_id": "0123456789abcdef"},
    }
    assert set(facts) | {ev.UserAdded} == set(ev.USER_EVENTS)
    for cls, fields in facts.items():
        directory.apply(trail(cls, **fields))  # no TypeError: every event has its fold
    person = directory.person("amy")
    assert person is not None and person.email == "amy@example.com"
    assert all(REGISTRY.cls(c.type_name()) is c for c in ev.USER_EVENTS)


async def test_waiting_for_events_ends_once_they_are_applied_or_after_the_timeout() -> None:
    trail = Trail("amy")
    directory = Directory()
    added, changed = trail.added(), trail(ev.UserDisabled, reason="")
    waiter = asyncio.create_task(directory.wait_for([added.event_id, changed.event_id], 2.0))
    await asyncio.sleep(0.01)
    directory.apply(added)
    await asyncio.sleep(0.01)
    assert not waiter.done()
    directory.apply(changed)
    assert await asyncio.wait_for(waiter, 1.0)
    assert await directory.wait_for([], 0.0)
    assert not await directory.wait_for([uuid.uuid4()], 0.05)
