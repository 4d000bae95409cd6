"""Which characters text may hold, and how to show the ones a terminal would obey.

One definition for both ends: commands refuse these characters (``contracts.commands.base``)
and the CLI shows them as visible escapes (``services.cli.tables.visible``), because data stored
before the refusal existed may still hold them.
"""
from __future__ import annotations

import re
import unicodedata

# Line breaks and tabs are the only control characters a multi-line free text needs.
MULTILINE_ALLOWED = frozenset("\n\t")
# C0 controls (NUL, ESC, ...), DEL and the C1 controls (category Cc); the Unicode line and
# paragraph separators; the bidirectional embeddings, overrides and isolates, which reorder the
# text shown around them; lone surrogates, which UTF-8 cannot hold (PostgreSQL refuses the row).
_UNSAFE = "\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_ANY_UNSAFE = re.compile(f"[{_UNSAFE}]")
# A regular expression, not a loop: a document's base64 content is text too (up to 14 MB).
_UNSAFE_BUT_LINES = re.compile(f"(?![{''.join(sorted(MULTILINE_ALLOWED))}])[{_UNSAFE}]")


# What a command's JSON (pydantic's serializer) shows of an unsafe character: an escape, which it
# writes only for control characters (``\n``, ``\u001b``), or the character itself. Anything
# else in the JSON holds no unsafe character.
_SUSPECT_IN_JSON = re.compile(f"\\\\[bfnrtu]|[{_UNSAFE}]")


def may_hold_unsafe(json_text: str) -> bool:
    """False when the JSON of a value holds no unsafe character in any string (the cheap test
    before walking every text of a command: one regular expression instead of a walk)."""
    return _SUSPECT_IN_JSON.search(json_text) is not None


def is_unsafe(char: str) -> bool:
    """True for a character a command must not carry and a terminal must not receive raw."""
    return _ANY_UNSAFE.match(char) is not None


def first_unsafe(text: str, multiline: bool = False) -> tuple[int, str] | None:
    """Position and character of the first unsafe character (line breaks and tabs allowed in a
    multi-line text), if any."""
    found = (_UNSAFE_BUT_LINES if multiline else _ANY_UNSAFE).search(text)
    return None if found is None else (found.start(), found.group())


def unsafe_pattern(multiline: bool = False) -> re.Pattern[str]:
    """Matches one unsafe character (for replacing them all at once); with ``multiline``, line
    breaks and tabs are not matched."""
    return _UNSAFE_BUT_LINES if multiline else _ANY_UNSAFE


def escape(char: str) -> str:
    """How an unsafe character is shown: ``\\n``, ``\\t``, ``\\x1b``, ``\\u202e``."""
    if char == "\n":
        return "\\n"
    if char == "\t":
        return "\\t"
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def code_point(char: str) -> str:
    """``U+001B`` and its name where it has one, for error messages."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")
