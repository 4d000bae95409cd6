"""The resource needs and improvements the managers entered for the monthly sales meeting
(R-M2), as a sheet of the monthly meeting pack."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from contracts.subjects import QUERY_MEETING_INPUTS
from services.reports.exports import Ask
from services.reports.pack_sections import ExtraSection
from services.reports.workbook import Lang, both

SHEET = "资源与改进 Needs & improvements"
COLUMNS: tuple[tuple[str, str], ...] = (
    ("item_id", "Item 编号"), ("kind", "Kind 类别"), ("department", "Dept 部门"),
    ("summary", "Summary 摘要"), ("detail", "Detail 详细说明"), ("owner", "Owner 负责人"),
    ("due", "Due 期限"), ("recorded_by", "By 录入人"), ("recorded_at", "Entered 录入时间"),
)
KIND_NAMES = {"resource_need": ("Resource need", "资源需求"),
              "improvement": ("Improvement", "改进事项")}
DEPARTMENT_NAMES = {"sales": "业务部", "engineering": "工程部", "production": "生产部",
                    "quality": "品质部", "finance": "财务", "purchasing": "采购"}


async def fetch(ask: Ask, month: str) -> list[dict[str, Any]]:
    """The month's items still standing (withdrawn ones are left out), in entry order."""
    answer = await ask(QUERY_MEETING_INPUTS, {"month": month})
    return list(answer["items"])


def cells(row: dict[str, Any], lang: Lang) -> dict[str, Any]:
    en, zh = KIND_NAMES.get(row["kind"], (row["kind"], row["kind"]))
    department = row["department"]
    return dict(row, kind=both(en, zh, lang),
                department=department if lang == "en" else DEPARTMENT_NAMES.get(department,
                                                                                department))


def section(rows: Sequence[dict[str, Any]]) -> ExtraSection:
    """The monthly pack's section (a sheet of its own in the workbook): the needs first, then
    the improvements, each in entry order."""
    ordered = sorted(rows, key=lambda r: (r["kind"] != "resource_need", r["item_id"]))
    return ExtraSection("Resource needs and improvements (R-M2)", "资源需求与改进事项（R-M2）",
                        columns=COLUMNS, rows=ordered, sheet=SHEET, cells=cells,
                        empty_en="(none entered)", empty_zh="（暂无录入）")
