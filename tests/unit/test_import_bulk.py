"""Bulk import commands in process: the contract (a row as its own command, the envelope given
once) and the runner sending rows in bulks while reading, counting each row's answer."""
from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts.commands.bulk import BULK_ROWS
from contracts.commands.imports_samples import ImportSample, ImportSamples
from contracts.replies import CommandReply, ErrorBody, EventRef, RowReply
from events.envelope import Actor, Role
from services.imports.runner import bulk_name, run_import
from services.imports.samples import TABLE
from services.runtime.commands import validation_error
from tests.unit.import_fixtures import workbook

AMY = Actor(user="amy", role=Role.SALES_ASSISTANT)
NOW = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)
HEAD = ["编号", "日期", "客户", "状态"]
SHA = "a" * 64


def row(no: str, **more: Any) -> dict[str, Any]:
    return {"request_no": no, "requested_at": "2026-03-02T09:00:00+08:00", "status": "closed",
            "customer": "ACME", "source": {"file_name": "x.xlsx", "file_sha256": SHA,
                                           "sheet": "S", "row": 2}, **more}


def test_a_row_is_checked_as_its_own_command_with_the_bulk_s_envelope() -> None:
    """rule: R-S5"""
    bulk = ImportSamples.model_validate({"actor": AMY, "rows": [row("S-1"), row("S-2")]},
                                        context={"now": NOW})
    first = bulk.row(0, NOW)
    assert isinstance(first, ImportSample) and first.actor == AMY and first.request_no == "S-1"


@pytest.mark.parametrize("field, value, zh", [
    ("actor", AMY.model_dump(), "批量命令"), ("command_id", "c-1", "批量命令"),
    ("customer", "", None), ("requested_at", "2099-01-01T00:00:00+08:00", "不能晚于"),
    ("customer", "A\x1bB", "控制字符"), ("source", {"file_name": "x\u202e.xlsx", "file_sha256": SHA, "sheet": "S", "row": 2}, "控制字符"),
])
def test_a_bad_row_is_refused_naming_its_field_in_both_languages(
        field: str, value: Any, zh: str | None) -> None:
    """rule: R-S5"""
    bulk = ImportSamples.model_validate({"actor": AMY, "rows": [row("S-1", **{field: value})]},
                                        context={"now": NOW})
    with pytest.raises(ValidationError) as caught:
        bulk.row(0, NOW)
    body = validation_error(caught.value)
    assert body.field is not None and body.field.split(".")[0] == field
    assert body.message_en and body.message_zh
    assert zh is None or zh in body.message_zh


def test_a_row_that_is_not_an_object_refuses_the_bulk_naming_the_row() -> None:
    with pytest.raises(ValidationError) as caught:
        ImportSamples.model_validate({"actor": AMY, "rows": [row("S-1"), "S-2"]})
    body = validation_error(caught.value)
    assert body.field == "rows.1" and "对象" in body.message_zh


def test_a_bulk_holds_at_most_the_bound_of_rows() -> None:
    ImportSamples.model_validate({"actor": AMY, "rows": [row("S")] * BULK_ROWS})
    with pytest.raises(ValidationError):
        ImportSamples.model_validate({"actor": AMY, "rows": [row("S")] * (BULK_ROWS + 1)})


def test_each_table_s_row_command_has_its_bulk() -> None:
    assert bulk_name("sales", "import_sample") == "import_samples"
    assert bulk_name("sales", "import_order") == "import_orders"
    assert bulk_name("sales", "import_complaint") == "import_complaints"
    assert bulk_name("sales", "request_sample") is None


class BulkSales:
    """Answers bulks row by row: a rule refusal for customer "Refused Co", else stored."""

    def __init__(self, whole: ErrorBody | None = None) -> None:
        self.bulks: list[dict[str, Any]] = []
        self.whole = whole
        self.flying = self.most = 0

    async def __call__(self, department: str, name: str, payload: dict[str, Any]) -> CommandReply:
        assert (department, name) == ("sales", "import_samples")
        self.bulks.append(payload)
        self.flying += 1
        self.most = max(self.most, self.flying)
        await asyncio.sleep(0.002)
        self.flying -= 1
        if self.whole is not None:
            return CommandReply.refused(self.whole)
        rows = []
        for index, data in enumerate(payload["rows"]):
            if data["customer"] == "Refused Co":
                rows.append(RowReply(row=index, error=ErrorBody(
                    kind="conflict", field="request_no", rule="R-S5", message_en="exists",
                    message_zh="已存在")))
            else:
                rows.append(RowReply(row=index, events=[EventRef(
                    event_id=uuid4(), type="SampleImported", aggregate_id=uuid4(), version=1)]))
        return CommandReply(ok=True, rows=rows)


def book(tmp_path: Path, rows: int) -> Path:
    lines: list[list[Any]] = [HEAD]
    for i in range(rows):
        lines.append([f"S{i}", "2026-03-02", "Refused Co" if i == 7 else "A", "closed"])
    lines.insert(5, ["S-bad", "2026-02-30", "A", "closed"])  # refused here, never sent
    return workbook(tmp_path / "many.xlsx", lines)


def test_rows_go_in_bulks_each_row_counted_and_refusals_name_their_sheet_row(
        tmp_path: Path) -> None:
    """rule: R-S5"""
    sales = BulkSales()
    report = asyncio.run(run_import(book(tmp_path, 23), TABLE, sales, AMY, UTC, NOW,
                                    bulk=5, window=2))
    assert [len(b["rows"]) for b in sales.bulks] == [5, 5, 5, 5, 3]
    assert sales.most == 2  # the window bounds the bulks awaiting their reply
    first = sales.bulks[0]
    assert first["actor"] == {"user": "amy", "role": "sales_assistant"}
    assert all("actor" not in r and "command_id" not in r for r in first["rows"])
    assert (report.read, report.stored, report.unchanged) == (24, 22, 0)
    refused = {r.row: r for r in report.refused}
    assert refused[6].by == "import" and refused[6].column == "日期"
    # S7 is the 8th data row, under the header and after the bad row: sheet row 10
    assert refused[10].by == "service" and refused[10].rule == "R-S5"


def test_a_bulk_refused_whole_refuses_each_of_its_rows_with_the_reason(tmp_path: Path) -> None:
    unavailable = ErrorBody(kind="unavailable", message_en="the sales service did not answer",
                            message_zh="sales 服务没有响应")
    report = asyncio.run(run_import(book(tmp_path, 4), TABLE, BulkSales(unavailable), AMY, UTC,
                                    NOW, bulk=3))
    assert report.stored == 0 and len(report.refused) == 5
    assert {r.kind for r in report.refused if r.by == "service"} == {"unavailable"}
    assert report.exit_code() == 1
