"""What ``salesflow up`` prints, and noticing when nobody can read it any more.

``salesflow up | head -1`` or a closed terminal leave the supervisor writing into nothing: a
write raises ``BrokenPipeError`` (or ``EIO`` from a hung-up terminal), and a pipe whose reader
left reports ``POLLERR`` before anything is written. Either way the supervisor stops the system
as on Ctrl-C, and Python's final flush must not print a traceback about it.
"""
from __future__ import annotations

import os
import select
import sys
from typing import TextIO


class Console:
    """The supervisor's standard output, with standard error as the fallback once it is gone."""

    def __init__(self) -> None:
        self.lost = False  # stdout was there and went away

    def say(self, text: str) -> None:
        if not self.lost and sys.stdout is not None:
            try:
                print(text, file=sys.stdout, flush=True)
                return
            except OSError:  # BrokenPipeError, or EIO from a terminal that was closed
                self._lose(sys.stdout)
        self.warn(text)

    def warn(self, text: str) -> None:
        if sys.stderr is None:
            return
        try:
            print(text, file=sys.stderr, flush=True)
        except OSError:
            _to_devnull(sys.stderr)

    def gone(self) -> bool:
        """True once stdout cannot be read by anyone (checked without writing)."""
        if not self.lost and sys.stdout is not None and _hung_up(sys.stdout):
            self._lose(sys.stdout)
        return self.lost

    def _lose(self, stream: TextIO) -> None:
        self.lost = True
        _to_devnull(stream)


def _hung_up(stream: TextIO) -> bool:
    try:
        fd = stream.fileno()
    except (OSError, ValueError, AttributeError):
        return False
    poller = select.poll()
    poller.register(fd, 0)  # no events asked: only errors and hang-ups are reported
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _to_devnull(stream: TextIO) -> None:
    """Point the stream's file descriptor at /dev/null, so later writes and the exit flush succeed."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass
