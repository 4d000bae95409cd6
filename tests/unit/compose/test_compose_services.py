"""docker-compose.yml, checked statically (no Docker engine needed; the image: test_dockerfile):
components the CLI can start, only environment variables that ``Settings`` reads, PostgreSQL,
scaling and standbys."""
from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

import pytest

from contracts.subjects import PROCESSES as COMPONENTS
from services.cli.main import parser
from services.runtime.settings import Settings
from tests.unit.compose.reading import (
    COMPOSE_FILE,
    DOCKERFILE,
    command_of,
    environment,
    image_name,
    image_tag,
)


def test_postgres_16_keeps_the_salesflow_database_in_a_volume_and_reports_health(
        services: dict[str, dict[str, Any]]) -> None:
    postgres = services.get("postgres")
    assert postgres is not None, "no postgres service"
    assert image_name(postgres) == "postgres" and image_tag(postgres).startswith("16"), postgres.get("image")
    env = environment(postgres)
    assert env.get("POSTGRES_DB") == "salesflow"
    assert env.get("POSTGRES_PASSWORD"), "postgres needs a password"
    assert any(str(v).endswith(":/var/lib/postgresql/data") for v in postgres.get("volumes", [])), \
        "postgres data is not on a volume"
    assert "pg_isready" in " ".join(map(str, postgres.get("healthcheck", {}).get("test", []))), \
        "postgres has no pg_isready healthcheck"


# --- (c) components -------------------------------------------------------------------------

@pytest.mark.parametrize("component", COMPONENTS)
def test_each_component_has_a_service_running_salesflow_service_with_its_name(
        component: str, salesflow_services: dict[str, dict[str, Any]]) -> None:
    running = [name for name, s in salesflow_services.items()
               if command_of(s) == ["salesflow", "service", component]]
    assert running, f"no compose service runs `salesflow service {component}`"
    assert parser().parse_args(["service", component]).name == component


def test_every_salesflow_service_runs_a_component_the_cli_knows(
        salesflow_services: dict[str, dict[str, Any]]) -> None:
    for name, service in salesflow_services.items():
        command = command_of(service)
        assert command[:2] == ["salesflow", "service"] and len(command) == 3, f"{name}: {command}"
        assert command[2] in COMPONENTS, f"{name} runs unknown component {command[2]!r}"


# --- (d) environment -------------------------------------------------------------------------

def test_salesflow_services_set_only_variables_that_settings_reads(
        salesflow_services: dict[str, dict[str, Any]]) -> None:
    fields = set(Settings.model_fields)
    for name, service in salesflow_services.items():
        env = environment(service)
        assert env, f"{name} sets no environment"
        for variable in env:
            if variable == "NATS_URL":
                continue
            prefix, _, field = variable.partition("_")
            assert prefix == "SALESFLOW" and field.lower() in fields, \
                f"{name} sets {variable}, which Settings does not read"


def test_settings_accept_every_salesflow_service_environment(
        salesflow_services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, service in salesflow_services.items():
        with monkeypatch.context() as patch:
            for variable in list(os.environ):
                if variable.startswith("SALESFLOW_") or variable == "NATS_URL":
                    patch.delenv(variable)
            for variable, value in environment(service).items():
                patch.setenv(variable, value)
            settings = Settings()
        assert settings.db_url and urlparse(settings.db_url).scheme in ("postgres", "postgresql"), name
        assert urlparse(settings.db_url).hostname == "postgres", f"{name} uses another database host"
        assert urlparse(settings.db_url).path.lstrip("/") == "salesflow", f"{name} uses another database"
        assert str(settings.data_dir) == "/data", f"{name}: SALESFLOW_DATA_DIR is {settings.data_dir}"


# --- (e) cluster addresses and replicas --------------------------------------------------------

def test_salesflow_services_restart_and_wait_for_a_healthy_postgres(
        salesflow_services: dict[str, dict[str, Any]]) -> None:
    for name, service in salesflow_services.items():
        assert service.get("restart") == "unless-stopped", f"{name} restart is {service.get('restart')!r}"
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict) and \
            (depends.get("postgres") or {}).get("condition") == "service_healthy", \
            f"{name} does not wait for a healthy postgres"


def test_salesflow_services_can_be_scaled(salesflow_services: dict[str, dict[str, Any]]) -> None:
    """``--scale`` needs services without a fixed container name or a fixed host port; the
    gateway publishes a range, one port per copy."""
    for name, service in salesflow_services.items():
        assert "container_name" not in service, f"{name} has a fixed container_name"
        if name == "gateway":
            copies = (service.get("deploy") or {}).get("replicas", 1)
            first, _, last = str(service["ports"][0]).split(":")[0].partition("-")
            assert int(last) - int(first) + 1 >= copies, "a host port for every gateway copy"
        else:
            assert not service.get("ports"), f"{name} publishes host ports"


def test_each_salesflow_service_runs_an_active_copy_and_a_standby(
        salesflow_services: dict[str, dict[str, Any]]) -> None:
    """The lease lets exactly one copy run the relay and consumers; the other takes over."""
    for name, service in salesflow_services.items():
        assert (service.get("deploy") or {}).get("replicas", 1) >= 2, f"{name} runs one copy"


# --- (f) image and console script --------------------------------------------------------------

def test_salesflow_services_are_built_from_the_project_dockerfile(
        salesflow_services: dict[str, dict[str, Any]]) -> None:
    for name, service in salesflow_services.items():
        build = service["build"]
        context, dockerfile = (build, "Dockerfile") if isinstance(build, str) else \
            (build.get("context", "."), build.get("dockerfile", "Dockerfile"))
        assert (COMPOSE_FILE.parent / context / dockerfile).resolve() == DOCKERFILE, \
            f"{name} is built from {context}/{dockerfile}"


# --- (g) NATS users ---------------------------------------------------------------------------

