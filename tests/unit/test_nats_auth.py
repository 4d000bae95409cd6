"""The NATS permission table (services.runtime.nats_auth), its rendering and the passwords."""
from __future__ import annotations

import importlib
import json
import stat
from pathlib import Path

import pytest

from contracts.subjects import COMPONENTS, DEPARTMENTS, command_subject
from contracts.timers import TimerDue, schedule_subject
from services.runtime import nats_auth
from services.runtime.connect import login_options
from services.runtime.nats_auth import (
    GATEWAY,
    OPERATOR,
    USERS,
    ensure_credentials,
    grant,
)
from services.runtime.settings import NATS_CREDENTIALS_FILE, Settings
from services.runtime.supervisor import Supervisor

ROOT = Path(__file__).resolve().parents[2]
DEPARTMENT_NAMES = [d.value for d in DEPARTMENTS]


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` is one token, ``>`` one or more at the end."""
    wanted, tokens = pattern.split("."), subject.split(".")
    for i, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > i
        if i >= len(tokens) or token not in ("*", tokens[i]):
            return False
    return len(tokens) == len(wanted)


def may_publish(user: str, subject: str) -> bool:
    rights = grant(user)
    if rights is None:
        return True
    return (any(matches(p, subject) for p in rights.publish)
            and not any(matches(p, subject) for p in rights.deny_publish))


def may_subscribe(user: str, subject: str) -> bool:
    rights = grant(user)
    return rights is None or any(matches(p, subject) for p in rights.subscribe)


def test_every_component_the_gateway_and_the_operator_have_a_user() -> None:
    assert set(USERS) == {*COMPONENTS, GATEWAY, OPERATOR}
    assert grant(OPERATOR) is None  # everything: the admin CLI on the machine
    with pytest.raises(KeyError, match="mallory"):
        grant("mallory")


@pytest.mark.parametrize("user", [*COMPONENTS])
def test_no_component_may_send_a_command_and_only_the_sla_service_a_query(user: str) -> None:
    for department in DEPARTMENT_NAMES:
        assert not may_publish(user, command_subject(department, "request_sample"))
    # the sla service makes the daily 16:00 pack from the projections' tables
    assert may_publish(user, "salesflow.query.samples") == (user == "sla")


@pytest.mark.parametrize("department", DEPARTMENT_NAMES)
def test_a_department_publishes_into_its_own_stream_only(department: str) -> None:
    for other in DEPARTMENT_NAMES:
        subject = f"salesflow.{other}.record.something_happened"
        assert may_publish(department, subject) == (other == department), subject
    assert not may_publish("projections", f"salesflow.{department}.record.something_happened")
    assert not may_publish(GATEWAY, f"salesflow.{department}.record.something_happened")


@pytest.mark.parametrize("department", DEPARTMENT_NAMES)
def test_a_department_hears_its_own_commands_and_answers_them(department: str) -> None:
    assert may_subscribe(department, command_subject(department, "anything"))
    assert grant(department).responses  # type: ignore[union-attr]
    for other in DEPARTMENT_NAMES:
        if other != department:
            assert not may_subscribe(department, command_subject(other, "anything"))
    assert not may_subscribe(department, "_INBOX.gateway.abc")  # nor read others' replies
    assert may_subscribe(department, f"{nats_auth.inbox_prefix(department)}.abc.1")


def test_only_the_gateway_and_the_operator_send_commands() -> None:
    senders = {user for user in USERS if may_publish(user, command_subject("sales", "request_sample"))}
    assert senders == {GATEWAY, OPERATOR}


@pytest.mark.parametrize("user", [*COMPONENTS, GATEWAY])
def test_nobody_but_the_operator_deletes_streams_or_events(user: str) -> None:
    for subject in ("$JS.API.STREAM.DELETE.SALESFLOW_SALES", "$JS.API.STREAM.PURGE.SALESFLOW_SLA",
                    "$JS.API.STREAM.MSG.DELETE.SALESFLOW_PRODUCTION"):
        assert not may_publish(user, subject), subject
    assert may_publish(OPERATOR, "$JS.API.STREAM.DELETE.SALESFLOW_SALES")


def test_dead_letters_may_be_redriven_by_the_consumer_that_wrote_them() -> None:
    assert may_publish("sales", "$JS.API.STREAM.MSG.DELETE.SALESFLOW_DEAD_LETTERS")
    assert may_publish("projections", "salesflow.dlq.projections.salesflow_sales")
    assert not may_publish("projections", "salesflow.dlq.sales.salesflow_quality")


def test_every_timer_a_service_waits_for_is_fired_by_the_department_whose_events_start_it() -> None:
    for department in DEPARTMENT_NAMES:
        spec = importlib.import_module(f"services.{department}.wiring").SPEC
        for name in spec.timers:
            firing = [d for d in DEPARTMENT_NAMES if may_publish(d, TimerDue.subject_for(name))]
            assert len(firing) == 1, f"{name} is fired by {firing}"
    assert may_publish("sla", schedule_subject("sla", "sla_breached", "K-1"))
    assert not may_publish("sales", schedule_subject("sla", "sla_breached", "K-1"))


def test_the_departments_that_file_documents_are_the_ones_using_the_object_store() -> None:
    using = {d for d in DEPARTMENT_NAMES
             if any("object_store" in path.read_text(encoding="utf-8")
                    for path in (ROOT / "services" / d).glob("*.py"))}
    assert using == set(nats_auth.DOCUMENT_FILERS)


def test_the_gateway_reads_jetstream_but_creates_no_durable_consumer() -> None:
    assert may_publish(GATEWAY, "$JS.API.CONSUMER.INFO.SALESFLOW_SALES.projections-from-sales")
    assert may_publish(GATEWAY, "$JS.API.CONSUMER.CREATE.SALESFLOW_SLA")  # ephemeral only
    assert not may_publish(GATEWAY, "$JS.API.CONSUMER.CREATE.SALESFLOW_SLA.x.salesflow.sla.>")
    assert not may_publish(GATEWAY, "$JS.ACK.SALESFLOW_SALES.sales-from-sla.1.1.1.1.0")
    assert may_publish(GATEWAY, "salesflow.ctl.sales.status")
    assert not may_publish(GATEWAY, "salesflow.ctl.projections.rebuild")


def test_the_committed_docker_config_is_the_rendered_table() -> None:
    committed = (ROOT / "docker" / "nats.conf").read_text(encoding="utf-8")
    assert committed == nats_auth.docker_config(), \
        "docker/nats.conf is stale: python -m services.runtime.nats_auth > docker/nats.conf"
    for user in USERS:
        assert f"${nats_auth.password_variable(user)}" in committed


def test_passwords_are_made_once_kept_private_and_completed(tmp_path: Path) -> None:
    path = tmp_path / "data" / NATS_CREDENTIALS_FILE
    first = ensure_credentials(path)
    assert set(first) == set(USERS) and len(set(first.values())) == len(USERS)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert ensure_credentials(path) == first
    path.write_text(json.dumps({"sales": "kept"}))  # e.g. written before the gateway existed
    again = ensure_credentials(path)
    assert again["sales"] == "kept" and set(again) == set(USERS)


def test_a_component_logs_in_from_the_environment_else_from_the_credentials_file(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert Settings(data_dir=data).nats_login(OPERATOR) is None
    passwords = ensure_credentials(data / NATS_CREDENTIALS_FILE)
    assert Settings(data_dir=data).nats_login("sales") == ("sales", passwords["sales"])
    assert Settings(data_dir=data, nats_user="gateway", nats_password="pw").nats_login(
        "sales") == ("gateway", "pw")
    elsewhere = Settings(data_dir=tmp_path / "other", nats_credentials=data / NATS_CREDENTIALS_FILE)
    assert elsewhere.nats_login("sla") == ("sla", passwords["sla"])
    assert "pw" not in repr(Settings(nats_user="gateway", nats_password="pw"))


def test_each_user_receives_replies_on_its_own_inbox() -> None:
    assert login_options(("sales", "pw")) == {"user": "sales", "password": "pw",
                                              "inbox_prefix": "_INBOX.sales"}
    assert login_options(None) == {}


def test_salesflow_up_gives_each_child_its_own_user(tmp_path: Path) -> None:
    supervisor = Supervisor(Settings(data_dir=tmp_path), tmp_path)
    assert supervisor._login_env("sales") == {}  # external NATS: the environment decides
    supervisor.passwords = ensure_credentials(tmp_path / NATS_CREDENTIALS_FILE)
    assert supervisor._login_env("sla") == {"SALESFLOW_NATS_USER": "sla",
                                            "SALESFLOW_NATS_PASSWORD": supervisor.passwords["sla"]}
