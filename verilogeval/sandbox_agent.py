"""Inside a sandbox: run each requested command with `simulate.run_limited`, one at a time.

`python -I -m verilogeval.sandbox_agent` reads one JSON request per line on stdin
(`{"argv", "cwd", "timeout_s"}`) and answers one JSON ExecResult per line on stdout. After
each command it kills every other process of the sandbox's PID namespace, so what a
sample started (and detached from its process group) cannot outlive its grade.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
from dataclasses import asdict
from pathlib import Path

from verilogeval.simulate import run_limited

_INIT_PID = 1  # bwrap's own init in the namespace: it exits when we do


def kill_strays() -> None:
    """SIGKILL every process of the namespace except bwrap's init and this agent."""
    spared = {_INIT_PID, os.getpid()}
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in spared:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(name), signal.SIGKILL)


def main() -> int:
    answers = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        result = run_limited(
            tuple(request["argv"]), cwd=Path(request["cwd"]), timeout_s=request["timeout_s"]
        )
        kill_strays()
        answers.write(json.dumps(asdict(result)).encode() + b"\n")
        answers.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
