"""A process's life, the same way in every process: ready, stopped by a signal, gone with its parent."""
from __future__ import annotations

import asyncio
import ctypes
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable

# Signals that mean "stop cleanly": Ctrl-C, a supervisor or `kill`, and a closed terminal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
# `salesflow up` passes its children the write end of a pipe under this name; "ready" goes there.
READY_FD = "SALESFLOW_READY_FD"
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Once asked to stop, a process ends within this time, cleanly or not: its consumers get 15 s
# to finish a batch, and a NATS client whose server died with the supervisor must not keep it
# alive reconnecting. What it stored is committed (one transaction per step); what it had not
# acknowledged is delivered again.
STOP_DEADLINE_SECONDS = 25.0


async def until_signalled() -> None:
    """Return on SIGINT, SIGTERM or SIGHUP (Ctrl-C, the supervisor stopping us, a closed terminal)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    exit_anyway_after(STOP_DEADLINE_SECONDS)


def exit_anyway_after(seconds: float) -> None:
    """Arm a watchdog: if the process has not ended ``seconds`` from now, say so and end it."""
    def expire() -> None:
        sys.stderr.write(f"salesflow: did not stop within {seconds:.0f} s of being asked; "
                         f"exiting now / 未能在 {seconds:.0f} 秒内停止，强制退出\n")
        sys.stderr.flush()
        os._exit(3)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


async def wait_until_set(event: asyncio.Event, seconds: float) -> bool:
    """Wait for ``event`` at most ``seconds``; True if it was set. (``asyncio.timeout``, not
    ``wait_for``: on Python 3.11 ``wait_for`` may swallow a cancellation that meets the event.)"""
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


def report_ready() -> None:
    """Tell the supervisor that started us (if any) that we now answer; once, then forget the pipe."""
    fd = os.environ.pop(READY_FD, None)
    if fd is None:
        return
    try:
        os.write(int(fd), b"ready\n")
        os.close(int(fd))
    except (OSError, ValueError):
        pass  # the supervisor is gone or the variable is not ours: nobody to tell


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child get SIGTERM when the process starting it dies.

    A supervisor killed with ``kill -9`` runs no clean-up; without this its children and
    nats-server would go on running on the same data directory, unsupervised. Linux only
    (``prctl(PR_SET_PDEATHSIG)``); elsewhere None, and children outlive a killed supervisor.
    The signal follows the death of the *thread* that started the child: start them from the
    main thread.
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork: nothing to import in the child
    parent = os.getpid()

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the prctl: nobody will signal us
            os._exit(1)

    return preexec


async def cancel_and_wait(task: asyncio.Task[None], timeout: float = 5.0) -> None:
    """Cancel ``task`` and wait for it, at most ``timeout`` seconds: a stop must not hang on a
    task that does not end when cancelled (seen once with a lease task, cause not yet found);
    the log then says where it waits."""
    task.cancel()
    _, pending = await asyncio.wait({task}, timeout=timeout)
    if pending:
        where = " > ".join(f"{f.f_code.co_name}:{f.f_lineno}" for f in task.get_stack(limit=20))
        logging.getLogger(__name__).warning(
            "%s did not end within %.0f s of being cancelled; stopping without it (at %s)",
            task.get_name(), timeout, where)
