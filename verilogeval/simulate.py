"""Compile and run one sample exactly as the official flow does, inside limits.

The official Makefile runs `iverilog -Wall -Winfloop -Wno-timescale -g2012 -s tb -o X
sample test ref`, then `timeout 30 ./X`, appending both outputs to one log and a line
`TIMEOUT` when the time limit hit. We run the same commands with three differences that
cannot change a grade: each sample gets its own fresh folder (the official flow lets
every sample share one `wave.vcd`), vvp runs with `-none` so the testbench's
`$dumpfile` writes nothing unless a waveform is asked for, and the children run under
memory, file-size, CPU and output limits, in their own process group so a timeout kills
everything they started, inside a bubblewrap sandbox (verilogeval.sandbox) unless asked not
to.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import resource
import select
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from verilogeval.errors import UserError
from verilogeval.records import ExecResult, Problem, Sample, SimResult
from verilogeval.sandbox import Sandbox, job_folder

COMPILE_FLAGS = ("-Wall", "-Winfloop", "-Wno-timescale", "-g2012", "-s", "tb")
DEFAULT_TIMEOUT_S = 30.0
PAPER_MAJOR_VERSION = 12  # the Icarus release "Revisiting VerilogEval" graded with

MEMORY_LIMIT_BYTES = 4 << 30
FILE_LIMIT_BYTES = 64 << 20  # any file a sample writes, wave.vcd included
OUTPUT_CAP_BYTES = 1 << 20  # head and tail kept: the verdict lines come last
KILL_GRACE_S = 5.0  # vvp runs the testbench's final blocks on SIGTERM, as under `timeout`
TIMEOUT_LINE = "TIMEOUT\n"  # what the official Makefile appends when `timeout` fires

# Fixed names inside the sample's folder: logs never depend on where the dataset lives.
_SAMPLE, _TEST, _REF, _BINARY = "sample.sv", "test.sv", "ref.sv", "sim"


def simulate(
    problem: Problem,
    sample: Sample,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    workdir: Path | None = None,
    wave_path: Path | None = None,
    sandboxed: bool = True,
) -> SimResult:
    """Grade-ready compile and run of `sample`; top level so a process pool can call it.

    `workdir` holds the sandbox's scratch folder, or without the sandbox the per-sample
    temporary folder (default: the system's temporary folder). With `wave_path`, the
    testbench's wave.vcd is kept there.
    """
    if problem.test_path is None:
        raise ValueError(f"{problem.name}: no Verilog testbench (_test.sv) to simulate with")
    sandbox, folder = job_folder(f"verilogeval-{problem.name}-", workdir, sandboxed)
    try:
        (folder / _SAMPLE).write_text(sample.code, encoding="utf-8")
        shutil.copyfile(problem.test_path, folder / _TEST)
        shutil.copyfile(problem.ref_path, folder / _REF)
        compile_argv = ("iverilog", *COMPILE_FLAGS, "-o", _BINARY, _SAMPLE, _TEST, _REF)
        compiled = run_in(sandbox, compile_argv, cwd=folder, timeout_s=timeout_s)
        ran = None
        if not compiled.timed_out and (folder / _BINARY).is_file():
            dump = () if wave_path else ("-none",)
            ran = run_in(sandbox, ("vvp", _BINARY, *dump), cwd=folder, timeout_s=timeout_s)
            if wave_path and (folder / "wave.vcd").is_file():
                wave_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(folder / "wave.vcd", wave_path)
        return SimResult(
            problem=problem.name,
            sample=sample.sample,
            compile=compiled,
            run=ran,
            simulator=simulator_version(),
            timeout_s=timeout_s,
            code=sample.code,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_in(
    sandbox: Sandbox | None, argv: Sequence[str], *, cwd: Path, timeout_s: float
) -> ExecResult:
    """`run_limited` inside `sandbox` (`cwd` must lie in its scratch folder), or directly.

    Every compile and simulation goes through here: the official flow, the amplified
    testbench, cocotb, and any other checker (get a sandbox with `sandbox_for(workdir)`).
    """
    if sandbox is None:
        return run_limited(argv, cwd=cwd, timeout_s=timeout_s)
    return sandbox.run(argv, cwd=cwd, timeout_s=timeout_s)


def run_limited(argv: Sequence[str], *, cwd: Path, timeout_s: float) -> ExecResult:
    """Run `argv` in `cwd` under the limits, its output read from a pipe into a capped buffer.

    A pipe rather than a file: no file to create (costly on some file systems), and the
    cap keeps memory flat however much a sample prints.
    """
    started = time.monotonic()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _limit(process.pid, timeout_s)
    try:
        output, timed_out = _collect(process, started + timeout_s)
        _await_exit(process, KILL_GRACE_S)  # its output is closed: it is exiting
    finally:  # whatever the child left behind; at once when we are interrupted
        _signal_group(process.pid, signal.SIGKILL)
        process.wait()
    text, truncated = output.text()
    return ExecResult(
        argv=tuple(argv),
        returncode=None if timed_out else process.returncode,
        output=text,
        duration_s=time.monotonic() - started,
        timed_out=timed_out,
        truncated=truncated,
    )


def _await_exit(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Wait up to `timeout_s` for the child to exit, woken the moment it does.

    A pidfd instead of Popen.wait(timeout), which polls with sleeps: measured, those
    sleeps added a third of a millisecond to a sample.
    """
    try:
        pidfd = os.pidfd_open(process.pid)
    except (AttributeError, OSError):  # not Linux 5.3+, or already reaped
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout_s)
        return
    try:
        select.select([pidfd], [], [], timeout_s)
    finally:
        os.close(pidfd)


def _collect(process: subprocess.Popen[bytes], deadline: float) -> tuple[_CappedOutput, bool]:
    """Read the child's output until it closes; (output, whether the time limit hit).

    At the deadline the group gets SIGTERM, as `timeout` sends it, so vvp still runs the
    testbench's final blocks; SIGKILL follows after KILL_GRACE_S.
    """
    assert process.stdout is not None
    output = _CappedOutput()
    timed_out = False
    with process.stdout, selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                if timed_out:  # the grace period is over too
                    _signal_group(process.pid, signal.SIGKILL)
                    deadline = math.inf
                else:
                    timed_out = True
                    _signal_group(process.pid, signal.SIGTERM)
                    deadline = time.monotonic() + KILL_GRACE_S
                continue
            if not selector.select(min(remaining, 3600.0)):
                continue
            chunk = os.read(process.stdout.fileno(), 1 << 16)
            if not chunk:
                return output, timed_out
            output.add(chunk)


class _CappedOutput:
    """The first and last OUTPUT_CAP_BYTES / 2 of a stream, and how much was cut between."""

    def __init__(self) -> None:
        self._half = OUTPUT_CAP_BYTES // 2
        self._head = bytearray()
        self._tail = bytearray()
        self._size = 0

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        room = self._half - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        self._tail += chunk
        if len(self._tail) > 2 * self._half:
            del self._tail[: len(self._tail) - self._half]

    def text(self) -> tuple[str, bool]:
        kept = len(self._head) + min(len(self._tail), self._half)
        if self._size == kept:
            return (self._head + self._tail).decode("utf-8", errors="replace"), False
        marker = f"\n[verilogeval: {self._size - kept} bytes of output cut]\n".encode()
        tail = self._tail[-self._half :]
        return (self._head + marker + tail).decode("utf-8", errors="replace"), True


def _limit(pid: int, timeout_s: float) -> None:
    """Set the child's limits just after it started.

    prlimit from the parent instead of a preexec_fn: a preexec_fn makes Python fork
    instead of vfork, which measured 2.5 ms more per process, about 8% of a grade.
    """
    cpu_s = math.ceil(timeout_s + KILL_GRACE_S) + 1  # a backstop: the wall clock acts first
    limits = (
        (resource.RLIMIT_AS, MEMORY_LIMIT_BYTES),
        (resource.RLIMIT_FSIZE, FILE_LIMIT_BYTES),
        (resource.RLIMIT_CPU, cpu_s),
        (resource.RLIMIT_CORE, 0),
    )
    with contextlib.suppress(ProcessLookupError):  # already finished
        for kind, value in limits:
            resource.prlimit(pid, kind, (value, value))


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)


def official_log(result: SimResult) -> str:
    """The sample's `-sv-iv-test.log` as the official Makefile writes it."""
    parts = [result.compile.output]
    if result.compile.timed_out:
        parts.append(TIMEOUT_LINE)
    if result.run is not None:
        parts.append(result.run.output)
        if result.run.timed_out:
            parts.append(TIMEOUT_LINE)
    return "".join(parts)


@lru_cache(maxsize=1)
def simulator_version() -> str:
    """First line of `iverilog -V`, e.g. "Icarus Verilog version 11.0 (stable)"."""
    try:
        completed = subprocess.run(
            ["iverilog", "-V"], capture_output=True, text=True, timeout=30, check=False
        )
    except FileNotFoundError:
        raise UserError(
            "iverilog not found on PATH: install Icarus Verilog (apt-get install iverilog)"
        ) from None
    first_line = (completed.stdout or completed.stderr).splitlines()[0]
    return first_line.removesuffix(" ()").strip()


def simulator_major(version: str) -> int | None:
    match = re.search(r"version (\d+)", version)
    return int(match.group(1)) if match else None


def version_warning(version: str) -> str | None:
    """A warning when results may differ from the paper's Icarus, else None."""
    if simulator_major(version) == PAPER_MAJOR_VERSION:
        return None
    return (
        f"warning: grading with {version}; the VerilogEval paper used Icarus Verilog "
        f"{PAPER_MAJOR_VERSION}, so some verdicts may differ "
        "(Icarus 13 is known not to compile the official testbenches)"
    )
