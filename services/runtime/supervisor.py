"""``salesflow up``: NATS, then every department service and the projections, each its own process.

Before starting anything it takes the data directory's lock (one ``up`` per data directory) and
opens every store. Children and nats-server run in their own sessions, so Ctrl-C (SIGINT),
SIGTERM, a closed terminal (SIGHUP) or a closed stdout reach only the supervisor, which then
stops the services first and NATS last. They also get SIGTERM if the supervisor itself dies.
A child that dies is restarted on its own schedule; one that keeps dying before it ever became
ready stops the whole system with the reason.
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from types import FrameType

from contracts.subjects import PROCESSES
from services.runtime.children import Child
from services.runtime.console import Console
from services.runtime.lifecycle import STOP_SIGNALS
from services.runtime.nats_auth import OPERATOR, ensure_credentials
from services.runtime.nats_server import EmbeddedNats
from services.runtime.preflight import DataDirLock, StartRefused, check_stores
from services.runtime.restarts import RestartSchedule
from services.runtime.settings import NATS_ADDRESS_FILE, NATS_CREDENTIALS_FILE, Settings

TICK = 0.2  # seconds between two looks at the children
STOP_GRACE = 15.0  # seconds the children get to stop cleanly, together
SLOW_START = 60.0  # seconds after which a child that is not ready yet is mentioned


def run_up(settings: Settings) -> int:
    """Run until stopped; 0 when asked to stop, 1 when a part failed for good."""
    data = settings.data_dir.resolve()
    lock = DataDirLock(data)
    lock.acquire()
    try:
        return Supervisor(settings, data, lock.fd).run()
    finally:
        lock.release()


class Supervisor:
    """NATS (embedded unless ``NATS_URL`` is set) and one child per component, watched together."""

    def __init__(self, settings: Settings, data: Path, lock_fd: int | None = None) -> None:
        self.settings, self.data, self.logs = settings, data, data / "logs"
        # Every process started shares the lock: the data directory stays taken until the last
        # of them is gone, also when this supervisor was killed and they are still stopping.
        self.shared = () if lock_fd is None else (lock_fd,)
        self.console = Console()
        self.server: EmbeddedNats | None = None
        self.passwords: dict[str, str] = {}  # of the embedded server's users
        # Everything waits for the broker: restart it soon, however often it died before.
        self.nats_schedule = RestartSchedule(longest_pause=4.0)
        self.nats_restart_at: float | None = None
        self.children: list[Child] = []
        self.stop_signal: str | None = None
        self.announced = False

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        self.stop_signal = self.stop_signal or signal.Signals(signum).name

    def run(self) -> int:
        for sig in STOP_SIGNALS:
            # `nohup salesflow up` asks to outlive the terminal: keep ignoring SIGHUP then.
            if sig != signal.SIGHUP or signal.getsignal(sig) is not signal.SIG_IGN:
                signal.signal(sig, self._on_signal)
        self.logs.mkdir(parents=True, exist_ok=True)
        say = self.console.say
        say(f"salesflow: data directory {self.data} / 数据目录")
        say("checking the stores / 检查数据存储 ...")
        say(f"  ok: {check_stores(self.settings)}")
        if reason := self._stop_reason():
            say(reason)
            return 0
        self._check_gateway_port()
        url = self._start_nats()
        failure: str | None = None
        try:
            (self.data / NATS_ADDRESS_FILE).write_text(url)
            env = {**os.environ, "SALESFLOW_DATA_DIR": str(self.data), "NATS_URL": url}
            self.children = [Child(name, {**env, **self._login_env(name)}, self.logs, self.shared)
                             for name in PROCESSES]
            if reason := self._stop_reason():
                say(reason)
            else:
                say(f"starting {', '.join(PROCESSES)} / 正在启动各服务 ...")
                now = time.monotonic()
                for child in self.children:
                    child.start(now)
                failure = self._watch(url)
        finally:
            self._stop_all(failure)
        return 1 if failure else 0

    def _stop_reason(self) -> str | None:
        """Why the user wants us to stop (a signal, nobody reading our output), once known."""
        if self.stop_signal:
            return f"{self.stop_signal} received / 收到 {self.stop_signal}"
        if self.console.gone():
            return "standard output was closed / 标准输出已关闭"
        return None

    def _login_env(self, name: str) -> dict[str, str]:
        """Each child connects to the embedded server as its own user, with its permissions."""
        if not self.passwords:
            return {}  # external NATS: the environment's SALESFLOW_NATS_USER, if any
        return {"SALESFLOW_NATS_USER": name, "SALESFLOW_NATS_PASSWORD": self.passwords[name]}

    def _start_nats(self) -> str:
        if self.settings.nats_url:
            _check_reachable(self.settings.nats_url, self.settings.nats_login(OPERATOR))
            self.console.say(f"using NATS at {self.settings.nats_url} (NATS_URL)")
            return self.settings.nats_url
        credentials = self.data / NATS_CREDENTIALS_FILE
        self.passwords = ensure_credentials(credentials)
        self.server = EmbeddedNats(self.data / "nats", self.settings.nats_port,
                                   log_file=self.logs / "nats.log", supervised=True,
                                   pass_fds=self.shared, users=self.passwords)
        self.console.say(f"NATS users: one per component, the gateway and the operator (the "
                         f"CLI); passwords in {credentials} / NATS 用户：每个组件一个，密码见该文件")
        self.console.say("starting nats-server / 正在启动 nats-server ...")
        try:
            self.server.start()
        except (RuntimeError, TimeoutError) as error:
            raise StartRefused(f"nats-server did not start: {error} / nats-server 未能启动") from None
        self.nats_schedule.started(time.monotonic())
        self.nats_schedule.became_ready()
        return self.server.url

    def _watch(self, url: str) -> str | None:
        """Keep everything running until asked to stop; return the reason when a part failed."""
        started, mentioned = time.monotonic(), False
        while (reason := self._stop_reason()) is None:
            now = time.monotonic()
            failure = self._keep_nats(now)
            for child in self.children:
                failure = failure or self._keep(child, now)
            if failure:
                return failure
            if not self.announced and all(child.ready for child in self.children):
                self._announce(url)
            elif not self.announced and not mentioned and now - started > SLOW_START:
                waiting = ", ".join(c.name for c in self.children if not c.ready)
                self.console.say(f"still waiting for {waiting} (see {self.logs}) / 仍在等待 {waiting}")
                mentioned = True
            time.sleep(TICK)
        self.console.say(reason)
        return None

    def _keep(self, child: Child, now: float) -> str | None:
        """Notice readiness and deaths; restart when the child's own schedule says so."""
        if child.check_ready():
            again = " again" if self.announced else ""
            self.console.say(f"  {child.name:12} ready{again}, pid {child.pid}")
        if child.alive():
            return None
        if child.restart_at is None:
            pause = child.exited(now)
            if child.schedule.gave_up:
                return (f"{child.name} exited {child.schedule.failed_starts} times in a row while "
                        f"starting (last exit code {child.returncode}): {child.last_words()} "
                        f"(see {child.log}); stopping salesflow / {child.name} 启动时连续 "
                        f"{child.schedule.failed_starts} 次退出，系统停止：{child.last_words()}")
            self.console.say(f"{child.name} exited (code {child.returncode}); restarting in "
                             f"{pause:.1f} s (see {child.log})")
        elif now >= child.restart_at:
            child.start(now)
        return None

    def _keep_nats(self, now: float) -> str | None:
        server = self.server
        if server is None or server.alive():
            return None
        if self.nats_restart_at is None:
            self.nats_restart_at = self.nats_schedule.exited(now)
            self.console.say(f"nats-server exited; restarting it on the same port and store in "
                             f"{self.nats_restart_at - now:.1f} s (see {self.logs / 'nats.log'})")
        elif now >= self.nats_restart_at:
            try:
                server.start()
            except (RuntimeError, TimeoutError) as error:
                return (f"nats-server could not be restarted: {error}; stopping salesflow "
                        f"/ nats-server 无法重启，系统停止")
            self.nats_schedule.started(now)
            self.nats_schedule.became_ready()
            self.nats_restart_at = None
            self.console.say(f"  nats-server  ready again, {server.url}")
        return None

    def _announce(self, url: str) -> None:
        where = "embedded nats-server" if self.server else "external NATS"
        self.announced = True
        http = f"  HTTP: {self._gateway_url()} (gateway; API docs at /docs / 网关)"
        lines = ["salesflow is up / 系统已启动", http, f"  NATS: {url} ({where})",
                 f"  data: {self.data}", f"  logs: {self.logs}"]
        lines += [f"  {child.name:12} pid {child.pid}" for child in self.children]
        lines.append("First sign-in at the HTTP address: make an admin with `salesflow users add "
                     "NAME --name \"Full Name\" --department administration --role admin` / 首次"
                     "登录前请先用 salesflow users add 创建管理员")
        lines.append("Try `salesflow demo`, then `salesflow samples`; `salesflow status` shows each "
                     "part. Press Ctrl-C to stop / 按 Ctrl-C 停止.")
        self.console.say("\n".join(lines))

    def _check_gateway_port(self) -> None:
        """A taken HTTP port is one sentence before anything starts (0: a free one is picked)."""
        from services.gateway.server import GatewayPortTaken, bind

        if not self.settings.gateway_port:
            return
        try:
            bind(self.settings.gateway_host, self.settings.gateway_port).close()
        except GatewayPortTaken as taken:
            raise StartRefused(str(taken)) from None

    def _gateway_url(self) -> str:
        from services.gateway.server import ADDRESS_FILE

        recorded = self.data / ADDRESS_FILE
        if recorded.exists():
            return recorded.read_text().strip()
        return f"http://{self.settings.gateway_host}:{self.settings.gateway_port}"

    def _stop_all(self, failure: str | None) -> None:
        if failure:
            self.console.warn(failure)
        self.console.say("stopping / 正在停止 ...")
        for child in self.children:
            child.terminate()
        until = time.monotonic() + STOP_GRACE
        for child in self.children:
            if child.wait(until):
                self.console.say(f"  {child.name} did not stop within {STOP_GRACE:.0f} s; killed "
                                 f"(see {child.log}) / {child.name} 未能及时停止，已强制结束")
        if self.server is not None:
            self.server.stop()
        (self.data / NATS_ADDRESS_FILE).unlink(missing_ok=True)
        self.console.say(f"stopped; data kept in {self.data} / 已停止，数据保存在 {self.data}")


def _check_reachable(url: str, login: tuple[str, str] | None) -> None:
    import asyncio

    from services.runtime.connect import connect

    async def probe() -> None:
        nc = await connect(url, "salesflow-up", login)
        await nc.close()

    asyncio.run(probe())
