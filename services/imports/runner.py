"""Importing one table: read every row, turn each into its ONE import command, send them.

A row whose cells cannot be read (``CellRefused``) or whose command does not validate is refused
here, named by its row, its column (the header as written) and the reason in both languages; it
is not sent, the other rows are: a row is imported whole or not at all. ``dry_run`` does
everything but send. The commands go to the owning service concurrently, at most ``window`` in
flight (group commit writes those arriving together in one transaction). Importing the file
again stores nothing: each record is found already imported from the same file, sheet and row,
and the reply says so with no events ("unchanged"). That check is the record's own, not the
command log's: a command id would answer a second import within a day with the first one's
reply (counted "stored" again), and refuse it as another command when someone else imports.
"""
from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from contracts.commands.base import Command
from contracts.replies import CommandReply, line_refusal
from events.envelope import Actor
from events.imports import ImportSource
from services.imports.cells import CellRefused
from services.imports.progress import Progress
from services.imports.reader import TableEnd, TableReader
from services.imports.table import TableImport

# (department, command name, payload) -> the service's reply (``Client.command`` in the CLI)
Sender = Callable[[str, str, dict[str, Any]], Awaitable[CommandReply]]
WINDOW = 256


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


def prepare(reader: TableReader, table: TableImport, report: ImportReport, actor: Actor,
            zone: tzinfo, now: datetime, progress: Progress | None = None,
            ) -> list[tuple[int, Command]]:
    """Every row's command; refused rows go to the report."""
    commands: list[tuple[int, Command]] = []
    headers = reader.header.found
    for number, cells in reader.rows():
        report.read += 1
        source = ImportSource(file_name=Path(report.file).name[:255],
                              file_sha256=report.file_sha256, sheet=report.sheet, row=number)
        made = to_command(table, cells, source, actor, zone, now, headers)
        if isinstance(made, RefusedRow):
            report.refused.append(made)
        else:
            commands.append((number, made))
        if progress is not None:
            progress.tick(report.read)
    report.ended = reader.ended
    return commands


async def send(commands: list[tuple[int, Command]], department: str, sender: Sender,
               report: ImportReport, window: int = WINDOW, progress: Progress | None = None,
               ) -> None:
    """Send every command, at most ``window`` awaiting their reply at once; each reply is
    counted: events stored, nothing new (already there), or refused with the service's words."""
    slots = asyncio.Semaphore(window)
    done = 0

    async def one(row: int, command: Command) -> None:
        nonlocal done
        async with slots:
            reply = await sender(department, command.name, command.model_dump(mode="json"))
        if reply.error is not None:
            error = reply.error
            report.refused.append(RefusedRow(row, error.field, error.message_en, error.message_zh,
                                             by="service", kind=error.kind, rule=error.rule))
        elif reply.events:
            report.stored += 1
        else:
            report.unchanged += 1
        done += 1
        if progress is not None:
            progress.tick(done)

    await asyncio.gather(*(one(row, command) for row, command in commands))
    report.refused.sort(key=lambda r: r.row)


async def run_import(path: Path, table: TableImport, sender: Sender, actor: Actor,
                     zone: tzinfo, now: datetime, *, sheet: str | None = None,
                     dry_run: bool = False, window: int = WINDOW,
                     progress: Callable[[str, int | None], Progress] | None = None,
                     ) -> ImportReport:
    """Read, check and (unless ``dry_run``) send the table of ``path``. Raises
    ``reader.WorkbookRefused`` for a file that cannot be imported at all."""
    started = asyncio.get_running_loop().time()
    reader = TableReader(path, table, sheet or "")
    try:
        report = ImportReport(table=table.table, file=str(path), file_sha256=file_sha256(path),
                              sheet=reader.sheet, header_row=reader.header.row,
                              ignored_columns=list(reader.header.ignored), dry_run=dry_run)
        reading = progress("read 读取", reader.size) if progress else None
        commands = prepare(reader, table, report, actor, zone, now, reading)
    finally:
        reader.close()
    if reading is not None:
        reading.finish(report.read)
    if not dry_run and commands:
        sending = progress("sent 发送", len(commands)) if progress else None
        await send(commands, table.department, sender, report, window, sending)
        if sending is not None:
            sending.finish(len(commands))
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
