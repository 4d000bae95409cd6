"""Commands of the quality service (subjects ``salesflow.cmd.quality.<name>``)."""
from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from contracts.commands.base import Command
from contracts.commands.bounds import Number
from contracts.commands.orders import OrderCommand


class InspectLot(OrderCommand):
    """The inspector passes a finished lot, or fails it with findings for rework (R-O4)."""

    name: ClassVar[str] = "inspect_lot"
    multiline: ClassVar[frozenset[str]] = frozenset({"findings", "note"})
    lot_no: Number = Field(description="Lot number / 批号")
    result: Literal["pass", "fail"] = Field(description="pass or fail / 合格或不合格")
    findings: str | None = Field(default=None, min_length=1, max_length=2000,
                                 description="What is wrong; a failed lot needs it (R-O4) / 检验问题")
    note: str | None = Field(default=None, min_length=1, max_length=1000, description="Note / 备注")


COMMANDS: tuple[type[Command], ...] = (InspectLot,)
