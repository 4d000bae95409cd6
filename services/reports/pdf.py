"""A printable page (``printable``) as PDF, printed by headless Chromium in a child process
(``/usr/bin/chromium``, or the one ``SALESFLOW_CHROMIUM`` names) with a deadline: the event loop
never waits on it, and a Chromium that hangs is killed."""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import tempfile
from collections.abc import Mapping
from pathlib import Path

DEFAULT_CHROMIUM = "/usr/bin/chromium"
TIMEOUT_SECONDS = 60.0


class PdfUnavailable(Exception):
    """Chromium is missing, failed or took too long: the PDF cannot be made (English and Chinese)."""

    def __init__(self, en: str, zh: str) -> None:
        super().__init__(f"{en} / {zh}")
        self.en, self.zh = en, zh


def chromium_path(env: Mapping[str, str] = os.environ) -> Path:
    """The Chromium that prints: ``SALESFLOW_CHROMIUM`` or Debian's ``/usr/bin/chromium``."""
    return Path(env.get("SALESFLOW_CHROMIUM") or DEFAULT_CHROMIUM)


def chromium_args(chromium: Path, page: Path, pdf: Path, profile: Path) -> list[str]:
    """Print ``page`` to ``pdf`` without the date and URL Chromium puts in the margins; a
    private profile, so two prints at once never share one."""
    return [str(chromium), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--no-first-run", "--no-default-browser-check",
            f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", "--no-pdf-header-footer",
            page.as_uri()]


def missing(chromium: Path) -> PdfUnavailable:
    return PdfUnavailable(
        f"PDF needs Chromium, not found at {chromium}: install it (apt-get install chromium) or "
        f"set SALESFLOW_CHROMIUM; the .html page prints from any browser",
        f"生成 PDF 需要 Chromium，未在 {chromium} 找到：请安装（apt-get install chromium）或设置 "
        f"SALESFLOW_CHROMIUM；.html 页面可在任何浏览器中打印")


async def html_to_pdf(html: str, *, chromium: Path | None = None,
                      timeout: float = TIMEOUT_SECONDS) -> bytes:
    """The PDF Chromium prints of ``html`` (A4, as its ``@page`` rules say); PdfUnavailable when
    Chromium is missing, fails or does not finish within ``timeout`` seconds."""
    chromium = chromium or chromium_path()
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        raise missing(chromium)
    with tempfile.TemporaryDirectory(prefix="salesflow-pdf-") as folder:
        work = Path(folder)
        page, pdf = work / "pack.html", work / "pack.pdf"
        page.write_text(html, encoding="utf-8")
        process = await asyncio.create_subprocess_exec(
            *chromium_args(chromium, page, pdf, work / "profile"),
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE, start_new_session=True)
        try:
            _, errors = await asyncio.wait_for(process.communicate(), timeout)
        except TimeoutError:
            raise PdfUnavailable(f"Chromium did not print the PDF within {timeout:.0f} s",
                                 f"Chromium 未在 {timeout:.0f} 秒内生成 PDF") from None
        finally:  # also when the request is given up (cancelled): no Chromium outlives it
            if process.returncode is None:
                await _end(process)
        data = pdf.read_bytes() if pdf.is_file() else b""
    if process.returncode != 0 or not data.startswith(b"%PDF"):
        last = errors.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise PdfUnavailable(f"Chromium could not print the PDF (exit {process.returncode}): "
                             f"{last[0][:200]}",
                             f"Chromium 未能生成 PDF（退出码 {process.returncode}）")
    return data


async def _end(process: asyncio.subprocess.Process) -> None:
    """Kill the Chromium this module started, its renderers included (its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()
