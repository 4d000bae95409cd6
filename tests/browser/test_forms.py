"""The dashboard's "Actions" tab: only the commands the person's roles allow, forms generated from
the OpenAPI request schemas, refusals next to their field or as the rule's sentence, the stored
events on success; and the table refetched once after the live feed comes back."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CUSTOMER, Commands, actions_page, add_person
from tests.browser.test_dashboard import request_sample
from tests.integration.live_gateway import Live

ASSISTANT = "amy"  # holds only sales_assistant


@pytest.fixture(scope="module")
def assistant(live: Live) -> str:
    return add_person(live, ASSISTANT, "Amy 助理", "sales_assistant")


@pytest.fixture
def actions(browser: Any, live: Live, assistant: str) -> Iterator[Any]:
    """The assistant signed in, on the Actions tab."""
    page = actions_page(browser, live, assistant, "sales.request_sample")
    yield page
    page.context.close()


def choose(page: Any, command: str) -> None:
    page.select_option("#command", command)
    page.wait_for_selector("#action-fields [data-field='request_no']")


def submit(page: Any) -> None:
    # The page's CSP forbids eval, so wait on an attribute rather than a JS predicate.
    before = int(page.evaluate("document.body.dataset.submitted || 0"))
    page.click("[data-testid=submit]")
    page.wait_for_selector(f"body[data-submitted='{before + 1}']", state="attached")


def test_a_sales_assistant_sees_request_sample_but_not_costing_or_lot_inspection(
        actions: Any, artefacts: Path) -> None:
    offered = actions.eval_on_selector_all("#command option", "els => els.map(e => e.value)")
    assert "sales.request_sample" in offered
    assert "sales.complete_costing" not in offered
    assert "quality.inspect_lot" not in offered
    assert all(not o.startswith(("quality.", "engineering.", "production.")) for o in offered)
    # The form is the schema's: its Chinese labels, a checkbox per material, a select for enums.
    choose(actions, "sales.request_sample")
    assert "客户" in actions.inner_text("[data-field='customer']")
    assert actions.locator("[data-field='materials.drawings'] input[type=checkbox]").count() == 1
    assert actions.locator("select[name='purpose']").count() == 1
    actions.screenshot(path=str(artefacts / "actions.png"), full_page=True)


def test_opening_an_application_before_the_price_is_approved_shows_r_s3_in_chinese(
        actions: Any, commands: Commands, artefacts: Path) -> None:
    """rule: R-S3"""
    request_sample(commands, "B-FORM-1")
    choose(actions, "sales.open_sample_application")
    actions.fill("[name='request_no']", "B-FORM-1")
    actions.fill("[name='application_no']", "APP-1")
    submit(actions)
    shown = actions.inner_text("[data-testid=action-error]")
    assert shown.startswith("R-S3"), shown
    assert "价格未经客户确认，不能开立样品加工申请表" in shown
    actions.click("#lang")  # the same refusal, now in English
    assert "approved price" in actions.inner_text("[data-testid=action-error]")
    actions.screenshot(path=str(artefacts / "refused-r-s3.png"), full_page=True)


def test_an_empty_required_field_is_refused_next_to_that_field(actions: Any) -> None:
    choose(actions, "sales.request_sample")
    actions.fill("[name='request_no']", "B-FORM-2")
    actions.fill("[name='product']", "foam pad 泡棉垫")
    actions.fill("[name='part_no']", "P-FORM-2")
    actions.fill("[name='salesperson']", "bob")  # the customer is left empty
    submit(actions)
    beside = actions.inner_text("[data-error-for='customer']")
    assert "customer" in beside and beside.strip(), beside
    assert actions.inner_text("[data-testid=action-error]") == ""
    assert actions.inner_text("[data-testid=action-result]") == ""


def test_a_request_sample_given_on_the_form_shows_its_stored_event(
        actions: Any, commands: Commands, artefacts: Path) -> None:
    choose(actions, "sales.request_sample")
    actions.fill("[name='request_no']", "B-FORM-3")
    actions.fill("[name='customer']", CUSTOMER)
    actions.fill("[name='product']", "foam pad 泡棉垫")
    actions.fill("[name='part_no']", "P-FORM-3")
    actions.fill("[name='salesperson']", "bob")
    actions.check("[name='materials.drawings']")
    submit(actions)
    result = actions.inner_text("[data-testid=action-result]")
    assert "SampleRequested" in result, (result, actions.inner_text("#action-form"))
    assert "已保存" in result
    # The audit trail is a projection: it shows the event once the projections applied it.
    deadline, history = time.monotonic() + 10, []
    while time.monotonic() < deadline and not history:
        history = commands.http.get("/records/B-FORM-3/history").json().get("items", [])
        time.sleep(0.05)
    assert any(e["type"] == "SampleRequested" and e["actor_user"] == ASSISTANT for e in history)
    actions.screenshot(path=str(artefacts / "stored.png"), full_page=True)


def test_the_visible_table_is_fetched_again_once_the_live_feed_is_back(
        actions: Any) -> None:
    actions.click("[data-tab=samples]")
    actions.wait_for_selector("#table tbody tr")
    loaded = int(actions.evaluate("document.body.dataset.loaded"))
    actions.route("**/events/stream", lambda route: route.fulfill(status=503, body="gone"))
    actions.evaluate("connectFeed()")
    actions.wait_for_selector("#lost:not([hidden])")
    actions.unroute("**/events/stream")
    actions.wait_for_selector("#live.on", timeout=10_000)
    actions.wait_for_selector(f"body[data-loaded='{loaded + 1}']", state="attached")
