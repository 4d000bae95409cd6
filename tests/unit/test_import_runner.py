"""The import runner with a fake sender: refused rows, dry run, outcomes, the JSON report."""
from __future__ import annotations

import asyncio
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from contracts.replies import CommandReply, ErrorBody, EventRef
from events.envelope import Actor, Role
from services.imports.progress import Progress
from services.imports.runner import file_sha256, run_import, summary
from tests.unit.import_fixtures import TABLE, workbook

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=ZONE)
ACTOR = Actor(user="amy", role=Role.SALES_ASSISTANT)
HEAD = ["编号", "日期", "客户", "数量", "状态"]


class FakeSales:
    """Stores each request number once; refuses customer "Refused Co" with a rule."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, Any]]] = []
        self.stored: set[str] = set()

    async def __call__(self, department: str, name: str, payload: dict[str, Any]) -> CommandReply:
        self.sent.append((department, name, payload))
        await asyncio.sleep(0)
        if payload["customer"] == "Refused Co":
            return CommandReply.refused(ErrorBody(kind="conflict", field="request_no",
                                                  rule="R-S5", message_en="exists",
                                                  message_zh="已存在"))
        if payload["request_no"] in self.stored:
            return CommandReply(ok=True)
        self.stored.add(payload["request_no"])
        return CommandReply(ok=True, events=[EventRef(event_id=uuid4(), type="SampleImported",
                                                      aggregate_id=uuid4(), version=1)])


def book(tmp_path: Path) -> Path:
    return workbook(tmp_path / "history.xlsx", [
        HEAD,
        ["S1", "2026-03-02", "A", 1, "已申请"],
        ["S2", "2026-02-30", "A", 1, "已申请"],  # impossible date
        ["S3", "2026-03-04", "B", -2, "closed"],  # negative quantity
        ["S4", "2026-03-05", "Refused Co", 1, "closed 已结案"],
        ["S5", "2026/3/6 14:30", "C", 1, "Closed"],
        ["S6", "2026-03-07", "C", 1, "maybe"],  # unknown status
    ])


def run(path: Path, sender: FakeSales, **options: Any) -> Any:
    return asyncio.run(run_import(path, TABLE, sender, ACTOR, ZONE, NOW, **options))


def test_refused_rows_are_reported_with_row_column_and_both_languages_and_not_sent(
        tmp_path: Path) -> None:
    sales = FakeSales()
    report = run(book(tmp_path), sales)
    sent = {p["request_no"] for _, _, p in sales.sent}
    assert sent == {"S1", "S4", "S5"}
    refused = {r.row: r for r in report.refused}
    assert sorted(refused) == [3, 4, 5, 7]
    assert refused[3].column == "日期" and "not a real date" in refused[3].reason_en
    assert "不是有效日期" in refused[3].reason_zh
    assert refused[4].column == "数量" and "between" in refused[4].reason_en
    assert refused[7].column == "状态" and refused[7].by == "import"
    assert refused[5].by == "service" and refused[5].rule == "R-S5"
    assert (report.read, report.stored, report.unchanged) == (6, 2, 0)
    assert report.exit_code() == 1


def test_each_command_carries_its_source_and_no_command_id(tmp_path: Path) -> None:
    """A second import is recognised by the record (same source), not by the command log."""
    sales = FakeSales()
    path = book(tmp_path)
    run(path, sales)
    digest = file_sha256(path)
    first = next(p for _, _, p in sales.sent if p["request_no"] == "S1")
    assert sales.sent[0][:2] == ("sales", "import_test_row")
    assert first.get("command_id") is None
    assert first["source"] == {"file_name": "history.xlsx", "file_sha256": digest,
                               "sheet": "Sheet1", "row": 2}
    assert first["actor"] == {"user": "amy", "role": "sales_assistant"}


def test_a_dry_run_sends_nothing_but_reports_everything(tmp_path: Path) -> None:
    sales = FakeSales()
    report = run(book(tmp_path), sales, dry_run=True)
    assert sales.sent == []
    assert report.read == 6 and [r.row for r in report.refused] == [3, 4, 7]
    assert report.stored == 0 and "would send 将发送: 3" in summary(report)


def test_a_second_import_is_counted_unchanged(tmp_path: Path) -> None:
    sales = FakeSales()
    path = book(tmp_path)
    run(path, sales)
    again = run(path, sales)
    assert (again.stored, again.unchanged) == (0, 2)
    text = summary(again)
    assert "unchanged 已存在: 2" in text and "refused 拒绝: 4" in text


def test_an_all_good_file_exits_0(tmp_path: Path) -> None:
    path = workbook(tmp_path / "ok.xlsx", [HEAD, ["S1", "2026-03-02", "A", 1, "已申请"]])
    report = run(path, FakeSales())
    assert report.exit_code() == 0 and report.stored == 1


def test_the_window_bounds_the_commands_in_flight(tmp_path: Path) -> None:
    rows = [HEAD] + [[f"S{i}", "2026-03-02", "A", 1, "已申请"] for i in range(40)]
    path = workbook(tmp_path / "many.xlsx", rows)
    flying, most = 0, 0

    async def slow(department: str, name: str, payload: dict[str, Any]) -> CommandReply:
        nonlocal flying, most
        flying += 1
        most = max(most, flying)
        await asyncio.sleep(0.001)
        flying -= 1
        return CommandReply(ok=True)

    report = asyncio.run(run_import(path, TABLE, slow, ACTOR, ZONE, NOW, window=5))
    assert report.unchanged == 40 and most == 5


def test_the_json_report_lists_refused_rows(tmp_path: Path) -> None:
    report = run(book(tmp_path), FakeSales())
    body = json.loads(json.dumps(report.as_json(), default=str))
    assert {"table", "file", "file_sha256", "sheet", "header_row", "read", "stored",
            "unchanged", "refused", "refused_count", "ignored_columns", "dry_run",
            "ended"} <= set(body)
    first = body["refused"][0]
    assert {k: first[k] for k in ("row", "column")} == {"row": 3, "column": "日期"}
    assert first["reason_en"] and first["reason_zh"]


def test_progress_lines_give_rate_and_time_left() -> None:
    times = iter([0.0, 2.0, 2.5])
    out = io.StringIO()
    progress = Progress("sent 发送", 100, out, clock=lambda: next(times))
    progress.tick(50)
    assert out.getvalue() == ("sent 发送: 50/100 rows 行, 25 rows/s 行/秒, "
                              "ETA 2 s / 剩余约 2 秒\n")
    progress.tick(60)  # within the second: no line
    assert out.getvalue().count("\n") == 1
