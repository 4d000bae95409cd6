"""The dashboard in headless Chromium (Debian's /usr/bin/chromium, driven by playwright) against
the whole system and the gateway's real HTTP server (tests/integration/live_gateway.py)."""
from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from tests.integration.live_gateway import PASSWORD, Live, live_gateway

CHROMIUM = Path(os.environ.get("SALESFLOW_CHROMIUM", "/usr/bin/chromium"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
CUSTOMER_NO, CUSTOMER = "B-C1", "Lumen Optics 流明光学"  # onboarded once (R-S1)
USER = "omni"  # live_gateway's person with every role (and PASSWORD)

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright ([test])")


@pytest.fixture(scope="package")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("nats")
    server = EmbeddedNats(tmp / "nats", log_file=tmp / "nats.log")
    server.start()
    yield server.url
    server.stop()


@pytest.fixture(scope="package")
def live(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Live]:
    """One running system for every browser test (starting one takes seconds)."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("data"), nats_url=nats_url,
                        fetch_batch=100, relay_batch=100, ack_wait_seconds=5,
                        timer_grace_seconds=0.5)
    with live_gateway(settings) as running:
        yield running


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="package")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go (printed, so a failing run's pictures can be found)."""
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"screenshots in {folder}")
    return folder


@pytest.fixture(scope="package")
def commands(live: Live, nats_url: str) -> Iterator[Commands]:
    sender = Commands(live, nats_url)
    sender.customer(CUSTOMER_NO, CUSTOMER)
    yield sender
    sender.http.close()


def signed_in_page(browser: Any, live: Live, username: str = USER, **options: Any) -> Any:
    """A fresh browser context (its own cookies) with the dashboard open and signed in."""
    page = browser.new_context(**options).new_page()
    page.goto(live.url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form#signin button[type=submit]")
    page.wait_for_selector("#board:not([hidden])")
    page.wait_for_selector("#live.on")
    return page


def add_person(live: Live, username: str, display_name: str, role: str) -> str:
    """A person holding only ``role``, with the tests' password, added by the admin over HTTP."""
    with httpx.Client(base_url=live.url, timeout=15) as http:
        signed = http.post("/session", json={"username": "ada", "password": PASSWORD})
        assert signed.status_code == 200, signed.text
        added = http.post("/users", headers={"X-CSRF-Token": signed.json()["csrf_token"]}, json={
            "username": username, "display_name": display_name, "user_department": "sales",
            "roles": [role], "password": PASSWORD})
        assert added.status_code == 200, added.text
    return username


def actions_page(browser: Any, live: Live, username: str, command: str) -> Any:
    """``username`` signed in, on the Actions tab once ``command``'s form is offered."""
    page = signed_in_page(browser, live, username)
    page.click("[data-testid=tab-actions]")
    page.wait_for_selector(f"#command option[value='{command}']", state="attached")
    return page


class Commands:
    """Commands over HTTP as the person with every role (their API token)."""

    def __init__(self, live: Live, nats_url: str) -> None:
        self.nats_url = nats_url
        self.http = httpx.Client(base_url=live.url, timeout=15,
                                 headers={"Authorization": f"Bearer {live.token}"})

    def send(self, department: str, name: str, role: str, **body: Any) -> dict[str, Any]:
        answer = self.http.post(f"/commands/{department}/{name}", json=body, headers={
            "Salesflow-Role": role, "Idempotency-Key": str(uuid.uuid4())})
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def customer(self, customer_no: str, name: str) -> None:
        """R-S1: a customer confirmed, so samples may be requested for it."""
        from services.cli.client import Client
        from services.cli.demo import Demo
        from services.cli.demo_customers import onboard

        async def run() -> None:
            import nats

            nc = await nats.connect(self.nats_url)
            try:
                await onboard(Demo(Client(nc), lambda *_: None), customer_no, name)
            finally:
                await nc.drain()

        # playwright's sync API runs an event loop in this thread: use another thread's.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, run()).result()
