"""docker-compose.yml read for the static checks in this folder: the file, its services (fixtures,
shared through conftest.py) and how a service's command, environment and nats-server flags are read."""
from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
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
    return {name: s for name, s in services.items() if image_name(s) == "nats"}


@pytest.fixture(scope="module")
def salesflow_services(services: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every service built from this project (the ones that run ``salesflow``)."""
    found = {name: s for name, s in services.items() if "build" in s}
    assert found, "no service is built from the project's Dockerfile"
    return found


def image_name(service: dict[str, Any]) -> str:
    image = str(service.get("image", ""))
    return image.rsplit("/", 1)[-1].split(":", 1)[0]


def image_tag(service: dict[str, Any]) -> str:
    image = str(service.get("image", ""))
    return image.rsplit("/", 1)[-1].partition(":")[2]


def command_of(service: dict[str, Any]) -> list[str]:
    command = service.get("command", [])
    return shlex.split(command) if isinstance(command, str) else [str(word) for word in command]


def environment(service: dict[str, Any]) -> dict[str, str]:
    """Compose accepts a mapping or a list of NAME=value; values are interpolated with defaults."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): interpolate("" if v is None else str(v)) for k, v in env.items()}


def interpolate(value: str) -> str:
    """``${VAR:-default}`` / ``${VAR-default}`` as compose would expand them with VAR unset."""
    return re.sub(r"\$\{(\w+)(?::?-([^}]*))?\}", lambda m: m.group(2) or "", value)


def nats_flags(service: dict[str, Any]) -> dict[str, str]:
    words, flags, i = command_of(service), {}, 0
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


def flag(flags: dict[str, str], *names: str) -> str | None:
    for name in names:
        if name in flags:
            return flags[name]
    return None


def host_port(url: str) -> tuple[str, int]:
    parsed = urlparse(url.strip())
    assert parsed.scheme == "nats" and parsed.hostname, f"{url!r} is not a nats:// URL"
    return parsed.hostname, parsed.port or NATS_CLIENT_PORT


