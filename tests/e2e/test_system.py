"""End to end, as a user runs it: `salesflow up`, `demo`, `samples`, `history`, crashes, restarts."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from services.cli.demo import FINAL_STATUS
from tests.e2e.cli import SALESFLOW, System
from tests.trails import check_trail

pytestmark = pytest.mark.e2e

def expected(prefix: str, count: int) -> dict[str, str]:
    """The status ``salesflow demo`` leaves each of its samples in."""
    return {f"{prefix}-{i + 1:03d}": FINAL_STATUS[i % len(FINAL_STATUS)] for i in range(count)}


def statuses(system: System) -> dict[str, str]:
    """The summary's statuses; empty while the projections do not answer (e.g. reconnecting)."""
    done = system.run("samples", "--json", check=False)
    if done.returncode != 0:
        return {}
    return {r["request_no"]: r["status"] for r in json.loads(done.stdout)}


def test_up_demo_samples_history_and_a_clean_stop(system: System, tmp_path: Path) -> None:
    """rule: R-S3 rule: R-S5 — the demo's samples appear in the summary with their statuses."""
    system.start()
    out = system.run("demo", "--customers", "6", "--prefix", "E").stdout
    assert "refused as expected: rule [R-S3]" in out and "价格未经客户确认" in out
    assert "refused as expected: rule [R-S4]" in out and "penalty requested" in out
    want = expected("E", 6)
    system.wait_for(lambda: statuses(system) == want, "the demo samples in the summary")
    table = system.run("samples").stdout
    assert "E-002" in table and "已交回业务" in table and "Customer 客户" in table
    returned = system.run("samples", "--status", "returned", "--json")
    assert '"E-002"' in returned.stdout and '"E-003"' not in returned.stdout
    trail = system.run("history", "E-001").stdout
    for event in ("SampleRequested", "SamplingScheduled", "DeliveryPromised", "SampleReturnedToSales",
                  "SampleShipped", "TrialRecorded", "SampleApprovalSigned", "OrderChaseStarted"):
        assert event in trail
    assert "pmc_planner" in trail and "amy" in trail
    table = system.run("status").stdout
    assert "Component 组件" in table and "Backlog 待发布" in table and "Processed 已处理" in table
    assert "dead letters in SALESFLOW_DEAD_LETTERS: 0" in table
    read, write = os.pipe()
    os.close(read)  # `salesflow status | head -0`: no traceback
    with os.fdopen(write, "wb") as closed:
        done = subprocess.run([SALESFLOW, "status"], env=system.env, stdout=closed,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 141 and done.stderr == ""
    assert "rebuilt from" in system.run("rebuild").stdout
    assert statuses(system) == want
    assert system.stop() == 0
    log = system.up_log.read_text()
    assert "stopped; data kept in" in log and "Traceback" not in log
    assert not (tmp_path / "data" / "nats.url").exists()


def test_a_killed_department_and_a_full_restart_lose_and_duplicate_nothing(system: System) -> None:
    """rule: R-S3 rule: R-S7 — every sample present exactly once with the right status."""
    pids = system.start()
    demo = subprocess.Popen([SALESFLOW, "demo", "--customers", "24", "--prefix", "K"], env=system.env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    system.wait_for(lambda: len(system.json("samples")) >= 3, "the demo to get going", timeout=30)
    os.kill(pids["production"], signal.SIGKILL)
    os.kill(pids["engineering"], signal.SIGKILL)
    output, _ = demo.communicate(timeout=180)
    assert demo.returncode == 0, output
    assert "restarting" in system.up_log.read_text()
    assert system.stop() == 0

    system.start()
    want = expected("K", 24)
    system.wait_for(lambda: statuses(system) == want, "every sample with its final status")
    rows = system.json("samples")
    assert sorted(r["request_no"] for r in rows) == sorted(want)  # exactly once each
    for index, number in enumerate(want):
        check_trail(index, number, system.json("history", number))


def test_a_taken_port_is_reported_in_one_sentence(system: System) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = dict(system.env, SALESFLOW_NATS_PORT=str(port))
        done = subprocess.run([SALESFLOW, "up"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert f"port {port} is already in use" in done.stderr and "端口" in done.stderr
    assert "Traceback" not in done.stderr


def test_commands_without_a_running_system_say_so(system: System) -> None:
    done = system.run("samples", check=False)
    assert done.returncode == 2 and "salesflow up" in done.stderr and "Traceback" not in done.stderr
    env = dict(system.env, NATS_URL="nats://127.0.0.1:1")
    done = subprocess.run([SALESFLOW, "samples"], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "unreachable" in done.stderr and "无法连接" in done.stderr


def test_the_embedded_nats_is_restarted_when_it_dies(system: System, tmp_path: Path) -> None:
    """rule: R-S3 — the system carries on after its broker crashed, losing nothing."""
    system.start()
    system.run("demo", "--customers", "3", "--prefix", "N1")
    store = str(tmp_path / "data" / "nats")
    found = subprocess.run(["pgrep", "-f", f"nats-server.*{store}"], capture_output=True, text=True)
    [pid] = [int(p) for p in found.stdout.split()]
    os.kill(pid, signal.SIGKILL)
    system.wait_for(lambda: "nats-server  ready again" in system.up_log.read_text(),
                    "the supervisor to restart nats-server")
    system.run("demo", "--customers", "3", "--prefix", "N2")
    want = {**expected("N1", 3), **expected("N2", 3)}
    system.wait_for(lambda: statuses(system) == want, "all six samples after the broker restart")
    assert system.stop() == 0
