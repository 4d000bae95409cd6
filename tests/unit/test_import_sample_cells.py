"""The Sample Record Summary import (issue 12): a row's cells read as the ``import_sample``
command — dates, statuses, numbers and spellings as people typed them, and each bad cell
refused naming its field in both languages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from events.envelope import DieDifficulty
from projections import sample_summary
from services.cli.tables import SAMPLE_COLUMNS
from services.imports import cells
from services.imports.samples import STATUSES, TABLE, TRIALS
from tests.unit.test_import_samples import AMY, ROW, SOURCE, ZONE, command, refusal


# -- cells ----------------------------------------------------------------------------------
def test_a_clean_row_becomes_the_command_with_its_values() -> None:
    c = command(ROW)
    assert (c.request_no, c.customer, c.salesperson, c.status) == (
        "S-2025-001", "ACME", "bob", "shipped")
    assert c.requested_at == datetime(2025, 3, 4, tzinfo=ZONE)
    assert c.completed_at == datetime(2025, 3, 6, 15, 30, tzinfo=ZONE)
    assert (c.die_difficulty, c.shipped_method, c.tracking_no) == (
        DieDifficulty.NORMAL, "courier", "SF1234567")
    assert c.source == SOURCE and c.actor == AMY


@pytest.mark.parametrize("cell", [45720, 45720.0, "2025-03-04", "2025/3/4", "2025.3.4",
                                  "2025年3月4日", "20250304", "２０２５－０３－０４",
                                  datetime(2025, 3, 4), date(2025, 3, 4)])
def test_dates_as_excel_serials_text_full_width_or_excel_dates(cell: Any) -> None:
    assert command({**ROW, "requested_at": cell}).requested_at == datetime(2025, 3, 4, tzinfo=ZONE)


@pytest.mark.parametrize(("cell", "status"), [
    ("生产中", "in_production"), ("in production", "in_production"), ("IN_PRODUCTION", "in_production"),
    ("promised 已承诺交期", "promised"), ("trial_ok 试用OK", "trial_ok"), ("试用ＯＫ", "trial_ok"),
    ("Trial NG", "trial_ng"), ("客户拒价（已上报）", "price_rejected"), (" 已结案 ", "closed"),
    ("order_chasing 跟催订单", "order_chasing"), ("Shipped", "shipped")])
def test_statuses_in_chinese_english_mixed_and_the_exports_form(cell: str, status: str) -> None:
    row = {**ROW, "status": cell, "promised_at": "2025-03-07 17:00"}
    assert command(row).status == status


def test_every_status_of_the_summary_has_its_chinese_and_export_spellings() -> None:
    for stage, zh in sample_summary.STATUS_ZH.items():
        assert cells.choice(zh, "status", TABLE.statuses) == stage
        assert cells.choice(f"{stage} {zh}", "status", TABLE.statuses) == stage


def test_the_exports_headers_each_half_and_no_spelling_for_two_fields() -> None:
    owners = [{cells.normalize(h) for h in spellings} for spellings in TABLE.headers.values()]
    spelled = [h for own in owners for h in own]
    assert len(spelled) == len(set(spelled))
    for _, label in SAMPLE_COLUMNS:
        if label.startswith(("Price", "Flags")):
            continue  # worked out again, not read
        english, chinese = label.split(" ")
        for spelling in (label, english, chinese):
            assert cells.normalize(spelling) in spelled


def test_full_width_digits_in_numbers_and_texts() -> None:
    c = command({**ROW, "request_no": "Ｓ－００１", "round": "２"})
    assert (c.request_no, c.round) == ("S-001", 2)


def test_number_cells_as_calamine_gives_them_keep_every_bound() -> None:
    """A whole number comes as a float (14.0): read at once when in range, and refused as
    before, with the number as typed, when not."""
    assert cells.integer(14.0, "round", low=1, high=99) == 14
    assert type(cells.integer(14.0, "round", low=1, high=99)) is int
    with pytest.raises(cells.CellRefused, match=r"^round: 100 is not between 1 and 99"):
        cells.integer(100.0, "round", low=1, high=99)
    with pytest.raises(cells.CellRefused, match="14.5 is not a whole number"):
        cells.integer(14.5, "round", low=1, high=99)
    with pytest.raises(cells.CellRefused, match="not a number"):
        cells.integer(True, "round", low=0, high=99)
    assert command({**ROW, "round": 3.0}).round == 3


def test_a_choice_read_again_gives_the_same_answer_and_tables_do_not_mix() -> None:
    """``choice`` remembers the texts it found, per spellings table: "OK" is a status in one
    table and a trial result in another; each table made anew has its own answers."""
    statuses = dict(STATUSES)
    for _ in range(3):
        assert cells.choice("试用OK", "status", statuses) == "trial_ok"
        assert cells.choice("OK", "status", statuses) == "trial_ok"
        assert cells.choice("OK", "trial", TRIALS) == "ok"
    for index in range(20):
        assert cells.choice("x", "field", {f"v{index}": ("x",)}) == f"v{index}"
    with pytest.raises(cells.CellRefused, match="is not one of"):
        cells.choice("OKAY", "status", statuses)


def test_the_exports_trial_cell_holds_the_result_and_the_cause() -> None:
    c = command({**ROW, "status": "试用NG", "received_on": 45723, "trial": "ng burr on edge"})
    assert (c.trial_result, c.trial_cause, c.received_on) == ("ng", "burr on edge", date(2025, 3, 7))


@pytest.mark.parametrize(("row", "field", "zh"), [
    ({**ROW, "requested_at": "next tuesday"}, "requested_at", "不是日期"),
    ({**ROW, "requested_at": "2025-02-30"}, "requested_at", "不是有效日期"),
    ({**ROW, "requested_at": "1999-12-31"}, "requested_at", "早于"),
    ({**ROW, "requested_at": "2027-01-05"}, "requested_at", "将来"),
    ({**ROW, "status": "lost in the post"}, "status", "不是以下之一"),
    ({**ROW, "status": None}, "status", "不能为空"),
    ({**ROW, "customer": "  "}, "customer", "不能为空"),
    ({**ROW, "request_no": "S 1"}, "request_no", "只能包含"),
    ({**ROW, "die_difficulty": "very"}, "die_difficulty", "不是以下之一"),
    ({**ROW, "round": "1.5"}, "round", "不是整数"),
    ({**ROW, "status": "生产中", "die_difficulty": None}, "die_difficulty", "刀模难度"),
    ({**ROW, "status": "已承诺交期"}, "promised_at", "承诺"),
])
def test_a_bad_cell_is_refused_naming_its_field_in_both_languages(
        row: dict[str, Any], field: str, zh: str) -> None:
    refused = refusal(row)
    assert refused.field == field and zh in refused.zh and refused.en
