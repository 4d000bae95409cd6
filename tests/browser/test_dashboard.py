"""The dashboard in the browser: sign in, the tables filling live, a second page following a
command within a second, the language switch, a record's timeline, "as of", the lost feed."""
from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.browser.conftest import CUSTOMER, USER, Commands, signed_in_page
from tests.integration.live_gateway import Live


def request_sample(commands: Commands, no: str) -> None:
    commands.send("sales", "request_sample", "sales_assistant", request_no=no, customer=CUSTOMER,
                  product="foam pad 泡棉垫", part_no=f"P-{no}", salesperson="bob",
                  materials={"drawings": True})


def test_a_wrong_password_is_refused_in_chinese_and_the_right_one_shows_the_tables(
        browser: Any, live: Live, artefacts: Path) -> None:
    page = browser.new_context().new_page()
    page.goto(live.url + "/")
    assert page.title() == "业务部流程看板"
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", "not the password")
    page.click("form#signin button[type=submit]")
    page.wait_for_selector("#signin-error:has-text('用户名或密码错误')")
    page.screenshot(path=str(artefacts / "refused.png"))
    page.context.close()
    page = signed_in_page(browser, live)
    assert page.inner_text("#table thead").split("\t")[0].strip() == "编号"
    assert "Every Role" in page.inner_text("#who")
    page.screenshot(path=str(artefacts / "signed-in.png"), full_page=True)
    page.context.close()


def test_a_command_over_http_appears_on_two_open_pages_within_a_second(
        browser: Any, live: Live, commands: Commands, artefacts: Path) -> None:
    first, second = signed_in_page(browser, live), signed_in_page(browser, live)
    delays = []
    for i in range(1, 4):  # the table fills while commands run, row by row
        no = f"B-LIVE-{i}"
        started = time.monotonic()
        request_sample(commands, no)
        second.wait_for_selector(f"tr[data-record='{no}']", timeout=5000)
        delays.append(time.monotonic() - started)
        first.wait_for_selector(f"tr[data-record='{no}']", timeout=5000)
    print(f"command to row on a second page: {', '.join(f'{d * 1000:.0f} ms' for d in delays)}")
    assert max(delays) < 1.0, delays
    assert second.locator("#table tbody tr").count() >= 3
    second.screenshot(path=str(artefacts / "live.png"), full_page=True)
    first.context.close()
    second.context.close()


def test_the_language_switch_turns_every_label_english_and_back(
        browser: Any, live: Live, artefacts: Path) -> None:
    page = signed_in_page(browser, live)
    page.click("#lang")
    assert page.inner_text("[data-tab=samples]") == "Sample Summary"
    assert page.inner_text("#table thead th >> nth=0") == "No."
    assert page.title() == "salesflow dashboard"
    page.click("[data-tab=sla]")
    page.wait_for_selector("#table thead th:has-text('Due')")
    page.screenshot(path=str(artefacts / "english-sla.png"), full_page=True)
    page.click("#lang")
    assert page.inner_text("[data-tab=samples]") == "打样记录汇总表"
    page.context.close()


def test_a_records_timeline_shows_who_did_what_and_when(
        browser: Any, live: Live, commands: Commands, artefacts: Path) -> None:
    request_sample(commands, "B-TL-1")
    page = signed_in_page(browser, live)
    page.click("tr[data-record='B-TL-1'] a.record")
    page.wait_for_selector("#timeline li:has-text('SampleRequested')")
    assert USER in page.inner_text("#timeline")
    page.screenshot(path=str(artefacts / "timeline.png"), full_page=True)
    page.context.close()


def test_the_as_of_picker_shows_the_table_before_a_sample_was_requested(
        browser: Any, live: Live, commands: Commands) -> None:
    before = datetime.now(UTC)
    time.sleep(1.1)  # the picker has whole seconds: the moment must fall before the request
    request_sample(commands, "B-ASOF-1")
    page = signed_in_page(browser, live)
    page.wait_for_selector("tr[data-record='B-ASOF-1']")
    local = page.evaluate("(ms) => { const d = new Date(ms - new Date(ms).getTimezoneOffset() "
                          "* 60000); return d.toISOString().slice(0, 19); }",
                          before.timestamp() * 1000)
    page.fill("#as-of", local)
    page.dispatch_event("#as-of", "change")
    page.wait_for_selector("tr[data-record='B-ASOF-1']", state="detached")
    assert "截至" in page.inner_text("#count")
    page.click("#as-of-clear")
    page.wait_for_selector("tr[data-record='B-ASOF-1']")
    page.context.close()


def test_a_lost_feed_is_shown_and_the_page_reconnects(browser: Any, live: Live) -> None:
    page = signed_in_page(browser, live)
    page.route("**/events/stream", lambda route: route.fulfill(status=503, body="gone"))
    page.evaluate("connectFeed()")
    page.wait_for_selector("#lost:not([hidden]):has-text('实时更新已断开')")
    page.unroute("**/events/stream")
    page.wait_for_selector("#lost[hidden]", state="attached", timeout=10_000)
    page.wait_for_selector("#live.on")
    page.context.close()


def test_the_page_fits_a_phone(browser: Any, live: Live, artefacts: Path) -> None:
    page = signed_in_page(browser, live, viewport={"width": 390, "height": 800},
                          is_mobile=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width  # the table scrolls inside its box, the page does not
    page.screenshot(path=str(artefacts / "phone.png"), full_page=True)
    page.context.close()
