"""`salesflow up` as a user runs it: a closed terminal or output, a second or a killed `up`, a store
that cannot be opened, a component that cannot start. No process may outlive the test."""
from __future__ import annotations

import os
import select
import signal
import subprocess
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from services.runtime.nats_server import EmbeddedNats
from tests.e2e.cli import SALESFLOW, System, processes_using

pytestmark = pytest.mark.e2e


def up(system: System, log: Path | None = None, **popen: Any) -> subprocess.Popen[bytes]:
    """`salesflow up` in the background, its output appended to ``log`` (default the system's)."""
    with open(log or system.up_log, "ab") as out:
        popen.setdefault("stdout", out)
        popen.setdefault("stderr", subprocess.STDOUT)
        return subprocess.Popen([SALESFLOW, "up"], env=system.env, **popen)


def test_closing_the_terminal_stops_every_process_like_ctrl_c(system: System) -> None:
    system.start()
    assert system.process is not None
    system.process.send_signal(signal.SIGHUP)
    assert system.process.wait(30) == 0
    log = system.up_log.read_text()
    assert "SIGHUP received" in log and "stopped; data kept in" in log and "Traceback" not in log
    assert not processes_using(system.data_dir)  # `up` returned only after all of them ended


def test_a_component_in_the_foreground_stops_cleanly_when_its_terminal_closes(
        system: System, nats_server: EmbeddedNats) -> None:
    """`salesflow service quality`, as docker-compose or an operator runs it."""
    env = dict(system.env, NATS_URL=nats_server.url)
    with open(system.up_log, "ab") as out:
        system.process = subprocess.Popen([SALESFLOW, "service", "quality"], env=env, stdout=out,
                                          stderr=subprocess.STDOUT)
    system.wait_for(lambda: "quality service ready" in system.up_log.read_text(), "quality to run")
    system.process.send_signal(signal.SIGHUP)
    try:
        code = system.process.wait(30)
    except subprocess.TimeoutExpired:
        raise AssertionError("quality did not stop:\n" + system.up_log.read_text()) from None
    assert code == 0
    assert "Traceback" not in system.up_log.read_text()


def test_under_nohup_a_closed_terminal_does_not_stop_it(system: System) -> None:
    system.process = up(system, preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    system.wait_for(lambda: "starting nats-server" in system.up_log.read_text(), "up to start")
    system.process.send_signal(signal.SIGHUP)
    system.process.send_signal(signal.SIGINT)
    assert system.process.wait(30) == 0
    log = system.up_log.read_text()
    assert "SIGINT received" in log and "SIGHUP" not in log


def test_a_closed_output_stops_every_process_without_a_traceback(system: System, tmp_path: Path) -> None:
    """`salesflow up | head -1`: the reader leaves once it has its line."""
    errors = tmp_path / "up.err"
    with open(errors, "wb") as err:
        system.process = up(system, stdout=subprocess.PIPE, stderr=err)
    assert system.process.stdout is not None
    seen, deadline = b"", time.monotonic() + 60
    while b"salesflow is up" not in seen:
        assert time.monotonic() < deadline and system.process.poll() is None, seen.decode()
        if select.select([system.process.stdout], [], [], 0.5)[0]:
            seen += os.read(system.process.stdout.fileno(), 65536)
    system.process.stdout.close()
    assert system.process.wait(30) == 0
    text = errors.read_text()
    assert "standard output was closed" in text and "stopped; data kept in" in text
    assert "Traceback" not in text
    assert not processes_using(system.data_dir)


def test_up_into_an_already_closed_pipe_starts_nothing_and_prints_no_traceback(system: System) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run([SALESFLOW, "up"], env=system.env, stdout=write, stderr=subprocess.PIPE,
                              text=True, timeout=60)
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert "standard output was closed" in done.stderr and "Traceback" not in done.stderr
    assert not (system.data_dir / "nats").exists()
    assert not processes_using(system.data_dir)


def test_of_two_ups_started_together_on_one_data_dir_one_is_refused(system: System, tmp_path: Path) -> None:
    first = up(system)
    second = up(system, tmp_path / "second.log")
    deadline = time.monotonic() + 60
    while first.poll() is None and second.poll() is None:
        assert time.monotonic() < deadline, "neither `up` was refused"
        time.sleep(0.1)
    refused, system.process = (first, second) if first.poll() is not None else (second, first)
    out = (system.up_log if refused is first else tmp_path / "second.log").read_text()
    assert refused.returncode == 2, out
    assert f"is using the data directory {system.data_dir}" in out and "请先停止它" in out
    assert "Traceback" not in out
    system.wait_for(lambda: system.run("status", check=False).returncode == 0, "the other to run")
    servers = [cmd for cmd in processes_using(system.data_dir).values() if "nats-server" in cmd]
    assert len(servers) == 1
    assert system.stop() == 0


def test_a_killed_up_takes_its_processes_along_and_does_not_block_the_next_start(system: System) -> None:
    pids = system.start()
    assert system.process is not None
    os.kill(pids["quality"], signal.SIGSTOP)  # a child slow to stop: it still has its store open
    system.process.kill()  # kill -9: no clean-up runs in `up`
    system.process.wait()
    done = subprocess.run([SALESFLOW, "up"], env=system.env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"are still using the data directory {system.data_dir}" in done.stderr
    assert "请稍后再试" in done.stderr
    os.kill(pids["quality"], signal.SIGCONT)
    assert not system.leftovers(timeout=30), "children outlived a killed `up`"
    system.start()  # the lock went with the last of them
    assert system.stop() == 0


@pytest.mark.parametrize("fault", ["wrong SALESFLOW_DB_URL", "a corrupt SQLite file"])
def test_a_store_that_cannot_be_opened_is_one_sentence_and_nothing_starts(system: System,
                                                                            fault: str) -> None:
    env = dict(system.env)
    if fault == "wrong SALESFLOW_DB_URL":
        env["SALESFLOW_DB_URL"], store = "postgresql://nobody@127.0.0.1:1/x", "sales"
    else:
        system.data_dir.mkdir(parents=True)
        (system.data_dir / "quality.sqlite").write_bytes(b"not a database, a spreadsheet\n" * 200)
        store = "quality"
    done = subprocess.run([SALESFLOW, "up"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    [sentence] = done.stderr.strip().splitlines()
    assert f"cannot open the {store} store" in sentence and "SALESFLOW_DB_URL" in sentence
    assert f"无法打开 {store} 的数据存储" in sentence
    assert "salesflow is up" not in done.stdout and "Traceback" not in done.stderr
    assert not (system.data_dir / "nats").exists()
    assert not processes_using(system.data_dir)


def test_a_component_that_keeps_dying_on_start_stops_the_system_with_its_reason(
        system: System, tmp_path: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    # Python imports sitecustomize at start-up: the quality process dies before it gets anywhere.
    (hook / "sitecustomize.py").write_text(textwrap.dedent("""\
        import os, sys
        if sys.argv[-2:] == ["service", "quality"]:
            print("Traceback (most recent call last):", file=sys.stderr)
            print("OSError: the quality disk is gone (injected by the test)", file=sys.stderr, flush=True)
            os._exit(3)
    """))
    env = dict(system.env, PYTHONPATH=os.pathsep.join(
        filter(None, [str(hook), system.env.get("PYTHONPATH")])))
    done = subprocess.run([SALESFLOW, "up"], env=env, capture_output=True, text=True, timeout=90)
    assert done.returncode == 1, done.stdout + done.stderr
    [reason] = [line for line in done.stderr.splitlines() if "quality exited" in line]
    assert "quality exited 5 times in a row while starting (last exit code 3)" in reason
    assert "the quality disk is gone (injected by the test)" in reason and "启动时连续 5 次退出" in reason
    assert "salesflow is up" not in done.stdout
    assert "stopped; data kept in" in done.stdout
    assert not processes_using(system.data_dir)


def test_a_setting_with_a_wrong_value_is_named_in_one_sentence(system: System) -> None:
    env = dict(system.env, SALESFLOW_NATS_PORT="forty-two")
    done = subprocess.run([SALESFLOW, "up"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    [sentence] = done.stderr.strip().splitlines()
    assert "SALESFLOW_NATS_PORT='forty-two' is not valid" in sentence and "环境变量" in sentence
