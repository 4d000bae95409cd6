"""The SLA board's query (R-S5, R-S7): what it accepts, and what ``salesflow sla`` asks for by
default (what needs action) and with its options. The model it reads: test_sla_model.py."""
from __future__ import annotations

import argparse

import pytest
from pydantic import ValidationError

from contracts.queries import SlaQuery
from services.cli import sla as cli
from tests.sla_events import SHANGHAI


def test_the_query_validates_states_clock_and_moment() -> None:
    """rule: R-S5 — a query names real states, a clock id, and a past moment with its zone."""
    assert SlaQuery(states=["breached"], clock="SLA-PMC-REPLY").states == ["breached"]
    for bad in ({"states": ["late"]}, {"clock": "pmc"}, {"as_of": "2026-11-02T16:00:00"},
                {"colour": "red"}):
        with pytest.raises(ValidationError):
            SlaQuery.model_validate(bad)


def test_salesflow_sla_asks_for_breaches_and_at_risk_items_unless_told_otherwise() -> None:
    """rule: R-S7 — the default list is what needs action; ``--all`` shows every run."""
    def args(*argv: str) -> argparse.Namespace:
        parser = argparse.ArgumentParser()
        cli.add_parser(parser.add_subparsers(dest="command"))
        return parser.parse_args(["sla", *argv])

    assert cli.query(args(), SHANGHAI) == {"states": ["breached", "at_risk"]}
    assert cli.query(args("--all", "--clock", "SLA-DELIVERY"), SHANGHAI) == {
        "clock": "SLA-DELIVERY"}
    assert cli.query(args("--state", "met", "--as-of", "2026-11-02 16:00"), SHANGHAI) == {
        "states": ["met"], "as_of": "2026-11-02T16:00:00+08:00"}
