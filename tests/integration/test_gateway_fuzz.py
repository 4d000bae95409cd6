"""Schemathesis against the live OpenAPI document (issue 10): for every operation, a bounded
number of generated requests, valid and invalid, through the gateway's real HTTP server in
front of every service; no 5xx, every response matches the documented schema, and what the
schema forbids is refused. Not checked: that every schema-valid body is accepted — a command's
contract also holds rules a JSON schema cannot state (a last day not before the first, a date
within a window around now, no control characters), refused as 422 naming the field."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import positive_data_acceptance

from services.runtime.nats_server import EmbeddedNats
from services.runtime.settings import Settings
from tests.integration.live_gateway import Live, live_gateway

# Server-sent events never end: the browser tests (tests/browser) exercise the live feed.
STREAMS = frozenset({"/events/stream"})
EXAMPLES = 10  # per operation: about 1,000 requests in all, well inside the suite's budget


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    root: Path = tmp_path_factory.mktemp("fuzz")
    server = EmbeddedNats(root / "nats", log_file=root / "nats.log")
    server.start()
    try:
        with live_gateway(Settings(data_dir=root / "data", nats_url=server.url,
                                   fetch_batch=100, relay_batch=100)) as running:
            yield running
    finally:
        server.stop()


def test_the_gateway_answers_every_generated_request_as_documented(live: Live) -> None:
    api = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    headers = {"Authorization": f"Bearer {live.token}"}
    failures: dict[str, str] = {}
    statuses: Counter[int] = Counter()
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        if operation.path in STREAMS:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def exercise(case: schemathesis.Case) -> None:
            response = case.call_and_validate(base_url=live.url, headers=headers,
                                              excluded_checks=[positive_data_acceptance])
            statuses[response.status_code] += 1

        try:
            exercise()
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - all reported at the end
            failures[operation.label] = str(error)[:2000]
    print(f"{operations} operations, {sum(statuses.values())} requests, by status: "
          f"{dict(sorted(statuses.items()))}")
    assert operations >= 90, f"only {operations} operations in the document"
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
