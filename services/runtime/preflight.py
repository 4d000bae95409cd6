"""What ``salesflow up`` checks before it starts anything: the data directory is its own, the stores open."""
from __future__ import annotations

import fcntl
import os
import sqlite3
from pathlib import Path
from urllib.parse import urlparse

from contracts.subjects import COMPONENTS
from services.runtime.settings import Settings

LOCK_FILE = "salesflow.lock"


class StartRefused(RuntimeError):
    """``salesflow up`` cannot start; the message is one sentence, in English and Chinese."""


class DataDirLock:
    """An exclusive lock on ``<data>/salesflow.lock`` held for the life of ``salesflow up``.

    ``flock`` belongs to the open file, so the operating system drops it when the last process
    holding it dies, even by ``kill -9``: a stale lock never blocks the next start. The
    supervisor hands the descriptor to its children and nats-server, so the directory stays
    taken until the last of them has stopped (they follow a killed supervisor within seconds).
    """

    def __init__(self, data: Path) -> None:
        self.data, self.path = data, data / LOCK_FILE
        self.fd: int | None = None

    def acquire(self) -> None:
        try:
            self.data.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StartRefused(
                f"cannot write to the data directory {self.data} ({error.strerror}); choose another "
                f"with SALESFLOW_DATA_DIR / 无法写入数据目录 {self.data}（{error.strerror}），"
                f"请用 SALESFLOW_DATA_DIR 指定其他目录") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
            os.close(fd)
            if _alive(holder):
                raise StartRefused(
                    f"another `salesflow up` (pid {holder}) is using the data directory {self.data}; "
                    f"stop it first, or choose another SALESFLOW_DATA_DIR / 数据目录 {self.data} 正被另一个 "
                    f"`salesflow up`（pid {holder}）使用，请先停止它或另选 SALESFLOW_DATA_DIR") from None
            raise StartRefused(
                f"processes of a `salesflow up` that is gone (pid {holder}) are still using the data "
                f"directory {self.data}; they stop by themselves, try again in a few seconds / 已退出的 "
                f"`salesflow up`（pid {holder}）启动的进程仍在使用数据目录 {self.data}，请稍后再试") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        # The file stays: removing it would let a waiting `up` lock a file nobody else sees.
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)
            self.fd = None


def _alive(pid: str) -> bool:
    if not pid.isdigit():  # locked but no pid written yet: that `up` is just starting
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_stores(settings: Settings) -> str:
    """Open every component's store (event stores and the projections'); say where they are.

    Raises StartRefused naming the first store that cannot be opened, before anything starts:
    otherwise every child would die on start and be restarted, over and over.
    """
    for component in COMPONENTS:
        where = _where(settings, component)
        try:
            env = settings.store_env(component)  # on PostgreSQL: connects and creates the schema
            if env["PERSISTENCE_MODULE"].endswith("sqlite"):
                _open_sqlite(env["SQLITE_DBNAME"])
        except Exception as error:  # noqa: BLE001 - whatever it is, the store cannot be used
            reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise StartRefused(
                f"cannot open the {component} store ({where}): {reason}; check SALESFLOW_DB_URL "
                f"and SALESFLOW_DATA_DIR / 无法打开 {component} 的数据存储（{where}）：{reason}；"
                f"请检查 SALESFLOW_DB_URL 和 SALESFLOW_DATA_DIR") from None
    return describe(settings)


def describe(settings: Settings) -> str:
    """Where the stores are, as a user can check it, never with the password."""
    url = settings.database_url()
    if not url:
        return f"SQLite files in {settings.data_dir.resolve()}"
    parsed = urlparse(url)
    try:
        port: int | str = parsed.port or 5432
    except ValueError:  # not a number: the connection attempt will say so
        port = "?"
    kind = "PostgreSQL" if parsed.scheme in ("postgres", "postgresql") else f"{parsed.scheme}://"
    return f"{kind} {parsed.hostname or '127.0.0.1'}:{port}{parsed.path or '/'}"


def _where(settings: Settings, component: str) -> str:
    if not settings.database_url():
        return str((settings.data_dir / f"{component}.sqlite").resolve())
    return f"{describe(settings)} schema {settings.db_schema_prefix}{component}"


def _open_sqlite(path: str) -> None:
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.execute("PRAGMA schema_version").fetchone()  # reads the header: "not a database"
    finally:
        conn.close()
