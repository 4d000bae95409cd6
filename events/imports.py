"""Where an imported record came from (issue 12): every ``...Imported`` event carries one, so the
audit trail says which file and row a record of the old Excel tables was loaded from (who
imported it is the event's actor)."""
from __future__ import annotations

from typing import Annotated

from pydantic import Field

from events.envelope import Frozen

Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$",
                              description="SHA-256 of the workbook file / 工作簿文件的 SHA-256")]


class ImportSource(Frozen):
    """The workbook, sheet and row a record was imported from."""

    file_name: str = Field(min_length=1, max_length=255,
                           description="The workbook's file name / 工作簿文件名")
    file_sha256: Sha256
    sheet: str = Field(min_length=1, max_length=31,
                       description="Sheet name (Excel allows 31 characters) / 工作表名")
    row: int = Field(ge=1, le=1_048_576, description="Row number in the sheet (Excel's) / 行号")
