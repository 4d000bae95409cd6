"""docker-compose.yml, checked statically (no Docker engine needed; the image: test_dockerfile).

The compose file must describe what the code accepts: components the CLI can start, only
environment variables that ``Settings`` reads, a NATS cluster whose nodes route to each other.
"""
from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from services.cli.main import parser
from services.runtime.settings import Settings
from contracts.subjects import PROCESSES as COMPONENTS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

NATS_NODE_COUNT = 3
NATS_CLIENT_PORT = 4222
# nats-server flags that stand alone; every other flag takes the next word as its value.
NATS_SWITCHES = {"-js", "--jetstream", "-DV", "-D", "-V", "-DVV", "-VV", "--debug", "--trace"}


# --- reading the files ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict), \
        "docker-compose.yml has no services mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def nats_nodes(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services.items() if _image_name(s) == "nats"}


@pytest.fixture(scope="module")
def salesflow_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every service built from this project (the ones that run ``salesflow``)."""
    found = {name: s for name, s in services.items() if "build" in s}
    assert found, "no service is built from the project's Dockerfile"
    return found


def _image_name(service: dict[str, Any]) -> str:
    image = str(service.get("image", ""))
    return image.rsplit("/", 1)[-1].split(":", 1)[0]


def _image_tag(service: dict[str, Any]) -> str:
    image = str(service.get("image", ""))
    return image.rsplit("/", 1)[-1].partition(":")[2]


def _command(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """Compose accepts a mapping or a list of NAME=value; values are interpolated with defaults."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): _interpolate("" if v is None else str(v)) for k, v in env.items()}


def _interpolate(value: str) -> str:
    """``${VAR:-default}`` / ``${VAR-default}`` as compose would expand them with VAR unset."""
    return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}", lambda m: m.group(2) or "", value)


def _nats_flags(service: dict[str, Any]) -> dict[str, str]:
    words, flags, i = _command(service), {}, 0
    while i < len(words):
        word = words[i]
        assert word.startswith("-"), f"unexpected word {word!r} in a nats-server command"
        if "=" in word:
            key, value = word.split("=", 1)
            flags[key] = value
        elif word in NATS_SWITCHES or i + 1 >= len(words) or words[i + 1].startswith("-"):
            flags[word] = ""
        else:
            flags[word] = words[i + 1]
            i += 1
        i += 1
    return flags


def _flag(flags: dict[str, str], *names: str) -> str | None:
    for name in names:
        if name in flags:
            return flags[name]
    return None


def _host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url.strip())
    assert parsed.scheme == "nats" and parsed.hostname, f"{url!r} is not a nats:// URL"
    return parsed.hostname, parsed.port or NATS_CLIENT_PORT


# --- (a) the NATS cluster ---------------------------------------------------------------------

def test_three_nats_nodes_run_jetstream_in_one_named_cluster(nats_nodes: dict[str, dict[str, Any]]) -> None:
    assert len(nats_nodes) == NATS_NODE_COUNT, f"expected 3 nats services, found {sorted(nats_nodes)}"
    cluster_names, server_names, stores = set(), set(), set()
    for name, node in nats_nodes.items():
        major, minor = (int(part) for part in re.match(r"(\d+)\.(\d+)", _image_tag(node)).groups())
        assert (major, minor) >= (2, 11), f"{name} runs nats {_image_tag(node)}; 2.11 or newer is needed"
        flags = _nats_flags(node)
        assert _flag(flags, "-js", "--jetstream") is not None, f"{name} does not enable JetStream"
        cluster_name = _flag(flags, "--cluster_name")
        assert cluster_name, f"{name} has no --cluster_name"
        cluster_names.add(cluster_name)
        server_name = _flag(flags, "--server_name", "-n", "--name")
        assert server_name, f"{name} has no server name"
        server_names.add(server_name)
        store = _flag(flags, "-sd", "--store_dir")
        assert store, f"{name} has no JetStream store directory (-sd)"
        volume = next((v.split(":")[0] for v in node.get("volumes", [])
                       if isinstance(v, str) and v.split(":")[1] == store), None)
        assert volume, f"{name} keeps its JetStream store {store} outside any volume"
        stores.add(volume)
    assert cluster_names == {"salesflow"}, f"nodes disagree on the cluster name: {cluster_names}"
    assert len(server_names) == NATS_NODE_COUNT, f"server names must differ: {server_names}"
    assert len(stores) == NATS_NODE_COUNT, f"each node needs its own store volume: {stores}"


def test_every_nats_node_routes_to_the_other_two(nats_nodes: dict[str, dict[str, Any]]) -> None:
    listen_ports = {}
    for name, node in nats_nodes.items():
        cluster = _flag(_nats_flags(node), "--cluster")
        assert cluster, f"{name} has no --cluster listen address"
        listen_ports[name] = urlparse(cluster).port
    for name, node in nats_nodes.items():
        routes = _flag(_nats_flags(node), "--routes", "-routes") or ""
        targets = {(u.hostname, u.port) for u in map(urlparse, filter(None, routes.split(",")))}
        expected = {(other, port) for other, port in listen_ports.items() if other != name}
        assert targets == expected, f"{name} routes to {sorted(targets)}, expected {sorted(expected)}"


# --- (b) PostgreSQL ---------------------------------------------------------------------------

def test_postgres_16_keeps_the_salesflow_database_in_a_volume_and_reports_health(
        services: dict[str, dict[str, Any]]) -> None:
    postgres = services.get("postgres")
    assert postgres is not None, "no postgres service"
    assert _image_name(postgres) == "postgres" and _image_tag(postgres).startswith("16"), postgres.get("image")
    env = _environment(postgres)
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
               if _command(s) == ["salesflow", "service", component]]
    assert running, f"no compose service runs `salesflow service {component}`"
    assert parser().parse_args(["service", component]).name == component


def test_every_salesflow_service_runs_a_component_the_cli_knows(
        salesflow_services: dict[str, dict[str, Any]]) -> None:
    for name, service in salesflow_services.items():
        command = _command(service)
        assert command[:2] == ["salesflow", "service"] and len(command) == 3, f"{name}: {command}"
        assert command[2] in COMPONENTS, f"{name} runs unknown component {command[2]!r}"


# --- (d) environment -------------------------------------------------------------------------

def test_salesflow_services_set_only_variables_that_settings_reads(
        salesflow_services: dict[str, dict[str, Any]]) -> None:
    fields = set(Settings.model_fields)
    for name, service in salesflow_services.items():
        env = _environment(service)
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
            for variable, value in _environment(service).items():
                patch.setenv(variable, value)
            settings = Settings()
        assert settings.db_url and urlparse(settings.db_url).scheme in ("postgres", "postgresql"), name
        assert urlparse(settings.db_url).hostname == "postgres", f"{name} uses another database host"
        assert urlparse(settings.db_url).path.lstrip("/") == "salesflow", f"{name} uses another database"
        assert str(settings.data_dir) == "/data", f"{name}: SALESFLOW_DATA_DIR is {settings.data_dir}"


# --- (e) cluster addresses and replicas --------------------------------------------------------

def test_every_salesflow_service_knows_all_three_nats_nodes_and_keeps_three_replicas(
        salesflow_services: dict[str, dict[str, Any]], nats_nodes: dict[str, dict[str, Any]]) -> None:
    nodes = {(name, NATS_CLIENT_PORT) for name in nats_nodes}
    assert len(nodes) == NATS_NODE_COUNT
    for name, service in salesflow_services.items():
        env = _environment(service)
        servers = {_host_port(url) for url in env.get("NATS_URL", "").split(",") if url.strip()}
        assert servers == nodes, f"{name}: NATS_URL names {sorted(servers)}, expected {sorted(nodes)}"
        assert env.get("SALESFLOW_STREAM_REPLICAS") == str(NATS_NODE_COUNT), \
            f"{name}: SALESFLOW_STREAM_REPLICAS is {env.get('SALESFLOW_STREAM_REPLICAS')!r}, expected 3"


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

def test_every_nats_node_runs_with_the_users_of_docker_nats_conf(
        nats_nodes: dict[str, dict[str, Any]]) -> None:
    """docker/nats.conf reads each user's password from the node's environment: every one set."""
    from services.runtime.nats_auth import USERS, password_variable

    for name, node in nats_nodes.items():
        config = _flag(_nats_flags(node), "-c", "--config")
        assert config, f"{name} runs without a config file (-c): no users, anyone may do anything"
        mounted = {v.split(":")[1]: v.split(":")[0] for v in node.get("volumes", [])
                   if isinstance(v, str) and v.count(":") >= 1}
        assert (COMPOSE_FILE.parent / mounted.get(config, "")).resolve() == \
            (ROOT / "docker" / "nats.conf").resolve(), f"{name} does not mount docker/nats.conf"
        env = _environment(node)
        for user in USERS:
            assert env.get(password_variable(user)), f"{name} lacks {password_variable(user)}"


def test_each_salesflow_service_logs_in_as_its_own_component_with_the_nodes_password(
        salesflow_services: dict[str, dict[str, Any]], nats_nodes: dict[str, dict[str, Any]]) -> None:
    from services.runtime.nats_auth import password_variable

    node_env = _environment(next(iter(nats_nodes.values())))
    for name, service in salesflow_services.items():
        component = _command(service)[2]
        env = _environment(service)
        assert env.get("SALESFLOW_NATS_USER") == component, \
            f"{name} logs in as {env.get('SALESFLOW_NATS_USER')!r}, not {component!r}"
        assert env.get("SALESFLOW_NATS_PASSWORD") == node_env[password_variable(component)], \
            f"{name}'s password default differs from the NATS nodes' one"
