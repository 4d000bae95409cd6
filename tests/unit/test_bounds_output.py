"""The terminal never receives a raw escape from stored data: tables, the history, customer
listings, month reports, demo output and ``--json`` show control characters as visible escapes
(data stored before commands refused them may still hold them)."""
from __future__ import annotations

import argparse
import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from contracts.replies import CommandReply, ErrorBody
from services.cli import customers, demo, main, months, tables
from services.runtime.settings import Settings

TZ = ZoneInfo("Asia/Shanghai")
HOSTILE = "ACME\x1b]0;owned\x07\x1b[2J\x9b31m\u202eevil\x00"


# What a terminal obeys: C0 and C1 controls and DEL (line breaks aside), the Unicode line and
# paragraph separators, bidirectional overrides and isolates; and lone surrogates.
OBEYED = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                    "\ud800-\udfff]")


def assert_printable(text: str) -> None:
    """Nothing a terminal would obey: line breaks are the only control characters left."""
    raw = OBEYED.search(text)
    assert raw is None, f"raw {raw.group()!r} in {text!r}"


def test_visible_shows_every_control_character_as_an_escape() -> None:
    assert tables.visible("a\x1b[2Jb\x00\x9b\u202e\r\n\t") == "a\\x1b[2Jb\\x00\\x9b\\u202e\\r\\n\\t"
    assert tables.visible("one\ntwo\x1b", lines=True) == "one\ntwo\\x1b"
    assert tables.visible("华信电子 Huaxin") == "华信电子 Huaxin"


def test_json_output_escapes_what_json_dumps_leaves_raw_and_stays_the_same_json() -> None:
    value = {"name": HOSTILE, "note": "line\nbreak \x7f \ud800", "n": [1, 2]}
    text = tables.json_text(value)
    assert_printable(text)
    assert json.loads(text) == value and "华" in tables.json_text({"n": "华"})


def test_the_sample_table_shows_stored_escapes_visibly() -> None:
    row = {"request_no": "S-1", "requested_at": "2026-11-28T01:00:00+00:00", "customer": HOSTILE,
           "salesperson": "bob\x1b[8m", "status": "requested", "status_zh": "已申请",
           "trial_result": "ng", "trial_cause": "burr\x1b[1A"}
    shown = tables.samples([row], TZ)
    assert_printable(shown)
    assert "ACME\\x1b]0;owned\\x07" in shown and "\\u202eevil\\x00" in shown


def test_the_history_shows_escapes_and_out_of_range_times_without_breaking() -> None:
    """A start in year 1 (accepted before the bounds) once broke ``history``."""
    rows = [{"occurred_at": "2026-11-28T01:00:00+00:00", "department": "engineering",
             "type": "SamplingScheduled", "actor_user": "eric\x1b[2J", "actor_role": "engineer",
             "facts": {"scheduled_for": "0001-01-01T00:00:00+09:00", "note": HOSTILE}}]
    shown = tables.history(rows, TZ)
    assert_printable(shown)
    assert "0001-01-01T00:00:00+09:00" in shown and "eric\\x1b[2J" in shown


class FakeClient:
    """Answers every query with ``answer`` (a page of it when asked with ``limit``, as the
    projections do) and every command with ``reply``."""

    def __init__(self, answer: Any = None, reply: CommandReply | None = None) -> None:
        self.answer, self.reply = answer, reply

    async def query(self, subject: str, payload: Any = None, timeout: float = 10.0) -> Any:
        if isinstance(payload, dict) and "limit" in payload:
            start = payload.get("offset", 0)
            return {"items": self.answer[start:start + payload["limit"]],
                    "total": len(self.answer), "offset": start, "limit": payload["limit"]}
        return self.answer

    async def command(self, department: str, name: str, payload: Any,
                      timeout: float = 5.0) -> CommandReply:
        assert self.reply is not None
        return self.reply


def parse(argv: list[str]) -> argparse.Namespace:
    return main.parser().parse_args(argv)


CUSTOMER = {"customer_no": "C-1", "name": HOSTILE, "contact_person": "Wu\x1b[2J",
            "salesperson": "bob", "assistant": "amy\x9b", "status": "confirmed",
            "disclosures": "quality", "submitted_at": "2026-11-28T01:00:00+00:00",
            "window_sent_at": None}
FILE = {"customer": {"name": HOSTILE, "salesperson": "bob\x1b[1m", "assistant": None},
        "documents": [{"category": "basic_data", "filed_on": "2026-11-02", "title": HOSTILE,
                       "filename": "a\x1b.pdf", "size": 10, "filed_by": "amy", "sha256": "ab" * 32}]}
REPORT = {"month": "2026-11", "samples": 1, "by_status": {"requested": 1},
          "by_customer": {HOSTILE: 1}, "trials": {"ok": 0, "ng": 0, "ok_rate": None},
          "made": 0, "average_working_hours_to_make": None, "late": [], "penalties": [],
          "notes": [{"noted_at": "2026-11-30T08:00:00+00:00", "noted_by": "amy\x1b[2J",
                     "text": "first\nsecond \x1b]0;t\x07"}]}


@pytest.mark.parametrize("argv, answer", [
    (["customers"], [CUSTOMER]), (["customers", "--json"], [CUSTOMER]),
    (["customer-file", "C-1"], FILE), (["customer-file", "C-1", "--json"], FILE),
    (["sample-month", "2026-11"], REPORT), (["sample-month", "2026-11", "--json"], REPORT),
    (["samples", "--json"], [{**CUSTOMER, "request_no": "S-1"}]),
    (["history", "S-1", "--json"], [CUSTOMER]),
])
async def test_listings_print_stored_escapes_visibly(argv: list[str], answer: Any,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    args, settings, client = parse(argv), Settings(), FakeClient(answer)
    handler = {"customers": customers.run, "customer-file": customers.run,
               "sample-month": months.run, "samples": main.cmd_samples,
               "history": main.cmd_history}[argv[0]]
    assert await handler(args, settings, client) == 0  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert_printable(out)
    assert "\\x1b" in out or "\\u001b" in out


REFUSAL = CommandReply.refused(ErrorBody(kind="rule", rule="R-S3", message_en="sample \x1b[2J",
                                         message_zh="打样 \x1b[2J"))


async def test_refusals_echoing_stored_text_are_printed_visibly(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert await months.run(parse(["note-month", "2026-11", "x"]), Settings(),
                            FakeClient(reply=REFUSAL)) == 1
    lines: list[str] = []
    await demo.Demo(FakeClient(reply=REFUSAL), lines.append).show_refusal(  # type: ignore[arg-type]
        "open_sample_application", "S-1", {})
    for out in (capsys.readouterr().out, *lines):
        assert_printable(out)
        assert "\\x1b[2J" in out
