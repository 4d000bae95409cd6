"""The cheap test for unsafe characters (one regular expression over a command's JSON) never
misses one the exact walk would find: every character of the unsafe ranges, as pydantic's
serializer writes it, is suspected; ordinary text, Chinese included, is not."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from contracts.commands.imports_samples import ImportSample
from contracts.commands.text import is_unsafe, may_hold_unsafe
from events.envelope import Actor, Role

UNSAFE_RANGES = [(0x00, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029), (0x202A, 0x202E),
                 (0x2066, 0x2069), (0xD800, 0xDFFF)]
ROW = {"request_no": "S-1", "requested_at": "2025-03-02T09:00:00+08:00", "status": "closed",
       "customer": "ACME", "source": {"file_name": "x.xlsx", "file_sha256": "a" * 64,
                                      "sheet": "S", "row": 2}}
AMY = Actor(user="amy", role=Role.SALES_ASSISTANT)


def every_unsafe() -> list[str]:
    return [chr(c) for low, high in UNSAFE_RANGES for c in range(low, high + 1)]


def test_every_unsafe_character_is_suspected_as_the_serializer_writes_it() -> None:
    command = ImportSample.model_validate({**ROW, "actor": AMY})
    for char in every_unsafe():
        assert is_unsafe(char)
        changed = command.model_copy(update={"customer": f"A{char}B"})
        try:
            suspected = may_hold_unsafe(changed.model_dump_json())
        except ValueError:  # a lone surrogate: the serializer refuses, the walk decides
            suspected = "\ud800" <= char <= "\udfff"
        assert suspected, f"U+{ord(char):04X} slipped through"


def test_ordinary_text_is_not_suspected() -> None:
    command = ImportSample.model_validate({**ROW, "customer": "深圳佳美 (Shenzhen) «A&B» №1",
                                           "actor": AMY})
    assert not may_hold_unsafe(command.model_dump_json())


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x9b", "\u202e", "\u2028", "\ud800"])
def test_a_command_with_an_unsafe_character_is_still_refused_naming_the_field(char: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ImportSample.model_validate({**ROW, "product": f"gas{char}ket", "actor": AMY})
    assert refused.value.errors()[0]["loc"] == ("product",)
