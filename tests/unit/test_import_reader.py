"""Reading a table out of a workbook: sheet, header row, merged cells, blank rows, its end."""
from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from services.imports.cells import CellRefused, integer, moment, text
from services.imports.reader import TableReader, WorkbookRefused
from tests.unit.import_fixtures import TABLE, ods, patch, shared_strings, workbook

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


def sheet_xml(path: Path, edit: dict[bytes, bytes]) -> Path:
    """Replace pieces of the first sheet's XML (openpyxl writes what the tests start from)."""
    def apply(data: bytes) -> bytes:
        for old, new in edit.items():
            assert old in data, old
            data = data.replace(old, new)
        return data
    return patch(path, "xl/worksheets/sheet1.xml", apply)


def test_rows_keep_their_excel_numbers_when_the_sheet_starts_below_and_right_of_a1(
        tmp_path: Path) -> None:
    """calamine's rows begin at the used range's first column, but at row 1: both pinned."""
    path = workbook(tmp_path / "a.xlsx", [[], [], [], [None, None, *HEAD],
                                          [None, None, "S1", "2026-03-02", "华南包装", 1, "已申请"],
                                          [],
                                          [None, None, "S2", "2026-03-03", None, 2, "已申请"]],
                    merges=("E5:E7",))
    reader, rows = read(path)
    assert reader.header.row == 4
    assert reader.header.columns == {2: "request_no", 3: "requested_at", 4: "customer",
                                     5: "quantity", 6: "status"}
    assert [(n, r["request_no"], r["customer"]) for n, r in rows] == [(5, "S1", "华南包装"),
                                                                      (7, "S2", "华南包装")]
    assert reader.size == 7


def test_cells_come_as_calamine_gives_them_and_cells_reads_each(tmp_path: Path) -> None:
    """Empty as "", whole numbers as float, formatted dates as datetime / date / time, a text
    date as text, a serial number that lost its format as a number, booleans as bool."""
    path = workbook(tmp_path / "a.xlsx", [
        HEAD + ["备注"],
        ["S1", datetime(2026, 3, 2, 14, 30), None, 14, True],
        ["S2", date(2026, 3, 2), "A", 14.5, False],
        ["S3", "2026/3/2 14:30", "A", "1,200", None],
        ["S4", 46083.6041666667, "A", 3, None],
        ["S5", time(14, 30), "A", 3, None]])
    _, rows = read(path)
    [s1, s2, s3, s4, s5] = [cells for _, cells in rows]
    assert s1["customer"] == "" and text(s1["customer"], "customer", max_length=9) is None
    assert s1["quantity"] == 14.0 and type(s1["quantity"]) is float
    assert integer(s1["quantity"], "quantity", low=0, high=99) == 14
    assert s1["requested_at"] == datetime(2026, 3, 2, 14, 30)
    assert type(s2["requested_at"]) is date and s3["requested_at"] == "2026/3/2 14:30"
    assert s4["requested_at"] == pytest.approx(46083.6041666667)  # as Excel stores it
    at = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    for row in (s1, s3, s4):
        assert moment(row["requested_at"], "requested_at", UTC) == at
    assert moment(s2["requested_at"], "requested_at", UTC) == at.replace(hour=0, minute=0)
    assert s5["requested_at"] == time(14, 30)
    with pytest.raises(CellRefused, match="not a date"):
        moment(s5["requested_at"], "requested_at", UTC)
    with pytest.raises(CellRefused, match="14.5 is not a whole number"):
        integer(s2["quantity"], "quantity", low=0, high=99)
    assert text(s1["request_no"], "request_no", max_length=9) == "S1"
    with pytest.raises(CellRefused, match=r"^quantity: -5 is not between"):  # not "-5.0"
        integer(-5.0, "quantity", low=0, high=99)


def test_booleans_formulas_cached_values_and_shared_rich_text(tmp_path: Path) -> None:
    """As Excel writes them: a formula with its cached result, a boolean, shared strings
    (one of rich text runs) and an inline rich text."""
    path = workbook(tmp_path / "a.xlsx", [HEAD, ["S1", "2026-03-02", "x", 1, "x"]])
    rich = '<r><t>Ac</t></r><r><rPr><b/></rPr><t xml:space="preserve">me </t></r><r><t>Labels</t></r>'
    shared_strings(path, ["<t>华南</t>", rich])
    sheet_xml(path, {
        b'<c r="C2" t="inlineStr"><is><t>x</t></is></c>': b'<c r="C2" t="s"><v>1</v></c>',
        b'<c r="D2" t="n"><v>1</v></c>': b'<c r="D2"><f>2*3</f><v>6</v></c>',
        b'<c r="E2" t="inlineStr"><is><t>x</t></is></c>':
            b'<c r="E2" t="inlineStr"><is><r><t>\xe5\xb7\xb2</t></r><r><rPr><i/></rPr>'
            b"<t>\xe7\x94\xb3\xe8\xaf\xb7</t></r></is></c>"})
    _, [(number, cells)] = read(path)
    assert (number, cells["customer"], cells["quantity"], cells["status"]) == (
        2, "Acme Labels", 6.0, "已申请")
    path = workbook(tmp_path / "b.xlsx", [HEAD, ["S1", "2026-03-02", True, False, "x"]])
    _, [(_, cells)] = read(path)
    assert cells["customer"] is True and cells["quantity"] is False


def test_a_file_whose_dimension_is_wrong_is_read_to_its_last_row(tmp_path: Path) -> None:
    rows: list[list[Any]] = [HEAD, *([f"S{i}", "2026-03-02", "A", i, "已申请"]
                                     for i in range(1, 41))]
    path = sheet_xml(workbook(tmp_path / "a.xlsx", rows),
                     {b'<dimension ref="A1:E41" />': b'<dimension ref="A1:B2" />'})
    reader, found = read(path)
    assert len(found) == 40 and found[-1][0] == 41 and found[-1][1]["quantity"] == 40
    assert reader.size == 41


def test_an_opendocument_spreadsheet_is_read_too(tmp_path: Path) -> None:
    path = ods(tmp_path / "a.ods", [[], [None, "打样记录汇总表"], [None, *HEAD],
                                    [None, "S1", datetime(2026, 3, 2, 14, 30), "华南包装", 3, "已申请"],
                                    [None, "S2", "2026-03-03", "Acme", None, "已结案"]], sheet="2026")
    reader, rows = read(path)
    assert (reader.sheet, reader.header.row, reader.header.columns[1]) == ("2026", 3, "request_no")
    assert [(n, r["request_no"], r["requested_at"], r["quantity"]) for n, r in rows] == [
        (4, "S1", datetime(2026, 3, 2, 14, 30), 3.0), (5, "S2", "2026-03-03", "")]


def test_a_workbook_is_known_by_its_content_not_its_name(tmp_path: Path) -> None:
    path = ods(tmp_path / "saved as.xlsx", [HEAD, ["S1", "2026-03-02", "A", 1, "已申请"]])
    assert [n for n, _ in read(path)[1]] == [2]


def test_a_file_that_cannot_be_read_is_refused(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = workbook(tmp_path / "a.xlsx", [HEAD, ["S1", "2026-03-02", "A", 1, "x"]])

    def fails(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(Path, "read_bytes", fails)
    with pytest.raises(WorkbookRefused) as refused:
        TableReader(path, TABLE)
    assert "PermissionError" in refused.value.en and "无法读取" in refused.value.zh


def test_a_file_of_no_known_format_or_a_damaged_sheet_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("编号,日期,客户,状态\nS1,2026-03-02,A,x\n")
    with pytest.raises(WorkbookRefused) as unknown:
        TableReader(tmp_path / "a.csv", TABLE)
    assert "not a readable" in unknown.value.en and "无法读取" in unknown.value.zh
    path = sheet_xml(workbook(tmp_path / "a.xlsx", [HEAD, ["S1", "2026-03-02", "A", 1, "x"]]),
                     {b"</sheetData>": b"<row r="})
    with pytest.raises(WorkbookRefused) as damaged:
        TableReader(path, TABLE)
    assert "Sheet1" in damaged.value.en and "cannot be read" in damaged.value.en and "无法读取" in damaged.value.zh
