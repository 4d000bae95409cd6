"""Query contracts: months are real months, and a refusal names the field in two languages."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from contracts.queries import (
    OrderMonthQuery,
    OrdersQuery,
    RebuildRequest,
    SampleMonthQuery,
    SamplesQuery,
    query_error,
)


@pytest.mark.parametrize("month", ["2026-1", "nov", "2026-13", "0000-05", "2026-11-01", ""])
def test_a_query_month_must_be_a_real_month(month: str) -> None:
    """rule: R-S8"""
    with pytest.raises(ValidationError) as refused:
        SampleMonthQuery(month=month)
    error = query_error(refused.value)
    assert (error.kind, error.field) == ("validation", "month")
    assert "YYYY-MM" in error.message_en and "YYYY-MM" in error.message_zh


def test_real_months_and_known_read_models_are_accepted() -> None:
    """rule: R-S8"""
    assert SampleMonthQuery(month="2026-12").month == "2026-12"
    assert SamplesQuery(month="1999-01").month == "1999-01"
    assert RebuildRequest().model is None and RebuildRequest(model="audit").model == "audit"
    with pytest.raises(ValidationError):
        RebuildRequest(model="everything")  # type: ignore[arg-type]


@pytest.mark.parametrize("query", [OrderMonthQuery, OrdersQuery])
def test_an_order_query_month_must_be_a_real_month(query: type[OrderMonthQuery]) -> None:
    """rule: R-O6 — `order-month 2026-13` and `orders --month nov` are refused, naming the field."""
    with pytest.raises(ValidationError) as refused:
        query(month="2026-13")
    assert (query_error(refused.value).field, OrderMonthQuery(month="2026-12").month) == (
        "month", "2026-12")
    assert OrdersQuery(salesperson="bob").salesperson == "bob"
    assert RebuildRequest(model="orders").model == "orders"
