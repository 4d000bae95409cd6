"""Telling a store that is away from a store that refuses: by the database's own error code.

eventsourcing turns every ``sqlite3.OperationalError`` into its ``OperationalError``, "database
is locked" and "no such column" alike; waiting out the second would wedge a consumer for ever.
So the original error (the ``__cause__``) decides: SQLite's primary result code, PostgreSQL's
SQLSTATE class. Only these count as an outage, which a consumer waits out without giving up on
the message; anything else is retried a few times and then dead-lettered.
"""
from __future__ import annotations

import sqlite3

from eventsourcing.persistence import InterfaceError, OperationalError

# SQLite primary result codes of a busy, locked, full or unreachable database.
SQLITE_OUTAGE = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_NOMEM,
                 sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN,
                 sqlite3.SQLITE_PROTOCOL}
# PostgreSQL SQLSTATE classes / codes of a server that is away, overloaded or shutting down,
# and of conflicts a retry resolves (serialization failure, deadlock, lock not available).
PG_OUTAGE_CLASSES = ("08", "53", "57", "58")
PG_TRANSIENT = {"40001", "40P01", "55P03"}


def root_cause(error: BaseException) -> BaseException:
    seen = {id(error)}
    while (cause := error.__cause__ or error.__context__) is not None and id(cause) not in seen:
        seen.add(id(cause))
        error = cause
    return error


def is_outage(error: BaseException) -> bool:
    """True when the database is unavailable (wait for it), not when it refuses the statement."""
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    cause = root_cause(error)
    if cause is error:
        return True  # raised without the driver's error: nothing says it is the statement's fault
    if isinstance(cause, sqlite3.Error):
        code = getattr(cause, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in SQLITE_OUTAGE
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:
        # psycopg raises connection failures without a SQLSTATE; schema errors have one
        return type(cause).__name__ in ("OperationalError", "InterfaceError")
    return sqlstate.startswith(PG_OUTAGE_CLASSES) or sqlstate in PG_TRANSIENT
