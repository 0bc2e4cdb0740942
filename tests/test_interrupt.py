"""One Ctrl-C, at any phase of any command: it ends, exits 130, prints no traceback, leaves
no process and no scratch file behind, and says how to go on.

The SIGINT goes to the command's whole process group, as a terminal sends it: its pool
workers and the forkserver get it too. Every process the command starts carries a marker
in its environment (bwrap too), or works in the test's scratch folder (what runs in a
sandbox), so what it left behind can be found.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAIServer
from processes import marked_processes, wait_until

from verilogeval.dataset.loader import load_dataset
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Task

pytestmark = [pytest.mark.icarus, pytest.mark.slow]

ENDS_S = 60.0  # a generous bound for "ends": the machine is shared


def lines(path: Path) -> int:
    return path.read_text().count("\n") if path.exists() else 0


def sandbox_started(marker: str) -> bool:
    """A grading sandbox (bwrap, which keeps its parent's environment) of the command runs.

    Not a folder in the scratch root: a sandboxed command's files live in its own tmpfs.
    """
    return any("bwrap" in process for process in marked_processes(marker))


@dataclass(frozen=True)
class Phase:
    argv: list[str]  # after `verilogeval`
    reached: Callable[[], bool]  # when to press Ctrl-C
    hint: str  # what the command prints to go on


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    """Answers slowly enough that a Ctrl-C always finds requests in flight."""
    with FakeOpenAIServer(latency_s=2.0) as slow:
        yield slow


def phase(name: str, tmp_path: Path, server: FakeOpenAIServer, marker: str) -> Phase:
    out, scratch = tmp_path / "run", tmp_path / "scratch"
    grading = ["--no-cache", "--jobs", "2", "--scratch-dir", str(scratch)]
    if name == "generation":
        argv = ["run", "--model", "openai:slow", "--api-base", server.base_url]
        argv += ["--problems", "1-40", "--out", str(out), "--quiet", *grading]
        requests = server.request_count
        return Phase(argv, lambda: server.request_count > requests, "resume with: verilogeval run")
    if name in ("grading", "checks"):
        argv = ["run", "--model", "oracle", "--out", str(out), "--quiet", *grading]
        argv += ["--plus"] if name == "checks" else []
        wanted = 1 if name == "checks" else 3  # a line is written once its checks are done
        return Phase(
            argv, lambda: lines(out / "results.jsonl") >= wanted, "resume with: verilogeval run"
        )
    if name == "evaluate":
        samples = tmp_path / "samples.jsonl"
        with samples.open("w") as file:
            for problem in load_dataset(None, Task.SPEC_TO_RTL).problems:
                code = reference_sample(problem).code
                file.write(json.dumps({"problem": problem.name, "sample": 1, "code": code}) + "\n")
        argv = ["evaluate", "--samples", str(samples), "--out", str(out), "--quiet", *grading]
        return Phase(
            argv, lambda: lines(out / "results.jsonl") >= 3, "resume with: verilogeval evaluate"
        )
    assert name == "check"
    return Phase(
        ["check", *grading], lambda: sandbox_started(marker), "again with: verilogeval check"
    )


def interrupt(name: str, tmp_path: Path, server: FakeOpenAIServer, presses: int) -> None:
    """Start the command of phase `name`, press Ctrl-C `presses` times once it is there."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    marker = f"verilogeval-test-{uuid.uuid4().hex}"
    step = phase(name, tmp_path, server, marker)
    command = subprocess.Popen(
        [sys.executable, "-m", "verilogeval", *step.argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "VERILOGEVAL_TEST_MARKER": marker},
        start_new_session=True,  # its own process group, which the Ctrl-C goes to
        # A shell starts background jobs with SIGINT ignored, and Python then never turns
        # it into KeyboardInterrupt: give the child the default, as a terminal would.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert wait_until(lambda: step.reached() or command.poll() is not None, 300)
        assert command.poll() is None, command.communicate()
        for press in range(presses):
            with contextlib.suppress(ProcessLookupError):  # ended already
                os.killpg(command.pid, signal.SIGINT)
            time.sleep(0.2 * (press + 1 < presses))  # impatient: the stop has begun
        _, stderr = command.communicate(timeout=ENDS_S)
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
            command.wait()
    assert command.returncode == 130, stderr
    assert "Traceback" not in stderr, stderr
    assert step.hint in stderr, stderr
    assert wait_until(lambda: not marked_processes(marker), ENDS_S), marked_processes(marker)
    assert wait_until(lambda: not marked_processes(str(scratch)), ENDS_S)
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("repetition", [1, 2, 3])
@pytest.mark.parametrize("name", ["generation", "grading", "checks", "evaluate", "check"])
def test_one_ctrl_c_ends_the_command_cleanly(name, repetition, tmp_path, server):
    interrupt(name, tmp_path, server, presses=1)


@pytest.mark.parametrize("name", ["generation", "checks", "check"])
def test_a_second_ctrl_c_does_not_cut_the_stop_short(name, tmp_path, server):
    interrupt(name, tmp_path, server, presses=2)
