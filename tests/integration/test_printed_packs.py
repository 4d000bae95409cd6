"""The packs as pages to print and as PDF against a running system (real nats-server, services,
projections, the gateway; Debian's Chromium prints): served over HTTP and written by
``salesflow pack --format html|pdf`` (R-M1, R-M2, R-S5, R-O5, R-C5)."""
from __future__ import annotations

import argparse
import re
import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from contracts.subjects import COMPONENTS
from services.cli import demo
from services.cli import packs as packs_cli
from services.cli.client import Client
from services.reports import exports, meetings, pdf
from services.runtime.settings import Settings
from tests.integration.gateway_harness import gateway_on
from tests.integration.system import until

CHROMIUM = pdf.chromium_path()
pytestmark = pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"{CHROMIUM} is missing: the PDF "
                                "needs Chromium (apt-get install -y chromium; .ci/run does)")


def pages(document: bytes) -> int:
    """The number of pages of a PDF as Chromium writes it (uncompressed page dictionaries)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", document))


def inked_share(pdf_file: Path) -> float | None:
    """The share of dark pixels of the first page printed to a grey image (pdftoppm), saved as
    a PNG beside the PDF; None when poppler's pdftoppm is not installed."""
    if shutil.which("pdftoppm") is None:
        return None
    stem = pdf_file.with_suffix("")
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "50", "-gray", "-singlefile",
                    str(pdf_file), str(stem)], check=True, timeout=60)
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "80", "-png", "-singlefile",
                    str(pdf_file), str(stem)], check=True, timeout=60)
    header, _, pixels = _pgm(stem.with_suffix(".pgm").read_bytes())
    return sum(1 for p in pixels if p < 160) / max(1, header[0] * header[1])


def _pgm(data: bytes) -> tuple[tuple[int, int], int, bytes]:
    fields = data.split(maxsplit=4)  # P5 width height maxval pixels
    return (int(fields[1]), int(fields[2])), int(fields[3]), fields[4]


async def test_the_packs_are_served_and_written_as_pages_to_print_and_as_pdf(
        settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rule: R-M1, R-M2, R-S5, R-O5, R-C5"""
    async with gateway_on(settings, list(COMPONENTS)) as h:
        client = await Client.open(settings)
        try:
            await demo.run(client, 2, "PR", out=lambda *_: None)
            today = datetime.now(settings.zone()).date()
            week, month = meetings.week_of(today), today.strftime("%Y-%m")

            page = await h.get(f"/packs/weekly/{week}.html", "ada")
            assert page.status_code == 200, page.text
            assert page.headers["content-type"].startswith("text/html")
            assert "default-src 'none'" in page.headers["content-security-policy"]
            assert f"<h1>周销售例会资料 {week} (R-M1)<br>" in page.text
            assert "<svg" in page.text and "<script" not in page.text
            english = await h.get(f"/packs/daily/{today.isoformat()}.html", "ada", lang="en")
            assert f"<h1>Daily 16:00 report {today.isoformat()}<br>" in english.text

            # Tomorrow's 16:00 has not come: the daily pack reads the tables as they stand,
            # so its figures are the read models' rows (the demo's last ones may be on the way).
            tomorrow = (today + timedelta(days=1)).isoformat()
            orders = exports.TABLES["orders"]

            async def agrees() -> bool:
                shown = await h.get(f"/packs/daily/{tomorrow}.html", "ada", lang="en")
                rows = len(await client.query(orders.subject, {}))
                return f"<th>Order Summary rows</th><td>{rows}</td>" in shown.text
            await until(agrees, what="the daily page's order count to equal the read model's")

            for kind, period in (("monthly", month), ("daily", tomorrow)):
                answer = await h.get(f"/packs/{kind}/{period}.pdf", "ada", lang="en")
                assert answer.status_code == 200, answer.text
                assert answer.headers["content-type"] == "application/pdf"
                assert f"pack-{kind}-{period}.pdf" in answer.headers["content-disposition"]
                assert answer.content.startswith(b"%PDF") and pages(answer.content) >= 1
            served = tmp_path / f"pack-daily-{tomorrow}.pdf"
            served.write_bytes(answer.content)
            ink = inked_share(served)
            print(f"daily pack PDF: {pages(answer.content)} pages, {len(answer.content)} bytes, "
                  f"first page inked {ink if ink is None else f'{ink:.1%}'}: {served} "
                  f"{served.with_suffix('.png') if ink is not None else ''}")
            assert ink is None or ink > 0.005  # not a blank page

            assert (await h.get("/packs/weekly/2025-W53.pdf", "ada")).status_code == 422
            assert (await h.http.get(f"/packs/weekly/{week}.html")).status_code == 401
            monkeypatch.setenv("SALESFLOW_CHROMIUM", str(tmp_path / "no-chromium"))
            refused = await h.get(f"/packs/weekly/{week}.pdf", "ada")
            assert refused.status_code == 503
            body = refused.json()
            assert "Chromium" in body["message_en"] and "Chromium" in body["message_zh"]
            monkeypatch.delenv("SALESFLOW_CHROMIUM")

            for file_format in ("html", "pdf"):
                output = tmp_path / f"weekly.{file_format}"
                args = argparse.Namespace(kind="weekly", period=week, lang="zh", output=output,
                                          format=file_format)
                assert await packs_cli.run(args, settings, client) == 0
            assert "周销售例会（R-M1）" in (tmp_path / "weekly.html").read_text()
            written = (tmp_path / "weekly.pdf").read_bytes()
            assert written.startswith(b"%PDF") and pages(written) >= 1
            print(f"salesflow pack weekly {week} --format pdf: {tmp_path / 'weekly.pdf'}")
        finally:
            await client.close()
