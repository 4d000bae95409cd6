"""Paging a summary table in Python (the table as of a moment): the order and matches the SQL
gives (tests/integration/test_table_paging.py compares the two on SQLite and PostgreSQL), and
the pages of one as-of table cut from one fold, kept a short while."""
from __future__ import annotations

from typing import Any

from projections.table_paging import RecentFolds, Slice, in_python

ROWS: list[dict[str, Any]] = [{"no": "A-3", "who": "Bolt", "qty": 10}, {"no": "A-1", "who": None, "qty": 9},
        {"no": "A-2", "who": "acme", "qty": None}, {"no": "A-4", "who": "Bolt", "qty": 10}]


def numbers(part: Slice) -> tuple[list[str], int]:
    rows, total = in_python(ROWS, "no", ("no", "who"), part)
    return [r["no"] for r in rows], total


def test_empty_cells_come_last_either_way_and_ties_follow_the_record_number() -> None:
    assert numbers(Slice(sort="who")) == (["A-3", "A-4", "A-2", "A-1"], 4)  # "B" < "a"
    assert numbers(Slice(sort="who", desc=True)) == (["A-2", "A-4", "A-3", "A-1"], 4)
    assert numbers(Slice(sort="qty", limit=2, offset=1)) == (["A-3", "A-4"], 4)  # 9 < 10
    assert numbers(Slice(desc=True, limit=1)) == (["A-4"], 4)


def test_a_search_matches_any_searched_column_in_any_case_and_total_counts_the_matches() -> None:
    assert numbers(Slice(search="BOL", limit=1)) == (["A-3"], 2)
    assert numbers(Slice(search="a-2")) == (["A-2"], 1)
    assert numbers(Slice(search="10")) == ([], 0)  # qty is not searched


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_pages_of_one_as_of_table_are_cut_from_one_fold_until_it_is_old() -> None:
    clock, folds = Clock(), []

    def fold() -> list[dict[str, Any]]:
        folds.append(1)
        return [{"no": f"A-{len(folds)}"}]

    recent = RecentFolds(keep=30, size=2, clock=clock)
    first = recent.rows("16:00", fold)
    first[0]["no"] = "changed by a caller"
    clock.now = 29.9
    assert recent.rows("16:00", fold) == [{"no": "A-1"}] and len(folds) == 1
    assert recent.rows("17:00", fold) == [{"no": "A-2"}]
    clock.now = 30.1  # older than keep: folded again
    assert recent.rows("16:00", fold) == [{"no": "A-3"}]
    recent.rows("18:00", fold)  # a third moment: the oldest kept one (17:00) goes
    assert recent.rows("17:00", fold) == [{"no": "A-5"}] and len(folds) == 5
