"""Bulk commands: many rows of one import command in one message (issue 12).

An import of years of tables sent one command per row spent more on carrying each row (a NATS
request, a reply, an envelope parsed and checked) than on deciding and storing it. A bulk
command carries up to ``BULK_ROWS`` rows; each row is the payload of its row command without
the envelope (``actor``, ``correlation_id``, ``command_id``, ``occurred_at``), which the bulk
gives once. The service checks and decides every row as that row command given alone: a row's
refusal (a bad cell, a rule) answers that row in ``CommandReply.rows`` and never its neighbours.
The rows of a bulk are written in the service's group commits (``services.runtime.group_commit``).

A bulk is not remembered under its ``command_id``: its rows are idempotent by themselves (an
import row names its file, sheet and row), so a bulk sent again stores nothing new and answers
each row as unchanged.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

from pydantic import Field, ValidationError

from contracts.commands.base import Command, Path, texts_in
from contracts.commands.bounds import bilingual
from contracts.commands.text import may_hold_unsafe

BULK_ROWS = 500
ENVELOPE = frozenset(Command.model_fields)  # given once, by the bulk


class Bulk(Command):
    """Rows of ``row_command``, each checked and decided as that command alone."""

    row_command: ClassVar[type[Command]]
    rows: list[dict[str, Any]] = Field(
        min_length=1, max_length=BULK_ROWS,
        description=f"1 to {BULK_ROWS} rows, each the row command's fields without actor, "
                    "correlation_id, command_id and occurred_at / 1 至 500 行，每行为单行命令的字段"
                    "（不含 actor、correlation_id、command_id、occurred_at）")

    def checked_texts(self) -> Iterator[tuple[Path, str]]:
        """The envelope's texts; each row's are checked when it is checked as its command
        (``row``), so a bulk's rows are walked once, not twice."""
        return texts_in(self.actor, ("actor",))

    def may_hold_unsafe_text(self) -> bool:
        return may_hold_unsafe(self.actor.model_dump_json())

    def row(self, index: int, now: datetime) -> Command:
        """Row ``index`` as its own command; ``ValidationError`` names the field."""
        data = self.rows[index]
        given = sorted(ENVELOPE & data.keys())
        if given:
            raise ValidationError.from_exception_data(self.row_command.__name__, [{
                "type": bilingual(
                    "envelope_in_row",
                    f"{given[0]} is given once for the whole bulk command, not in a row",
                    f"{given[0]} 由整条批量命令给出，不能写在行里"),
                "loc": (given[0],), "input": data[given[0]]}])
        return self.row_command.model_validate(
            {**data, "actor": self.actor, "correlation_id": self.correlation_id},
            context={"now": now})
