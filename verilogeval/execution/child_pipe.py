"""A long-lived child process spoken to in JSON lines: read its answer, stop it.

The sandbox agent and the pyslang parser child are both such children, and both may be
driven by hostile input: an answer is read only until a deadline and up to a size limit,
and stopping a child kills its whole process group (it was started in a new session) and
closes its pipes so no descriptor leaks into the next child.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import time
from enum import StrEnum


class Unread(StrEnum):
    """Why no line was read."""

    LATE = "late"  # the deadline passed first
    CLOSED = "closed"  # the child closed its end (it exited)
    TOO_LONG = "too long"  # more than the limit came without a newline


class LineNotRead(Exception):
    """No whole line came from the child; `partial` holds what did come."""

    def __init__(self, reason: Unread, partial: bytes) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.partial = partial


def read_line(process: subprocess.Popen[bytes], deadline: float, limit: int) -> bytes:
    """One line from the child's stdout, at most `limit` bytes, before the monotonic
    `deadline`; LineNotRead otherwise."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    parts: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LineNotRead(Unread.LATE, b"".join(parts))
        if not select.select([fd], [], [], remaining)[0]:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise LineNotRead(Unread.CLOSED, b"".join(parts))
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            raise LineNotRead(Unread.TOO_LONG, b"".join(parts))
        if chunk.endswith(b"\n"):
            return b"".join(parts)


def kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the child's process group, reap the child and close its pipes."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Kill those of `processes` still running (a finalizer: the list is read when it runs)."""
    for process in processes:
        if process.returncode is None:
            kill(process)
