"""`salesflow up` starts the HTTP gateway and says where it is (issue 10)."""
from __future__ import annotations

import json
import re
import socket
import subprocess
import urllib.request

from tests.e2e.cli import SALESFLOW, System


def test_a_taken_gateway_port_is_one_sentence_and_nothing_starts(system: System) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = dict(system.env, SALESFLOW_GATEWAY_PORT=str(port))
        done = subprocess.run([SALESFLOW, "up"], env=env, capture_output=True, text=True, check=False,
                              timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"127.0.0.1:{port}" in done.stderr and "SALESFLOW_GATEWAY_PORT" in done.stderr
    assert "端口" in done.stderr and "Traceback" not in done.stderr
    assert "starting nats-server" not in done.stdout


def gateway_url(system: System) -> str:
    def announced() -> str | None:
        found = re.search(r"HTTP: (http://\S+)", system.up_log.read_text())
        return found.group(1) if found else None
    return str(system.wait_for(announced, "salesflow up to print the gateway's address"))


def get(url: str) -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_up_starts_the_gateway_and_prints_its_address(system: System) -> None:
    system.start()
    url = gateway_url(system)
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url), url
    status, health = system.wait_for(lambda: (h := get(f"{url}/health"))[0] == 200 and h,
                                     "the gateway to be healthy")
    assert health["ok"] is True
    status, refused = get(f"{url}/tables/samples")
    assert status == 401 and "登录" in str(refused["message_zh"])
    with urllib.request.urlopen(f"{url}/openapi.json", timeout=5) as answer:
        assert "/commands/sales/request_sample" in json.loads(answer.read())["paths"]
    assert system.stop() == 0


def test_the_first_admin_is_made_on_the_machine_and_acts_through_the_gateway(
        system: System) -> None:
    """`salesflow users add` (the operator's CLI), then sign-in and commands over HTTP; the audit
    trail shows the people who signed in."""
    system.start()
    url = gateway_url(system)
    added = subprocess.run([SALESFLOW, "users", "add", "ada", "--name", "Ada 李娜",
                            "--department", "administration", "--role", "admin",
                            "--password-stdin"], input="first admin password\n", env=system.env,
                           capture_output=True, text=True, timeout=60, check=False)
    assert added.returncode == 0, added.stdout + added.stderr
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def call(method: str, path: str, body: object | None = None, **headers: str
             ) -> tuple[int, dict[str, object]]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{url}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json", **headers})
        try:
            with opener.open(request, timeout=10) as answer:
                return answer.status, json.loads(answer.read() or b"{}")
        except urllib.error.HTTPError as refused:
            return refused.code, json.loads(refused.read() or b"{}")

    status, session = system.wait_for(
        lambda: (s := call("POST", "/session", {"username": "ada",
                                                "password": "first admin password"}))[0] == 200
        and s, "the admin to sign in")
    csrf = {"X-CSRF-Token": str(session["csrf_token"])}
    status, _ = call("POST", "/users", {"username": "amy", "display_name": "Amy 王艾米",
                                        "user_department": "sales",
                                        "roles": ["sales_assistant"],
                                        "password": "assistant password"}, **csrf)
    assert status == 200
    status, _ = call("DELETE", "/session", **csrf)
    assert status == 204
    status, session = call("POST", "/session", {"username": "amy",
                                                 "password": "assistant password"})
    assert status == 200
    status, stored = call("POST", "/commands/sales/request_sample", {
        "request_no": "E-GW-1", "customer": "ACME", "product": "gasket", "part_no": "P-1",
        "salesperson": "bob", "materials": {"drawings": True}, "purpose": "sample"},
        **{"X-CSRF-Token": str(session["csrf_token"])})
    assert status == 200 and stored["ok"] is True
    trail = system.wait_for(lambda: "SampleRequested" in (t := system.run(
        "history", "E-GW-1", check=False).stdout) and t, "the sample in the audit trail")
    assert "amy" in trail and "sales_assistant" in trail
    listed = system.run("users", "list").stdout
    assert "ada" in listed and "amy" in listed
    assert system.stop() == 0
