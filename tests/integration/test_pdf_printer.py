"""The PDF printer's failure paths, with stand-ins for Chromium (small shell scripts): missing,
failing and hanging Chromium each answer PdfUnavailable in both languages, and a hanging one is
killed at the deadline."""
from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from services.reports import pdf

PAGE = "<!DOCTYPE html><html><body>x</body></html>"


def stand_in(folder: Path, body: str) -> Path:
    script = folder / "chromium"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)
    return script


async def test_a_missing_chromium_is_named_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(pdf.PdfUnavailable) as refused:
        await pdf.html_to_pdf(PAGE, chromium=tmp_path / "none")
    assert str(tmp_path / "none") in refused.value.en and "SALESFLOW_CHROMIUM" in refused.value.zh


async def test_a_chromium_that_fails_or_writes_no_pdf_is_refused(tmp_path: Path) -> None:
    failing = stand_in(tmp_path, 'echo "cannot open display" >&2; exit 3')
    with pytest.raises(pdf.PdfUnavailable) as refused:
        await pdf.html_to_pdf(PAGE, chromium=failing)
    assert "exit 3" in refused.value.en and "cannot open display" in refused.value.en
    assert "退出码 3" in refused.value.zh
    silent = stand_in(tmp_path, "exit 0")  # succeeds, prints nothing
    with pytest.raises(pdf.PdfUnavailable):
        await pdf.html_to_pdf(PAGE, chromium=silent)


async def test_a_hanging_chromium_is_killed_at_the_deadline(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    hanging = stand_in(tmp_path, f"sleep 60 & echo $! > {marker}; wait")
    started = time.monotonic()
    with pytest.raises(pdf.PdfUnavailable) as refused:
        await pdf.html_to_pdf(PAGE, chromium=hanging, timeout=1)
    assert time.monotonic() - started < 10 and "1 s" in refused.value.en
    child = int(marker.read_text())
    deadline = time.monotonic() + 5
    while Path(f"/proc/{child}").exists() and "Z" not in _state(child):
        assert time.monotonic() < deadline, "the stand-in's child outlived the deadline"
        await asyncio.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][:1]
    except (FileNotFoundError, IndexError):
        return "Z"
