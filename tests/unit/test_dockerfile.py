"""The image salesflow services run from: Dockerfile, .dockerignore and the console script."""
from __future__ import annotations

import re
import tomllib
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
PYPROJECT = ROOT / "pyproject.toml"


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    lines = [line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines()
             if not line.lstrip().startswith("#")]
    text = re.sub(r"\\\s*\n", " ", "\n".join(lines))
    result = []
    for line in text.splitlines():
        if line.strip():
            instruction, _, arguments = line.strip().partition(" ")
            result.append((instruction.upper(), " ".join(arguments.split())))
    return result


def test_the_dockerfile_installs_the_project_and_runs_as_another_user_than_root() -> None:
    instructions = _dockerfile_instructions()
    kinds = [kind for kind, _ in instructions]
    assert instructions[0] == ("FROM", "python:3.11-slim"), instructions[0]
    assert ("COPY", ". .") in instructions, "the project is not copied into the image"
    install = next((i for i, (kind, args) in enumerate(instructions)
                    if kind == "RUN" and re.search(r"pip install --no-cache-dir \.(\s|$)", args)), None)
    assert install is not None, "no `pip install --no-cache-dir .`"
    assert kinds.index("COPY") < install, "the project is installed before it is copied"
    users = [args for kind, args in instructions if kind == "USER"]
    assert users and users[-1] not in ("root", "0") and kinds.index("USER") > install, \
        "the image does not switch to a non-root user after installing"
    cmd = [args for kind, args in instructions if kind == "CMD"]
    assert cmd and "salesflow" in cmd[-1] and "--help" in cmd[-1], "the default command is not the help"


def test_the_salesflow_console_script_is_declared_in_pyproject() -> None:
    scripts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"].get("scripts", {})
    assert "salesflow" in scripts, "pyproject.toml declares no `salesflow` console script"
    module, _, function = scripts["salesflow"].partition(":")
    assert callable(getattr(import_module(module), function, None)), scripts["salesflow"]


def test_the_docker_build_context_leaves_out_local_state() -> None:
    patterns = {line.strip().removeprefix("**/").rstrip("/")
                for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")}
    missing = {".venv", "data", ".git", "__pycache__", ".pytest_cache"} - patterns
    assert not missing, f".dockerignore does not leave out {sorted(missing)}"
