"""pyslang on untrusted source, in a child process under memory, CPU, stack and time limits.

pyslang is native code: a sample with a deep enough expression overflows its stack and a
macro that doubles itself takes memory without bound. Run in a grading worker, either
would kill the worker and every verdict it held. Here each process keeps one parser child
(verilogeval.checks.untrusted_parse_child), started on first use (importing pyslang is slow)
and started again after it dies: a crash, a blow-up or a deadline costs only the
request that caused it, which gets a ParseFailed. Requests and answers are JSON lines
(never pickle: the child parses hostile code), and an answer has a size cap.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing.util
import os
import resource
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from verilogeval.execution import child_pipe

MEMORY_LIMIT_BYTES = 2 << 30
STACK_LIMIT_BYTES = 8 << 20  # the usual default, stated: deep recursion crashes the child
ANSWER_CAP_BYTES = 16 << 20
DEFAULT_DEADLINE_S = 60.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CHILD_MODULE = "verilogeval.checks.untrusted_parse_child"  # the child's entry: its operations


class ParseFailed(RuntimeError):
    """The parser child did not answer: it crashed, ran out of a limit, or ran too long."""


class _Parser:
    """One parser child, used under a lock by the threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._started: list[subprocess.Popen[bytes]] = []
        multiprocessing.util.Finalize(self, child_pipe.stop, args=(self._started,), exitpriority=0)

    def call(self, operation: str, arguments: dict[str, Any], deadline_s: float) -> Any:
        with self._lock:
            process = self._process if self._process is not None else self._start()
            _allow_cpu(process.pid, deadline_s)
            answer = b""
            try:
                assert process.stdin is not None
                request = {"operation": operation, "arguments": arguments}
                process.stdin.write(json.dumps(request).encode() + b"\n")
                process.stdin.flush()
                answer = _read_answer(process, time.monotonic() + deadline_s, deadline_s)
            except OSError as error:
                raise ParseFailed(f"the parser could not be reached ({error})") from None
            finally:
                if not answer:
                    self._restart_later()
            try:
                fields = json.loads(answer)
                if "error" in fields:
                    raise ParseFailed(str(fields["error"])[:500])
                return fields["result"]
            except (ValueError, TypeError, KeyError) as error:
                self._restart_later()
                raise ParseFailed(f"the parser answered nonsense ({error})") from None

    def _start(self) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            [sys.executable, "-I", "-m", CHILD_MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        with contextlib.suppress(ProcessLookupError):
            for kind, value in (
                (resource.RLIMIT_AS, MEMORY_LIMIT_BYTES),
                (resource.RLIMIT_STACK, STACK_LIMIT_BYTES),
                (resource.RLIMIT_CORE, 0),
            ):
                resource.prlimit(process.pid, kind, (value, value))
        self._process = process
        self._started[:] = [process]
        return process

    def _restart_later(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            child_pipe.kill(process)


def _allow_cpu(pid: int, seconds: float) -> None:
    """Let the child use `seconds` more CPU from now: a backstop behind the wall clock."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime
        limit = int(used + seconds) + 1
        # Only the soft limit moves (SIGXCPU ends the child): a hard limit cannot be raised
        # again without privileges, and the limit grows with every request.
        _, hard = resource.prlimit(pid, resource.RLIMIT_CPU)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.prlimit(pid, resource.RLIMIT_CPU, (limit, hard))


def _read_answer(process: subprocess.Popen[bytes], deadline: float, deadline_s: float) -> bytes:
    try:
        return child_pipe.read_line(process, deadline, ANSWER_CAP_BYTES)
    except child_pipe.LineNotRead as unread:
        if unread.reason is child_pipe.Unread.LATE:
            raise ParseFailed(f"the parser did not finish in {deadline_s:g} s") from None
        if unread.reason is child_pipe.Unread.TOO_LONG:
            raise ParseFailed(f"the parser's answer is over {ANSWER_CAP_BYTES} bytes") from None
        process.wait()
        raise ParseFailed(_death(process.returncode)) from None


def _death(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        name = signal.Signals(-returncode).name
        meaning = {"SIGSEGV": "stack overflow?", "SIGXCPU": "CPU limit", "SIGKILL": "killed"}
        return f"the parser crashed ({name}, {meaning.get(name, 'signal')})"
    return f"the parser exited with code {returncode} (out of memory?)"


_parsers: dict[int, _Parser] = {}  # by process id: a forked worker starts its own child
_parsers_lock = threading.Lock()


def parse_call(
    operation: str, arguments: dict[str, Any], *, deadline_s: float = DEFAULT_DEADLINE_S
) -> Any:
    """`operation(**arguments)` in this process's parser child; ParseFailed if it cannot."""
    with _parsers_lock:
        parser = _parsers.get(os.getpid())
        if parser is None:
            parser = _parsers[os.getpid()] = _Parser()
    return parser.call(operation, arguments, deadline_s)
