"""Reading a table out of a workbook: sheet, header row, merged cells, blank rows, its end."""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.imports.cells import moment
from services.imports.reader import TableReader, WorkbookRefused
from tests.unit.import_fixtures import TABLE, workbook

HEAD = ["编号", "日期", "客户", "数量", "状态"]


def read(path: Path, sheet: str = "") -> tuple[TableReader, list[tuple[int, dict]]]:
    reader = TableReader(path, TABLE, sheet)
    try:
        return reader, list(reader.rows())
    finally:
        reader.close()


def test_headers_match_despite_full_width_spacing_case_and_order(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [
        ["ＳＴＡＴＵＳ　状态", " 客户 名称 ", "no.", "申请日期", "备用列"],
        ["已申请", "华南包装", "S1", datetime(2026, 3, 2, 9, 30), "x"]])
    reader, rows = read(path)
    assert reader.header.columns == {0: "status", 1: "customer", 2: "request_no",
                                     3: "requested_at"}
    assert reader.header.ignored == ("备用列",)
    # the rows come straight from the sheet's XML: a date as its Excel serial, read by cells
    [(number, cells)] = rows
    assert (number, cells["request_no"], cells["customer"], cells["status"]) == (
        2, "S1", "华南包装", "已申请")
    assert moment(cells["requested_at"], "requested_at", UTC) == datetime(2026, 3, 2, 9, 30,
                                                                          tzinfo=UTC)


def test_title_rows_above_the_header_are_passed_over(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [["打样记录汇总表 2026"], [], ["制表：amy"], HEAD,
                                          ["S1", "2026-03-02", "A", 3, "closed"]])
    reader, rows = read(path)
    assert reader.header.row == 4
    assert [number for number, _ in rows] == [5]


def test_merged_cells_fill_their_range_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [
        HEAD, ["S1", "2026-03-02", "华南包装", 1, "已申请"], ["S2", "2026-03-03", None, 2, "已申请"],
        [None, None, None, None, None], ["S3", "2026-03-04", None, 3, "已申请"],
        ["S4", "2026-03-05", "Acme", 4, "已申请"]], merges=("C2:C5",))
    _, rows = read(path)
    assert [(n, r["customer"]) for n, r in rows] == [(2, "华南包装"), (3, "华南包装"),
                                                     (5, "华南包装"), (6, "Acme")]


def test_a_second_column_for_the_same_field_is_ignored(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [HEAD + ["客户名称"], ["S1", "2026-03-02", "A", 1, "x", "B"]])
    reader, rows = read(path)
    assert reader.header.ignored == ("客户名称",)
    assert rows[0][1]["customer"] == "A"


@pytest.mark.parametrize("under", [
    [["合计", None, None, 3, None]],
    [[], ["2026-03 月度分析"], ["samples 打样数", 2]],
    [[], ["月度总结：准时率 92%"]],
    [[], HEAD, ["S9", "2026-04-01", "B", 1, "已申请"]],
])
def test_the_table_ends_at_notes_or_analysis_under_it(tmp_path: Path, under: list) -> None:
    path = workbook(tmp_path / "a.xlsx", [HEAD, ["S1", "2026-03-02", "A", 1, "已申请"],
                                          ["S2", "2026-03-03", "A", 2, "已申请"], *under])
    reader, rows = read(path)
    assert [n for n, _ in rows] == [2, 3]
    assert reader.ended is not None and reader.ended.row >= 4
    assert reader.ended.reason_en and reader.ended.reason_zh


def test_a_record_with_one_cell_right_under_another_is_still_read(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [HEAD, ["S1", "2026-03-02", "A", 1, "已申请"],
                                          ["S2", None, None, None, None]])
    reader, rows = read(path)
    assert [n for n, _ in rows] == [2, 3] and reader.ended is None


def test_a_missing_required_column_is_refused_naming_it_in_both_languages(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [["编号", "日期", "数量", "状态"], ["S1", "2026-03-02", 1, "x"]])
    with pytest.raises(WorkbookRefused) as refused:
        TableReader(path, TABLE)
    assert "customer" in refused.value.en and "customer" in refused.value.zh
    assert "required columns" in refused.value.en and "缺少" in refused.value.zh
    assert "request_no" not in refused.value.en


def test_the_first_sheet_with_the_header_is_chosen_unless_one_is_named(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [HEAD, ["S1", "2026-03-02", "A", 1, "x"]],
                    sheet="2026", before=("说明",))
    assert read(path)[0].sheet == "2026"
    with pytest.raises(WorkbookRefused) as refused:
        TableReader(path, TABLE, "说明")
    assert "header row" in refused.value.en and "说明" in refused.value.zh
    with pytest.raises(WorkbookRefused) as missing:
        TableReader(path, TABLE, "Sheet9")
    assert "Sheet9" in missing.value.en and "2026" in missing.value.zh


def test_a_missing_or_unreadable_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WorkbookRefused) as missing:
        TableReader(tmp_path / "none.xlsx", TABLE)
    assert "no such file" in missing.value.en and "不存在" in missing.value.zh
    (tmp_path / "bad.xlsx").write_text("not a zip")
    with pytest.raises(WorkbookRefused) as bad:
        TableReader(tmp_path / "bad.xlsx", TABLE)
    assert "not a readable" in bad.value.en and "无法读取" in bad.value.zh


def test_no_header_anywhere_is_refused(tmp_path: Path) -> None:
    path = workbook(tmp_path / "a.xlsx", [["a", "b"], [1, 2]])
    with pytest.raises(WorkbookRefused) as refused:
        TableReader(path, TABLE)
    assert "header row" in refused.value.en and "表头" in refused.value.zh


def test_the_sheets_xml_gives_strings_numbers_booleans_and_gaps_as_openpyxl_does(
        tmp_path: Path) -> None:
    """The fast row source (sheet_xml) agrees with openpyxl on every value but dates, which it
    gives as their Excel serial (cells.moment reads both alike)."""
    from openpyxl import load_workbook

    from services.imports import sheet_xml
    path = workbook(tmp_path / "a.xlsx", [
        ["编号", "客户", "数量", "价格", "是", "日期"], [],
        ["S1", "华南包装", 1200, 0.25, True, datetime(2026, 3, 2, 14, 30)],
        [None, "Acme", None, -3, False, "2026/3/2"]])
    book = load_workbook(path, read_only=True, data_only=True)
    ws = book.worksheets[0]
    expected = [tuple(v for v in row) for row in ws.iter_rows(values_only=True)]
    found = list(sheet_xml.rows(str(path), ws._worksheet_path))
    book.close()
    assert len(found) == len(expected) == 4 and found[1] == ()
    for ours, theirs in zip(found, expected, strict=True):
        padded = tuple(ours) + (None,) * (len(theirs) - len(ours))
        for mine, real in zip(padded, theirs, strict=True):
            if isinstance(real, datetime):
                assert moment(mine, "d", UTC) == real.replace(tzinfo=UTC)
            else:
                assert mine == real and type(mine) is type(real)
