"""The dashboard's forms send each command once: an Idempotency-Key per form fill (kept when the
same form is sent again after a network error, renewed after a success or a changed form) and
one submission in flight at a time; and a sales manager finds the R-M2 meeting-input forms."""
from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.conftest import actions_page, add_person
from tests.integration.live_gateway import Live

MANAGER = "sam"  # holds only sales_manager
NEED = "**/commands/sales/record_resource_need"
MONTH = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")  # the live system's zone


@pytest.fixture(scope="module")
def manager(live: Live) -> str:
    return add_person(live, MANAGER, "Sam 业务经理", "sales_manager")


@pytest.fixture
def actions(browser: Any, live: Live, manager: str) -> Iterator[Any]:
    """The sales manager signed in, on the Actions tab, with the resource-need form."""
    page = actions_page(browser, live, manager, "sales.record_resource_need")
    page.select_option("#command", "sales.record_resource_need")
    page.wait_for_selector("#action-fields [data-field='summary']")
    yield page
    page.context.close()


@pytest.fixture(scope="module")
def http(live: Live) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=15,
                      headers={"Authorization": f"Bearer {live.token}"}) as client:
        yield client


def fill(page: Any, summary: str) -> None:
    page.fill("[name='month']", MONTH)
    page.select_option("select[name='department']", "production")
    page.fill("[name='summary']", summary)


def submitted(page: Any) -> int:
    return int(page.evaluate("document.body.dataset.submitted || 0"))


def wait_submitted(page: Any, count: int) -> None:
    page.wait_for_selector(f"body[data-submitted='{count}']", state="attached")


def keys_sent(page: Any) -> list[str | None]:
    """The Idempotency-Key of every resource-need request the page makes from now on."""
    seen: list[str | None] = []
    page.on("request", lambda r: seen.append(r.headers.get("idempotency-key"))
            if r.method == "POST" and "record_resource_need" in r.url else None)
    return seen


def items_named(http: httpx.Client, summary: str, at_least: int = 1) -> list[dict[str, Any]]:
    """The month's standing items with ``summary``, once the projections show ``at_least``."""
    deadline, found = time.monotonic() + 10, []
    while time.monotonic() < deadline:
        answer = http.get(f"/months/meeting-inputs/{MONTH}")
        assert answer.status_code == 200, answer.text
        found = [i for i in answer.json()["items"] if i["summary"] == summary]
        if len(found) >= at_least:
            break
        time.sleep(0.05)
    return found


def test_a_sales_manager_is_offered_the_r_m2_forms_with_chinese_labels(actions: Any) -> None:
    """rule: R-M2"""
    offered = actions.eval_on_selector_all("#command option", "els => els.map(e => e.value)")
    assert {"sales.record_resource_need", "sales.record_improvement",
            "sales.withdraw_meeting_input"} <= set(offered)
    assert "sales.request_sample" not in offered
    assert "会议月份" in actions.inner_text("[data-field='month']")
    assert "相关部门" in actions.inner_text("[data-field='department']")
    assert actions.locator("select[name='department'] option[value='purchasing']").count() == 1


def test_a_double_click_sends_one_request_and_stores_one_item(actions: Any,
                                                               http: httpx.Client) -> None:
    """rule: R-M2"""
    keys = keys_sent(actions)
    fill(actions, "double click 双击")
    before = submitted(actions)
    actions.dblclick("[data-testid=submit]")
    wait_submitted(actions, before + 1)
    assert "ResourceNeedRecorded" in actions.inner_text("[data-testid=action-result]")
    assert len(items_named(http, "double click 双击")) == 1
    assert len(keys) == 1 and keys[0], keys


def test_nothing_more_is_sent_while_a_submission_is_in_flight(actions: Any,
                                                              http: httpx.Client) -> None:
    held: list[Any] = []
    actions.route(NEED, lambda route: held.append(route))
    fill(actions, "in flight 提交中")
    before = submitted(actions)
    actions.click("[data-testid=submit]")
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        actions.wait_for_timeout(20)
    assert len(held) == 1 and actions.is_disabled("[data-testid=submit]")
    actions.evaluate("document.getElementById('action-form').requestSubmit()")  # Enter, a script
    actions.wait_for_timeout(300)  # a second request would have reached the route by now
    assert len(held) == 1
    held[0].continue_()
    wait_submitted(actions, before + 1)
    assert actions.is_enabled("[data-testid=submit]")
    assert len(items_named(http, "in flight 提交中")) == 1


def test_a_form_sent_again_after_a_lost_reply_is_stored_once(actions: Any,
                                                             http: httpx.Client) -> None:
    """The command reached the gateway and was stored, but its reply was lost: sent again with
    the same key, the gateway answers the first reply and stores nothing more."""
    keys = keys_sent(actions)
    first: list[Any] = []

    def lose_the_reply(route: Any) -> None:
        first.append(route.fetch().json())
        route.abort("failed")
    actions.route(NEED, lose_the_reply)
    fill(actions, "lost reply 回复丢失")
    before = submitted(actions)
    actions.click("[data-testid=submit]")
    wait_submitted(actions, before + 1)
    assert actions.inner_text("[data-testid=action-error]").strip()  # the network error shown
    actions.unroute(NEED)
    actions.click("[data-testid=submit]")  # the same form again
    wait_submitted(actions, before + 2)
    assert "ResourceNeedRecorded" in actions.inner_text("[data-testid=action-result]")
    assert keys[0] and keys[1] == keys[0], keys
    assert len(items_named(http, "lost reply 回复丢失")) == 1
    assert len(first) == 1 and first[0]["ok"], first
    # After the success the same form is a new command, with a new key: a second item.
    actions.click("[data-testid=submit]")
    wait_submitted(actions, before + 3)
    assert keys[2] not in (None, keys[0]), keys
    assert len(items_named(http, "lost reply 回复丢失", at_least=2)) == 2


def test_a_changed_form_gets_a_new_key_after_a_network_error(actions: Any) -> None:
    keys = keys_sent(actions)
    actions.route(NEED, lambda route: route.abort("failed"))
    fill(actions, "first wording 初稿")
    before = submitted(actions)
    actions.click("[data-testid=submit]")
    wait_submitted(actions, before + 1)
    actions.fill("[name='summary']", "second wording 改稿")
    actions.click("[data-testid=submit]")
    wait_submitted(actions, before + 2)
    assert len(keys) == 2 and keys[0] and keys[1] and keys[0] != keys[1], keys
