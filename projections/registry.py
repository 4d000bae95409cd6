"""Which build of each read model is live, which are being built, and which tables are garbage.

Table ``read_models``: one row per build (model, token), with the schema version and the
fingerprint (version and settings such as the company's zone) it was built with, and its state:
``live`` (queries read it) or ``building`` (a rebuild is filling it). Tables of no registered
build (an abandoned rebuild, a replaced build, the unversioned tables of older releases) are
dropped by ``collect_garbage``.
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from projections.model import Build, ReadModel, Rebuilding
from projections.store import ViewStore

DDL = ("CREATE TABLE IF NOT EXISTS {t}read_models (model TEXT NOT NULL, token TEXT NOT NULL, "
       "version INTEGER NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL, "
       "PRIMARY KEY (model, token))")
_PHYSICAL = re.compile(r"^(?P<logical>\w+?)_v\d+_(?P<token>[0-9a-f]{8})$")


def new_token() -> str:
    return secrets.token_hex(4)


def ensure(store: ViewStore, c: Any) -> None:
    c.execute(store.sql(DDL))


def rows(store: ViewStore, c: Any) -> list[dict[str, Any]]:
    c.execute(store.sql("SELECT model, token, version, fingerprint, state FROM {t}read_models"))
    return [dict(r) for r in c.fetchall()]


def build_of(model: ReadModel, row: dict[str, Any]) -> Build:
    return Build(model.name, int(row["version"]), row["token"], model.tables)


def live_build(store: ViewStore, c: Any, model: ReadModel) -> Build | None:
    """The build queries of ``model`` read, or None while it has none of the code's fingerprint
    (being rebuilt; or, during an upgrade, built by the other code version)."""
    c.execute(store.sql("SELECT model, token, version, fingerprint, state FROM {t}read_models "
                        "WHERE model = %(model)s AND state = 'live'"), {"model": model.name})
    found = c.fetchone()
    if not found or found["fingerprint"] != model.fingerprint():
        return None
    return build_of(model, dict(found))


def require_live(store: ViewStore, c: Any, model: ReadModel) -> Build:
    """The live build of ``model``; ``Rebuilding`` while it has none (a schema change)."""
    build = live_build(store, c, model)
    if build is None:
        raise Rebuilding(model.name)
    return build


def create(store: ViewStore, c: Any, model: ReadModel, token: str, state: str) -> Build:
    """A new, empty build of ``model``: its tables and its registry row."""
    build = Build(model.name, model.version, token, model.tables)
    for statement in [*model.ddl(), *model.applied_ddl()]:
        c.execute(build.sql(store, statement))
    c.execute(store.sql("INSERT INTO {t}read_models (model, token, version, fingerprint, state) "
                        "VALUES (%s, %s, %s, %s, %s)"),
              (model.name, token, model.version, model.fingerprint(), state))
    return build


def promote(store: ViewStore, c: Any, build: Build) -> None:
    """Make ``build`` the live one of its model (the previous live build becomes garbage)."""
    params = {"model": build.model, "token": build.token}
    c.execute(store.sql("DELETE FROM {t}read_models WHERE model = %(model)s AND state = 'live'"),
              params)
    c.execute(store.sql("UPDATE {t}read_models SET state = 'live' "
                        "WHERE model = %(model)s AND token = %(token)s"), params)


def forget(store: ViewStore, c: Any, model: str, token: str) -> None:
    c.execute(store.sql("DELETE FROM {t}read_models WHERE model = %(model)s AND token = %(token)s"),
              {"model": model, "token": token})


def collect_garbage(store: ViewStore, c: Any, models: Iterable[ReadModel]) -> list[str]:
    """Drop every table of ours that no registered build owns; returns their names."""
    logical = {table for model in models for table in model.tables}
    tokens = {row["token"] for row in rows(store, c)}
    dropped = []
    for name in store.table_names(c):
        match = _PHYSICAL.match(name)
        legacy = name in logical  # the unversioned tables of releases before builds
        if legacy or (match and match["logical"] in logical and match["token"] not in tokens):
            store.drop(c, name)
            dropped.append(name)
    return dropped
