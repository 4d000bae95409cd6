"""contracts/openapi.json and contracts/asyncapi.json say what the code does, and stay so."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from faststream.nats import NatsBroker
from faststream.specification import AsyncAPI
from openapi_spec_validator import validate

from contracts.commands import ALL, users
from contracts.replies import CommandReply
from contracts.subjects import COMPONENTS, HEADER_TYPE, command_subject
from events.registry import REGISTRY
from services import contract_documents
from services.contract_documents import (
    CONTRACTS,
    DOCUMENTS,
    REGENERATE,
    drifted,
    render,
    write,
)
from services.contract_documents.__main__ import main
from services.contract_documents.asyncapi import QUERIES
from services.contract_documents.parties import DESCRIPTIONS, matches
from services.contract_documents.schemas import REF
from services.gateway.query_routes import LISTS, MONTHS
from services.runtime import customer_queries, projection_queries

Document = dict[str, Any]


@pytest.fixture(scope="module")
def built() -> dict[str, str]:
    """Each document as the code makes it now (built once: a few seconds)."""
    return {name: render(build()) for name, build in DOCUMENTS.items()}


@pytest.fixture(scope="module")
def openapi(built: dict[str, str]) -> Document:
    document: Document = json.loads(built["openapi.json"])
    return document


@pytest.fixture(scope="module")
def asyncapi(built: dict[str, str]) -> Document:
    document: Document = json.loads(built["asyncapi.json"])
    return document


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_the_committed_document_is_the_one_the_code_makes(name: str,
                                                          built: dict[str, str]) -> None:
    committed = (CONTRACTS / name).read_text(encoding="utf-8").splitlines()
    made = built[name].splitlines()
    if committed != made:  # a short message: pytest's diff of two 30,000-line texts is not
        line = next((i for i, pair in enumerate(zip(committed, made)) if len(set(pair)) == 2),
                    min(len(committed), len(made)))
        pytest.fail(f"contracts/{name} drifted from the code (first at line {line + 1}: "
                    f"{made[line].strip() if line < len(made) else 'end of file'!r}): run "
                    f"`{REGENERATE}` and commit the result", pytrace=False)


def test_building_twice_gives_the_same_text(built: dict[str, str]) -> None:
    assert render(DOCUMENTS["asyncapi.json"]()) == built["asyncapi.json"]


def test_check_names_the_drifted_file_and_how_to_regenerate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contract_documents, "DOCUMENTS", {
        "openapi.json": lambda: {"openapi": "3.1.0"},
        "asyncapi.json": lambda: {"asyncapi": "3.0.0", "info": {"title": "salesflow"}}})
    write(tmp_path)
    assert drifted(tmp_path) == []
    assert main(["check", "--folder", str(tmp_path)]) == 0
    path = tmp_path / "asyncapi.json"
    path.write_text(path.read_text(encoding="utf-8").replace("salesflow", "salesfIow", 1))
    (tmp_path / "openapi.json").unlink()

    assert main(["check", "--folder", str(tmp_path)]) == 1
    said = capsys.readouterr().err
    assert f"{path} differs from the code" in said
    assert f"{tmp_path / 'openapi.json'} is missing" in said
    assert REGENERATE in said


def test_the_openapi_document_is_valid_openapi(openapi: Document) -> None:
    validate(openapi)
    assert openapi["openapi"].startswith("3.1")


def test_every_command_has_its_endpoint_except_the_account_commands_under_users(
        openapi: Document) -> None:
    served_by_users = {c.name for c in users.COMMANDS}
    missing = [f"/commands/{department}/{name}" for department, commands in ALL.items()
               for name in commands
               if not (department == "sla" and name in served_by_users)
               and "post" not in openapi["paths"].get(f"/commands/{department}/{name}", {})]
    assert missing == []
    assert not any(f"/commands/sla/{name}" in openapi["paths"] for name in served_by_users)
    assert "/users" in openapi["paths"]


def _schema(document: Document, reference: Document) -> Document:
    name = reference["$ref"].removeprefix("#/components/schemas/")
    schema: Document = document["components"]["schemas"][name]
    return schema


def _message(document: Document, channel: Document) -> Document:
    (reference,) = channel["messages"].values()
    message: Document = document["components"]["messages"][
        reference["$ref"].removeprefix("#/components/messages/")]
    return message


def _channel_of(document: Document, address: str) -> Document:
    found = [c for c in document["channels"].values() if c["address"] == address]
    assert len(found) == 1, f"{address}: {len(found)} channels"
    return found[0]


def test_every_event_has_its_subject_with_the_payload_schema_of_its_class(
        asyncapi: Document) -> None:
    for cls in REGISTRY.classes():
        message = _message(asyncapi, _channel_of(asyncapi, cls.subject()))
        expected = cls.model_json_schema(ref_template=REF)
        expected.pop("$defs", None)
        assert _schema(asyncapi, message["payload"]) == expected, cls.__name__
        assert message["headers"]["properties"][HEADER_TYPE]["const"] == cls.type_key()


def test_every_command_has_its_subject_answered_with_a_command_reply(
        asyncapi: Document) -> None:
    reply_schema = CommandReply.model_json_schema(ref_template=REF)
    reply_schema.pop("$defs")
    for department, commands in ALL.items():
        for name, cls in commands.items():
            subject = command_subject(department, name)
            message = _message(asyncapi, _channel_of(asyncapi, subject))
            expected = cls.model_json_schema(ref_template=REF)
            expected.pop("$defs", None)
            assert _schema(asyncapi, message["payload"]) == expected, subject
            receive = asyncapi["operations"][f"{subject}.receive"]
            assert receive["tags"] == [{"name": department}]
            (reply,) = receive["reply"]["messages"]
            assert reply["$ref"] == "#/channels/inbox/messages/CommandReply"
    assert asyncapi["components"]["schemas"]["CommandReply"] == reply_schema


def test_the_query_subjects_are_the_ones_the_projections_subscribe_to(
        asyncapi: Document) -> None:
    """FastStream's own AsyncAPI of the projections' query subscribers names the subjects."""

    class Unused:
        def __getattr__(self, name: str) -> None:
            return None

    broker = NatsBroker()
    projection_queries.register(broker, Unused(), Unused(), Unused())  # type: ignore[arg-type]
    customer_queries.register(broker, Unused(), Unused())  # type: ignore[arg-type]
    served = {c["address"] for c in AsyncAPI(broker).to_specification().to_jsonable()[
        "channels"].values()}
    assert served == {subject for subject, _, _ in QUERIES}
    documented = {c["address"] for c in asyncapi["channels"].values()
                  if (c["address"] or "").startswith("salesflow.query.")}
    assert documented == served


def test_the_gateway_asks_each_query_with_the_contract_the_document_shows() -> None:
    contracts = {subject: contract for subject, contract, _ in QUERIES}
    for _, subject, contract, _ in (*LISTS, *MONTHS):
        assert contracts[subject] is contract, subject


def test_every_channel_has_a_sender_and_a_receiver_among_the_known_parties(
        asyncapi: Document) -> None:
    actions: dict[str, set[str]] = {}
    for operation in asyncapi["operations"].values():
        channel = operation["channel"]["$ref"].removeprefix("#/channels/")
        actions.setdefault(channel, set()).add(operation["action"])
        assert {t["name"] for t in operation["tags"]} <= set(DESCRIPTIONS), channel
    lonely = {c for c in asyncapi["channels"] if c != "inbox"
              and actions.get(c) != {"send", "receive"}}
    assert lonely == set()
    status = asyncapi["channels"]["salesflow.ctl.status"]
    assert status["parameters"]["component"]["enum"] == list(COMPONENTS)


@pytest.mark.parametrize(("pattern", "subject", "expected"), [
    ("salesflow.sla.calendar.>", "salesflow.sla.calendar.holiday_declared", True),
    ("salesflow.sla.calendar.>", "salesflow.sla.calendar", False),
    ("salesflow.sla.user.>", "salesflow.sla.calendar.holiday_declared", False),
    ("salesflow.cmd.sales.*", "salesflow.cmd.sales.request_sample", True),
    ("salesflow.cmd.sales.*", "salesflow.cmd.sales.a.b", False),
    ("salesflow.x", "salesflow.x", True),
])
def test_a_subject_matches_a_pattern_as_nats_matches_it(pattern: str, subject: str,
                                                        expected: bool) -> None:
    assert matches(pattern, subject) is expected
