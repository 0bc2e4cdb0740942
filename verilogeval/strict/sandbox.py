"""Run one child process with a wall-clock limit that kills its whole process group."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from verilogeval.records import ExecResult

OUTPUT_CAP = 64_000


def run_child(argv: Sequence[str], *, cwd: Path, timeout_s: float) -> ExecResult:
    started = time.monotonic()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    timed_out = False
    try:
        raw, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(process.pid, signal.SIGKILL)
        raw, _ = process.communicate()
    text = raw.decode("utf-8", errors="replace")
    return ExecResult(
        argv=tuple(argv),
        returncode=None if timed_out else process.returncode,
        output=text[:OUTPUT_CAP],
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
        truncated=len(text) > OUTPUT_CAP,
    )
