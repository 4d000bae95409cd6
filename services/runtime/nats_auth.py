"""Who may publish and subscribe to what on NATS: one user per component, the gateway, the operator.

A department publishes only into its own stream (and its own dead letters, timers and lease key)
and answers only its own commands; only the gateway and the operator (the admin CLI on the
machine) may send commands, so nothing on the network bypasses the gateway's checks. Each user
receives replies on its own inbox prefix (``_INBOX.<user>``), so no component reads the replies
meant for another (e.g. the gateway's query results).
"""
from __future__ import annotations

import json
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from contracts.subjects import (
    COMPONENTS,
    CTL_REBUILD_PROGRESS,
    DEPARTMENTS,
    GATEWAY,
    LEASE_BUCKET,
    PREFIX,
    PROJECTIONS,
    USER_SUBJECTS,
    command_wildcard,
    stream_name,
    stream_subjects,
)
from contracts.timers import DUE_PREFIX, SCHEDULE_PREFIX, TIMERS_STREAM
from events.envelope import Department
from events.registry import REGISTRY
from services.runtime.object_store import BUCKET as DOCUMENT_BUCKET

OPERATOR = "operator"
USERS: tuple[str, ...] = (*COMPONENTS, GATEWAY, OPERATOR)
# The departments whose commands carry documents (services.runtime.object_store), and the sla
# service storing the daily pack: the others never write the bucket. tests/unit/test_nats_auth.py keeps this in step with the imports.
DOCUMENT_FILERS: tuple[str, ...] = ("sales", "engineering", "sla")
# The components that ask the projections' queries: the sla service makes the daily 16:00 pack
# from the tables (services.sla.pack_delivery). No component sends a command.
QUERY_ASKERS: tuple[str, ...] = ("sla",)

# What every component's runtime needs from JetStream: its API (streams, consumers, KV, object
# store), acks of pulled messages and flow control of ordered consumers.
JETSTREAM = ("$JS.API.>", "$JS.ACK.>", "$JS.FC.>")
# ... but no component destroys what others wrote: events, timers and whole streams stay.
DESTRUCTIVE = ("$JS.API.STREAM.DELETE.>", "$JS.API.STREAM.PURGE.>",
               *(f"$JS.API.STREAM.MSG.DELETE.{stream_name(d)}" for d in DEPARTMENTS),
               f"$JS.API.STREAM.MSG.DELETE.{TIMERS_STREAM}")
# The gateway reads (users stream, consumer lag, documents) but never writes into JetStream:
# ephemeral consumers only (``CONSUMER.CREATE.<stream>`` refuses a durable name), no acks.
JETSTREAM_READ = ("$JS.API.INFO", "$JS.API.STREAM.INFO.*", "$JS.API.STREAM.NAMES",
                  "$JS.API.STREAM.LIST", "$JS.API.STREAM.MSG.GET.*", "$JS.API.DIRECT.GET.>",
                  "$JS.API.CONSUMER.INFO.*.*", "$JS.API.CONSUMER.NAMES.*",
                  "$JS.API.CONSUMER.LIST.*", "$JS.API.CONSUMER.CREATE.*", "$JS.FC.>")


@dataclass(frozen=True)
class Grant:
    """Subjects one NATS user may publish to and subscribe to."""

    publish: tuple[str, ...]
    subscribe: tuple[str, ...]
    deny_publish: tuple[str, ...] = ()
    responses: bool = False  # may answer the requests it received (their reply subjects)


def inbox_prefix(user: str) -> str:
    """Where ``user`` receives replies; nats-py adds ``.<nuid>``."""
    return f"_INBOX.{user}"


def timer_names(department: str) -> tuple[str, ...]:
    """Timers the department's own events start: the ``*_TIMER`` names of their modules."""
    modules = {sys.modules[cls.__module__] for cls in REGISTRY.classes() if
               cls.department.value == department}
    return tuple(sorted({value for module in modules for name, value in vars(module).items()
                         if name.endswith("_TIMER") and isinstance(value, str)}))


def grant(user: str) -> Grant | None:
    """The user's permissions; None for the operator, who may do everything."""
    if user == OPERATOR:
        return None
    inbox = f"{inbox_prefix(user)}.>"
    if user == GATEWAY:
        # The account feed: its own short-lived consumer on the user events, pulled.
        sla = stream_name(Department.SLA)
        accounts = (f"$JS.API.CONSUMER.CREATE.{sla}.*.{USER_SUBJECTS}",
                    f"$JS.API.CONSUMER.MSG.NEXT.{sla}.*")
        # The dashboard's live feed (services.gateway.live): an ephemeral consumer per
        # department stream, pulled.
        live = tuple(f"$JS.API.CONSUMER.MSG.NEXT.{stream_name(d)}.*" for d in DEPARTMENTS
                     if d is not Department.SLA)
        return Grant(publish=(f"{PREFIX}.cmd.>", f"{PREFIX}.query.>", f"{PREFIX}.ctl.*.status",
                              *JETSTREAM_READ, *accounts, *live),
                     subscribe=(inbox,))
    lease = f"$KV.{LEASE_BUCKET}.{user}"
    dead_letters = f"{PREFIX}.dlq.{user}.>"  # as contracts.subjects.dead_letter_subject
    if user == PROJECTIONS:
        return Grant(publish=(dead_letters, lease, CTL_REBUILD_PROGRESS, *JETSTREAM),
                     subscribe=(f"{PREFIX}.query.>", f"{PREFIX}.ctl.{user}.>", inbox),
                     deny_publish=DESTRUCTIVE, responses=True)
    if user not in COMPONENTS:
        raise KeyError(f"no NATS user {user!r}; known: {', '.join(USERS)}")
    # Timers: a schedule per department; a fired timer is published by the department itself
    # with local timers (``SALESFLOW_TIMERS=local``), so it may fire only its own events' timers.
    timers = (f"{SCHEDULE_PREFIX}.{user}.>", *(f"{DUE_PREFIX}.{t}" for t in timer_names(user)))
    documents = (f"$O.{DOCUMENT_BUCKET}.>",) if user in DOCUMENT_FILERS else ()
    queries = (f"{PREFIX}.query.>",) if user in QUERY_ASKERS else ()
    return Grant(publish=(stream_subjects(user), dead_letters, *timers, lease, *documents,
                          *queries, *JETSTREAM),
                 subscribe=(command_wildcard(user), f"{PREFIX}.ctl.{user}.>", inbox),
                 deny_publish=DESTRUCTIVE, responses=True)


def render_authorization(passwords: Mapping[str, str] | None = None) -> str:
    """The ``authorization`` block of nats-server's config, one entry per user.

    With ``passwords`` each user's is written in; without, each is read by nats-server from
    the environment variable ``password_variable(user)`` (docker-compose)."""
    lines = ["authorization {", "  users = ["]
    for user in USERS:
        password = (json.dumps(passwords[user]) if passwords is not None
                    else f"${password_variable(user)}")
        lines += ["    {", f"      user: {json.dumps(user)}", f"      password: {password}"]
        rights = grant(user)
        if rights is not None:
            lines += ["      permissions: {", "        publish: {"]
            lines += _subjects("allow", rights.publish) + _subjects("deny", rights.deny_publish)
            lines += ["        }", "        subscribe: {"] + _subjects("allow", rights.subscribe)
            lines += ["        }"] + (["        allow_responses: true"] if rights.responses else [])
            lines += ["      }"]
        lines += ["    }"]
    return "\n".join([*lines, "  ]", "}", ""])


def _subjects(kind: str, subjects: tuple[str, ...]) -> list[str]:
    if not subjects:
        return []
    return [f"          {kind}: [", *(f"            {json.dumps(s)}" for s in subjects), "          ]"]


def password_variable(user: str) -> str:
    """The environment variable holding ``user``'s password in docker-compose."""
    return f"NATS_{user.upper()}_PASSWORD"


def ensure_credentials(path: Path) -> dict[str, str]:
    """Every user's password, made once per data directory and kept (mode 0600) for restarts."""
    known: dict[str, str] = {}
    if path.exists():
        known = {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    missing = [user for user in USERS if not known.get(user)]
    if missing or not path.exists():
        known.update({user: secrets.token_urlsafe(24) for user in missing})
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.unlink(missing_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(known, out, indent=2)
        os.replace(temporary, path)
    return known


def docker_config() -> str:
    """docker/nats.conf: the cluster's users, their passwords from the nodes' environment."""
    from services.runtime.nats_server import MAX_PAYLOAD

    return ("# The permission table of services/runtime/nats_auth.py: one user per component, the\n"
            "# gateway and the operator (the admin CLI). Regenerate, do not edit: python -m\n"
            "# services.runtime.nats_auth > docker/nats.conf (tests/unit/test_nats_auth.py checks).\n"
            f"{MAX_PAYLOAD}{render_authorization()}")


if __name__ == "__main__":
    print(docker_config(), end="")
