"""`salesflow status` tables, from the status payloads the components answer with."""
from __future__ import annotations

from typing import Any

from services.cli.status import render

SALES: dict[str, Any] = {
    "service": "sales", "pid": 4242, "role": "active",
    "relay": {"published": 10, "backlog": 3, "error": "timeout publishing a page"},
    "consumers": {"sales-from-production": {"processed": 5, "dead_lettered": 2,
                                            "waiting": "store unavailable"}},
}


def line_of(table: str, first: str) -> str:
    [line] = [line for line in table.splitlines() if line.split() and line.split()[0] == first]
    return line


def test_the_decided_payload_shows_role_backlog_relay_error_and_each_consumer() -> None:
    standby = {"service": "projections", "pid": 7, "role": "standby", "rebuilding": True,
               "consumers": {"projections-from-sales": {"processed": 9, "dead_lettered": 0,
                                                        "waiting": None}}}
    table = render({"sales": SALES, "projections": standby},
                   {"salesflow.dlq.sales.salesflow_production": 2})
    assert "Component 组件" in table and "Role 角色" in table and "Backlog 待发布" in table
    assert line_of(table, "sales").split()[:7] == ["sales", "yes", "是", "active", "主用", "4242", "10"]
    assert line_of(table, "sales").split()[7:] == ["3", "timeout", "publishing", "a", "page"]
    assert "standby 备用 rebuilding 重建中" in line_of(table, "projections")
    assert line_of(table, "sales-from-production").split()[:3] == ["sales-from-production", "5", "2"]
    assert "store unavailable" in line_of(table, "sales-from-production")
    assert "dead letters in SALESFLOW_DEAD_LETTERS: 2 / 死信共 2 条" in table
    assert "salesflow.dlq.sales.salesflow_production  2" in table


def test_missing_keys_of_an_older_payload_show_as_dashes() -> None:
    older = {"service": "quality", "pid": 12, "relay_published": 4,
             "consumers": {"quality-from-sales": {"processed": 1}}}
    table = render({"quality": older}, {})
    assert line_of(table, "quality").split() == ["quality", "yes", "是", "-", "12", "4", "-", "-"]
    assert line_of(table, "quality-from-sales").split() == ["quality-from-sales", "1", "-", "-"]
    assert "dead letters in SALESFLOW_DEAD_LETTERS: 0" in table


def test_a_component_that_does_not_answer_is_named_and_unknown_dead_letters_are_not_zero() -> None:
    table = render({"sales": SALES, "engineering": None}, None)
    assert line_of(table, "engineering").split() == ["engineering", "NO", "无响应", "-", "-", "-", "-", "-"]
    assert "not answering: engineering" in table
    assert "dead letters: unknown" in table
