"""Importing one table: read every row, turn each into its ONE import command, send them.

A row whose cells cannot be read (``CellRefused``) or whose command does not validate is refused
here, named by its row, its column (the header as written) and the reason in both languages; it
is not sent, the other rows are: a row is imported whole or not at all. ``dry_run`` does
everything but send. Rows are sent while the next ones are read, ``bulk`` rows to a bulk
command (``contracts.commands.bulk``: each row decided as its own command, its refusal naming
only that row), at most ``window`` bulks awaiting their reply. Importing the file
again stores nothing: each record is found already imported from the same file, sheet and row,
and the reply says so with no events ("unchanged"). That check is the record's own, not the
command log's: a command id would answer a second import within a day with the first one's
reply (counted "stored" again), and refuse it as another command when someone else imports.
"""
from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.commands import ALL
from contracts.commands.base import Command
from contracts.commands.bulk import ENVELOPE, Bulk
from contracts.replies import CommandReply, ErrorBody, line_refusal
from events.envelope import Actor
from events.imports import ImportSource
from services.imports.cells import CellRefused
from services.imports.progress import Progress
from services.imports.reader import TableEnd, TableReader
from services.imports.table import TableImport

# (department, command name, payload) -> the service's reply (``Client.command`` in the CLI)
Sender = Callable[[str, str, dict[str, Any]], Awaitable[CommandReply]]
WINDOW = 8  # commands awaiting their reply at once
BULK = 250  # rows per bulk command


@dataclass(frozen=True)
class RefusedRow:
    """A row not imported: where, and why (``rule`` when the service named one)."""

    row: int
    column: str | None
    reason_en: str
    reason_zh: str
    by: str = "import"  # import: its cells; service: the sales service refused the command
    kind: str | None = None
    rule: str | None = None


@dataclass
class ImportReport:
    """What an import read, stored, found already there and refused."""

    table: str
    file: str
    file_sha256: str
    sheet: str
    header_row: int
    ignored_columns: list[str]
    dry_run: bool
    read: int = 0
    stored: int = 0
    unchanged: int = 0
    refused: list[RefusedRow] = field(default_factory=list)
    ended: TableEnd | None = None
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return self.stored + self.unchanged + sum(1 for r in self.refused if r.by == "service")

    def exit_code(self) -> int:
        """0: every row stored or already there; 1: some row refused."""
        return 1 if self.refused else 0

    def as_json(self) -> dict[str, Any]:
        body = asdict(self)
        body["ended"] = asdict(self.ended) if self.ended else None
        body["refused_count"] = len(self.refused)
        return body


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def to_command(table: TableImport, cells: dict[str, Any], source: ImportSource, actor: Actor,
               zone: tzinfo, now: datetime, headers: dict[str, str]) -> Command | RefusedRow:
    """The row's command, or why it is refused (its column as the sheet writes it)."""
    try:
        return table.to_command(cells, source, actor, zone, now)
    except CellRefused as refused:
        return RefusedRow(source.row, headers.get(refused.field, refused.field), refused.en,
                          refused.zh)
    except ValidationError as error:
        first = error.errors()[0]
        body = line_refusal(first, "the row", "该行")
        top = str(first["loc"][0]) if first["loc"] else None
        return RefusedRow(source.row, headers.get(top, top) if top else None, body.message_en,
                          body.message_zh)


def prepared(reader: TableReader, table: TableImport, report: ImportReport, actor: Actor,
             zone: tzinfo, now: datetime, progress: Progress | None = None,
             ) -> Iterator[tuple[int, Command]]:
    """Every row's command, as it is read; refused rows go to the report."""
    headers = reader.header.found
    file_name = Path(report.file).name[:255]
    for number, cells in reader.rows():
        report.read += 1
        source = ImportSource(file_name=file_name, file_sha256=report.file_sha256,
                              sheet=report.sheet, row=number)
        made = to_command(table, cells, source, actor, zone, now, headers)
        if isinstance(made, RefusedRow):
            report.refused.append(made)
        else:
            yield number, made
        if progress is not None:
            progress.tick(report.read)
    report.ended = reader.ended


def bulk_name(department: str, row_command: str) -> str | None:
    """The bulk command carrying rows of ``row_command`` (``contracts.commands.bulk``)."""
    for cls in ALL.get(department, {}).values():
        if issubclass(cls, Bulk) and cls.row_command.name == row_command:
            return cls.name
    return None


class Dispatch:
    """Sends the rows as they are read: in bulks of ``bulk`` rows where the table has a bulk
    command (else one command per row), at most ``window`` commands awaiting their reply, and
    counts each row's answer: events stored, nothing new (already there), or refused."""

    def __init__(self, department: str, sender: Sender, report: ImportReport, window: int,
                 bulk: int, progress: Progress | None) -> None:
        self.department, self.sender, self.report = department, sender, report
        self.bulk, self.progress = bulk, progress
        self.slots = asyncio.Semaphore(max(window, 1))
        self.flying: set[asyncio.Task[None]] = set()
        self.waiting: list[tuple[int, Command]] = []
        self.answered = 0
        self.name: str | None = None  # the bulk command, known from the first row
        self.started = False

    async def add(self, row: int, command: Command) -> None:
        if not self.started:
            self.started = True
            self.name = bulk_name(self.department, command.name) if self.bulk > 1 else None
            if self.name is None:
                self.bulk = 1  # no bulk command: one row per command, ``window`` of them
        self.waiting.append((row, command))
        if len(self.waiting) >= self.bulk:
            await self.flush()

    async def flush(self) -> None:
        rows, self.waiting = self.waiting, []
        if not rows:
            return
        await self.slots.acquire()  # the reading waits while the window is full
        task = asyncio.create_task(self._send(rows))
        self.flying.add(task)
        task.add_done_callback(self._landed)

    def _landed(self, task: asyncio.Task[None]) -> None:
        self.flying.discard(task)
        self.slots.release()

    async def finish(self) -> None:
        await self.flush()
        while self.flying:
            await asyncio.gather(*self.flying)

    async def _send(self, rows: list[tuple[int, Command]]) -> None:
        name = self.name
        if name is None:
            await asyncio.gather(*(self._one(row, command) for row, command in rows))
            return
        envelope = {"actor": rows[0][1].actor.model_dump(mode="json")}
        body = [command.model_dump(mode="json", exclude=set(ENVELOPE), exclude_none=True)
                for _, command in rows]
        reply = await self.sender(self.department, name, {**envelope, "rows": body})
        if reply.rows is None:  # the bulk itself was refused: every row with its reason
            error = reply.error or ErrorBody(kind="internal", message_en="no answer per row",
                                             message_zh="没有逐行的回复")
            for row, _ in rows:
                self._count(row, CommandReply.refused(error))
            return
        for answer in reply.rows:
            self._count(rows[answer.row][0], CommandReply(ok=answer.error is None,
                                                          events=answer.events,
                                                          error=answer.error))

    async def _one(self, row: int, command: Command) -> None:
        reply = await self.sender(self.department, command.name, command.model_dump(mode="json"))
        self._count(row, reply)

    def _count(self, row: int, reply: CommandReply) -> None:
        if reply.error is not None:
            error = reply.error
            self.report.refused.append(RefusedRow(row, error.field, error.message_en,
                                                  error.message_zh, by="service",
                                                  kind=error.kind, rule=error.rule))
        elif reply.events:
            self.report.stored += 1
        else:
            self.report.unchanged += 1
        self.answered += 1
        if self.progress is not None:
            self.progress.tick(self.answered)


async def run_import(path: Path, table: TableImport, sender: Sender, actor: Actor,
                     zone: tzinfo, now: datetime, *, sheet: str | None = None,
                     dry_run: bool = False, window: int = WINDOW, bulk: int = BULK,
                     progress: Callable[[str, int | None], Progress] | None = None,
                     reader: TableReader | None = None) -> ImportReport:
    """Read, check and (unless ``dry_run``) send the table of ``path`` (or of ``reader``,
    already opened on it, which is closed here): rows are sent while the next ones are read.
    Raises ``reader.WorkbookRefused`` for a file that cannot be imported at all."""
    started = asyncio.get_running_loop().time()
    reader = reader or TableReader(path, table, sheet or "")
    try:
        report = ImportReport(table=table.table, file=str(path), file_sha256=file_sha256(path),
                              sheet=reader.sheet, header_row=reader.header.row,
                              ignored_columns=list(reader.header.ignored), dry_run=dry_run)
        label = "read 读取" if dry_run else "imported 已导入"
        rows_below = reader.size - reader.header.row if reader.size else None
        shown = progress(label, rows_below) if progress else None
        rows = prepared(reader, table, report, actor, zone, now, shown if dry_run else None)
        if dry_run:
            for _ in rows:
                pass
        else:
            dispatch = Dispatch(table.department, sender, report, window, bulk, shown)
            for count, (number, command) in enumerate(rows, start=1):
                await dispatch.add(number, command)
                if count % 64 == 0:
                    await asyncio.sleep(0)  # let the replies in while reading
            await dispatch.finish()
    finally:
        reader.close()
    if shown is not None:
        shown.finish(report.read if dry_run else report.sent)
    report.refused.sort(key=lambda r: r.row)
    report.seconds = round(asyncio.get_running_loop().time() - started, 3)
    return report


def summary(report: ImportReport) -> str:
    """The report for a person: figures in both languages, then each refused row."""
    what = "checked (dry run, nothing sent)" if report.dry_run else "imported"
    what_zh = "已检查（试运行，未发送）" if report.dry_run else "已导入"
    lines = [
        (f"{report.table} from {Path(report.file).name}, sheet {report.sheet!r}, header row "
        f"{report.header_row}: {what} in {report.seconds:.1f} s / {what_zh}"),
        (f"  read 读取: {report.read}   stored 新存储: {report.stored}   unchanged 已存在: "
        f"{report.unchanged}   refused 拒绝: {len(report.refused)}"),
    ]
    if report.dry_run:
        lines.append(f"  would send 将发送: {report.read - len(report.refused)}")
    if report.ignored_columns:
        lines.append("  ignored columns 忽略的列: " + ", ".join(report.ignored_columns))
    if report.ended is not None:
        end = report.ended
        lines.append(f"  stopped at row {end.row} ({end.text!r}): {end.reason_en} / "
                     f"第 {end.row} 行起不再读取：{end.reason_zh}")
    for refused in report.refused:
        where = f"row {refused.row}" + (f", column {refused.column!r}" if refused.column else "")
        rule = f" [{refused.rule}]" if refused.rule else ""
        lines.append(f"  {where}{rule}: {refused.reason_en} / 第 {refused.row} 行"
                     f"{'「' + refused.column + '」' if refused.column else ''}：{refused.reason_zh}")
    if report.refused:
        lines.append("  refused rows were not stored; fix them and import the file again (rows "
                     "already stored are not stored twice) / 被拒绝的行未存储；修正后可重新导入，"
                     "已存储的行不会重复存储")
    return "\n".join(lines)
