"""The command log: which client-chosen command ids were handled, and the reply each got.

A command retried after a lost reply must not be applied twice. The row that says "this command
id was handled, and these were its events" is written by the process recorder in the same
transaction as the command's events: eventsourcing hands ``ProcessingEvent.saved_kwargs`` down to
``insert_events(..., **kwargs)``, as it does for the consumers' tracking. So no crash can leave
the events stored and the id unknown, or the reverse; and a second copy of the same command id
(another service instance on the same database) fails on the key and gets the first reply.

Rows older than the retention are deleted by the next command that writes one, in its
transaction, and are no longer looked up. A group commit (``services.runtime.group_commit``)
writes the rows of every command of its batch in the one transaction of their events.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import (
    InfrastructureFactory,
    IntegrityError,
    ProcessRecorder,
    ProgrammingError,
    StoredEvent,
    Tracking,
)
from eventsourcing.popo import POPOFactory, POPOProcessRecorder
from eventsourcing.postgres import (
    PostgresDatastore,
    PostgresFactory,
    PostgresProcessRecorder,
)
from eventsourcing.sqlite import SQLiteCursor, SQLiteFactory, SQLiteProcessRecorder
from eventsourcing.utils import get_topic
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

# The keyword under which ``DepartmentApplication.store`` passes the ``HandledCommand`` rows
# (a tuple: one command, or every command of a group commit) down to ``insert_events``.
HANDLED = "handled_commands"
# The keyword under which ``DepartmentApplication.record_run`` passes the tracking of a run's
# FIRST delivery: the run is refused (``IntegrityError``) when the stored position is already
# there, checked inside the run's transaction. The run's own tracking (its last delivery's) is
# refused only when it is not past the stored one, so another writer that passed the run's
# first delivery, not its last, would otherwise go unnoticed and the run apply what it applied.
RUN_FROM = "run_from"


def _run_overtaken(run_from: Tracking, stored: int | None) -> None:
    if stored is not None and stored >= run_from.notification_id:
        raise IntegrityError(f"{run_from.application_name} is tracked at {stored}, past "
                             f"{run_from.notification_id}, the run's first delivery: another "
                             "writer applied it")


@dataclass(frozen=True)
class HandledCommand:
    """A handled command id: which command it named, its digest, and the reply it got."""

    command_id: str
    command: str
    digest: str  # SHA-256 of the validated command, so a reused id for another command is seen
    reply: str  # the CommandReply JSON
    handled_at: float  # epoch seconds, the application's clock
    forget_before: float  # rows handled before this are expired when this one is written


class CommandLog(Protocol):
    """What the application asks the recorder about command ids."""

    def handled_command(self, command_id: str, since: float) -> HandledCommand | None: ...


def command_log_recorder(factory: InfrastructureFactory[Any]) -> ProcessRecorder:
    """The factory's process recorder, as the subclass that also keeps the command log."""
    if isinstance(factory, POPOFactory):
        return POPOCommandLogRecorder()
    recorder_class: type[ProcessRecorder]
    if isinstance(factory, SQLiteFactory):
        recorder_class = SQLiteCommandLogRecorder
    elif isinstance(factory, PostgresFactory):
        recorder_class = PostgresCommandLogRecorder
    else:
        raise TypeError(f"no command log for {type(factory).__name__}: use SQLite or PostgreSQL")
    # The factory builds it (its table names, create_table), as for any configured recorder.
    factory.env[factory.PROCESS_RECORDER_TOPIC] = get_topic(recorder_class)
    recorder = factory.process_recorder()
    if not isinstance(recorder, recorder_class):
        raise TypeError(f"{type(recorder).__name__} keeps no command log; unset "
                        f"{factory.env.name.upper()}_{factory.PROCESS_RECORDER_TOPIC}")
    return recorder


def _row(row: Any) -> HandledCommand:
    return HandledCommand(command_id=row["command_id"], command=row["command"],
                          digest=row["digest"], reply=row["reply"],
                          handled_at=row["handled_at"], forget_before=0.0)


class SQLiteCommandLogRecorder(SQLiteProcessRecorder):
    """SQLite process recorder with a ``command_log`` table (one file per service)."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                ("CREATE TABLE IF NOT EXISTS command_log (command_id TEXT PRIMARY KEY, "
                 "command TEXT NOT NULL, digest TEXT NOT NULL, reply TEXT NOT NULL, "
                 "handled_at REAL NOT NULL) WITHOUT ROWID"),
                "CREATE INDEX IF NOT EXISTS command_log_handled_at ON command_log (handled_at)"]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[Any],
                       **kwargs: Any) -> Sequence[int] | None:
        run_from: Tracking | None = kwargs.get(RUN_FROM)
        if run_from is not None:  # in the write transaction: nobody writes in between
            c.execute(self.select_max_tracking_id_statement, (run_from.application_name,))
            row = c.fetchone()
            _run_overtaken(run_from, row[0] if row is not None else None)
        returning = super()._insert_events(c, stored_events, **kwargs)
        handled: tuple[HandledCommand, ...] = kwargs.get(HANDLED, ())
        if handled:
            c.execute("DELETE FROM command_log WHERE handled_at < ?",
                      (min(h.forget_before for h in handled),))
            c.executemany("INSERT INTO command_log VALUES (?, ?, ?, ?, ?)",
                          [(h.command_id, h.command, h.digest, h.reply, h.handled_at)
                           for h in handled])
        return returning

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None,
                      lte: int | None = None, desc: bool = False,
                      limit: int | None = None) -> Sequence[StoredEvent]:
        """The library's read; a whole aggregate (what the repository loads for each
        command) as one statement, not BEGIN, SELECT, ROLLBACK: a single SELECT reads one
        snapshot of the file anyway."""
        if gt is not None or lte is not None or desc or limit is not None:
            return super().select_events(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
        key = originator_id.hex if isinstance(originator_id, UUID) else originator_id
        with self.datastore.get_connection(commit=False) as conn:
            c = conn.cursor()
            c.execute(self.select_events_statement + "ORDER BY originator_version ASC", (key,))
            rows = c.fetchall()
        return [StoredEvent(originator_id=self.convert_originator_id(row["originator_id"]),
                            originator_version=row["originator_version"], topic=row["topic"],
                            state=row["state"]) for row in rows]

    def handled_command(self, command_id: str, since: float) -> HandledCommand | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute("SELECT * FROM command_log WHERE command_id = ? AND handled_at >= ?",
                      (command_id, since))
            row = c.fetchone()
        return None if row is None else _row(row)


class PostgresCommandLogRecorder(PostgresProcessRecorder):
    """PostgreSQL process recorder with a ``<app>_command_log`` table in the service's schema."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events",
                 tracking_table_name: str = "notification_tracking") -> None:
        super().__init__(datastore, events_table_name=events_table_name,
                         tracking_table_name=tracking_table_name)
        if datastore.enable_db_functions:  # that insert path ignores every keyword argument
            raise ProgrammingError("the command log needs POSTGRES_ENABLE_DB_FUNCTIONS off")
        name = events_table_name.removesuffix("_events") + "_command_log"
        self.check_identifier_length(name + "_handled_at")
        table = SQL("{0}.{1}").format(Identifier(datastore.schema), Identifier(name))
        self.sql_create_statements += [
            SQL("CREATE TABLE IF NOT EXISTS {0} (command_id text PRIMARY KEY, command text NOT "
                "NULL, digest text NOT NULL, reply text NOT NULL, handled_at double precision "
                "NOT NULL)").format(table),
            SQL("CREATE INDEX IF NOT EXISTS {0} ON {1} (handled_at)").format(
                Identifier(name + "_handled_at"), table),
        ]
        self.forget_statement = SQL("DELETE FROM {0} WHERE handled_at < %s").format(table)
        self.remember_statement = SQL("INSERT INTO {0} VALUES (%s, %s, %s, %s, %s)").format(table)
        self.lookup_statement = SQL(
            "SELECT * FROM {0} WHERE command_id = %s AND handled_at >= %s").format(table)
        self.run_from_statement = SQL(
            "SELECT notification_id FROM {0}.{1} WHERE application_name = %s FOR UPDATE"
        ).format(Identifier(datastore.schema), Identifier(tracking_table_name))

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[Any],
                       **kwargs: Any) -> None:
        run_from: Tracking | None = kwargs.get(RUN_FROM)
        if run_from is not None:  # the row locked until the run commits: no writer in between
            curs.execute(self.run_from_statement, (run_from.application_name,), prepare=True)
            row = curs.fetchone()
            _run_overtaken(run_from, row["notification_id"] if row is not None else None)
        super()._insert_events(curs, stored_events, **kwargs)

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[Any],
                              **kwargs: Any) -> None:
        # After the library has locked the events table: command log writes are serialised
        # with event inserts, so concurrent expiries cannot deadlock on each other's rows.
        super()._insert_stored_events(curs, stored_events, **kwargs)
        handled: tuple[HandledCommand, ...] = kwargs.get(HANDLED, ())
        if handled:
            # Its own cursor: the library reads the notification ids from ``curs`` afterwards.
            with curs.connection.cursor() as log:
                log.execute(self.forget_statement, (min(h.forget_before for h in handled),),
                            prepare=True)
                log.executemany(self.remember_statement, [
                    (h.command_id, h.command, h.digest, h.reply, h.handled_at)
                    for h in handled])

    def handled_command(self, command_id: str, since: float) -> HandledCommand | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.lookup_statement, (command_id, since), prepare=True)
            row = curs.fetchone()
        return None if row is None else _row(row)


class POPOCommandLogRecorder(POPOProcessRecorder):
    """In-memory process recorder with a command log, for the unit tests."""

    def __init__(self) -> None:
        super().__init__()
        self._command_log: dict[str, HandledCommand] = {}

    def _assert_uniqueness(self, stored_events: Sequence[Any], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        run_from: Tracking | None = kwargs.get(RUN_FROM)
        if run_from is not None:
            _run_overtaken(run_from, self._max_tracking_ids[run_from.application_name])
        handled: tuple[HandledCommand, ...] = kwargs.get(HANDLED, ())
        if len({h.command_id for h in handled}) < len(handled):
            raise IntegrityError("a command id twice in one transaction")
        for h in handled:
            earlier = self._command_log.get(h.command_id)
            if earlier is not None and earlier.handled_at >= h.forget_before:
                raise IntegrityError(f"command id {h.command_id} already handled")

    def _update_table(self, stored_events: Sequence[Any], **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._update_table(stored_events, **kwargs)
        handled: tuple[HandledCommand, ...] = kwargs.get(HANDLED, ())
        if handled:
            forget_before = min(h.forget_before for h in handled)
            self._command_log = {k: v for k, v in self._command_log.items()
                                 if v.handled_at >= forget_before}
            self._command_log.update((h.command_id, h) for h in handled)
        return notification_ids

    def handled_command(self, command_id: str, since: float) -> HandledCommand | None:
        with self._database_lock:
            handled = self._command_log.get(command_id)
        return handled if handled is not None and handled.handled_at >= since else None
