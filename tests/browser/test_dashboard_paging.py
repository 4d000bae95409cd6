"""A summary table larger than a page in the browser (issue 12): the dashboard shows the
server's pages ("page k of n" of the whole total), sorts by a column header and searches on the
server, and a live notice reloads the page being read. Its own system: the generated rows would
change the counts the other browser tests read."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from projections.model import Rebuilding
from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from tests.browser.conftest import CUSTOMER, CUSTOMER_NO, Commands, signed_in_page
from tests.integration.live_gateway import Live, live_gateway
from tests.integration.test_table_paging import generated, write

ROWS = 250  # three pages of 100


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Live, Settings]]:
    tmp = tmp_path_factory.mktemp("paging")
    server = EmbeddedNats(tmp / "nats", log_file=tmp / "nats.log")
    server.start()
    settings = Settings(data_dir=tmp / "data", nats_url=server.url, fetch_batch=100,
                        relay_batch=100, ack_wait_seconds=5, timer_grace_seconds=0.5)
    try:
        with live_gateway(settings) as running:
            yield running, settings
    finally:
        server.stop()


def first_record(page: Any) -> str:
    return str(page.get_attribute("#table tbody tr", "data-record"))


def test_the_dashboard_pages_sorts_and_searches_a_table_larger_than_a_page_on_the_server(
        browser: Any, big: tuple[Live, Settings], artefacts: Path) -> None:
    live, settings = big
    deadline = time.monotonic() + 15
    while True:  # the samples model is live once the projections made its tables
        try:
            write(settings, generated(ROWS))
            break
        except (Rebuilding, OperationalError):  # not live yet, or the projections writing
            assert time.monotonic() < deadline, "the samples model never became writable"
            time.sleep(0.1)
    page = signed_in_page(browser, live)
    page.wait_for_selector("#page:has-text('第 1 / 3 页')")
    assert "共 250 条，显示 100 条" in page.inner_text("#count")
    assert page.locator("#table tbody tr").count() == 100

    page.click("#next")
    page.wait_for_selector("#page:has-text('第 2 / 3 页')")
    page.wait_for_selector("tr[data-record='S-00100']")
    assert first_record(page) == "S-00100" and page.locator("#table tbody tr").count() == 100

    # A live notice reloads the page being read: a sample whose number falls on page 2.
    commands = Commands(live, settings.nats_url or "")
    try:
        commands.customer(CUSTOMER_NO, CUSTOMER)
        commands.send("sales", "request_sample", "sales_assistant", request_no="S-00150A",
                      customer=CUSTOMER, product="foam pad", part_no="P-150A",
                      salesperson="bob", materials={"drawings": True})
    finally:
        commands.http.close()
    page.wait_for_selector("tr[data-record='S-00150A']", timeout=5000)
    assert "第 2 / 3 页" in page.inner_text("#page") and "共 251 条" in page.inner_text("#count")

    page.click("#table th[data-key='customer']")  # ascending, from the first page
    page.wait_for_selector("#page:has-text('第 1 / 3 页')")
    page.wait_for_selector("#table th[data-key='customer'].asc")
    assert first_record(page) == "S-00000"  # ACME, then by record number
    page.click("#table th[data-key='customer']")  # the second click turns the order around
    page.wait_for_selector("#table th[data-key='customer'].desc")
    # Zeta_100%, the last customer, first now; its rows too run from the last number
    page.wait_for_selector("#table tbody tr:first-child[data-record='S-00247']")
    assert not page.locator("#table th[data-key='flags']").get_attribute("class")

    page.fill("#filter", "s-0012")
    page.wait_for_selector("#page:has-text('第 1 / 1 页')")
    assert "共 10 条" in page.inner_text("#count")
    assert sorted(page.eval_on_selector_all("#table tbody tr", "rows => rows.map("
                                            "r => r.dataset.record)")) == \
        [f"S-0012{i}" for i in range(10)]
    page.screenshot(path=str(artefacts / "paged-search.png"), full_page=True)
    page.fill("#filter", "")
    page.wait_for_selector("#page:has-text('第 1 / 3 页')")
    page.context.close()
