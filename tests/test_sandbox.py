"""The bubblewrap sandbox: what a sample can see, write and leave behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pytest
from processes import commands_running

from verilogeval.dataset.loader import load_dataset
from verilogeval.errors import UserError
from verilogeval.execution.sandbox import host as sandboxing
from verilogeval.execution.sandbox.host import Command, readonly_roots, runner
from verilogeval.grading.time_limits import reference_sample
from verilogeval.records import Task


def shell(script: str, folder: Path) -> str:
    """Run `script` with sh in this thread's sandbox; its output."""
    result = runner(folder, sandboxed=True).execute(Command(("sh", "-c", script), timeout_s=60))
    assert not result.result.timed_out
    return result.result.output


def test_home_run_folders_and_network_are_not_there_and_the_system_is_read_only(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    list_interfaces = "import socket; print(*(n for _, n in socket.if_nameindex()))"
    script = f"""
        cat {outside}/secret.txt 2>/dev/null || echo no-secret
        echo "home: $(ls -A {Path.home()} 2>/dev/null | tr '\\n' ' ')"
        touch /usr/verilogeval-probe 2>/dev/null && echo usr-writable || echo usr-read-only
        echo "interfaces: $({sandboxing.PYTHON} -c '{list_interfaces}')"
        echo "env: $(env | cut -d= -f1 | sort | tr '\\n' ' ')"
        echo written > mine.txt && cat mine.txt
    """
    output = shell(script, tmp_path)
    assert "no-secret" in output and "usr-read-only" in output
    # of the home folder, only the way to a read-only root (e.g. ~/.pyenv's Python) shows
    home = Path.home()
    ways = {r.relative_to(home).parts[0] for r in readonly_roots() if r.is_relative_to(home)}
    (shown,) = [line for line in output.splitlines() if line.startswith("home:")]
    assert set(shown.split()[1:]) <= ways
    assert "written" in output  # its own folder is writable
    assert "interfaces: lo\n" in output  # a network namespace of its own: loopback only
    assert "OPENAI" not in output and "PYTEST" not in output  # a clean environment
    assert not Path("/usr/verilogeval-probe").exists()


def test_nothing_a_command_started_outlives_it(tmp_path):
    detach = "setsid sleep 613 >/dev/null 2>&1 </dev/null & echo started"
    assert "started" in shell(detach, tmp_path)
    assert commands_running("sleep 613") == []


def test_each_command_is_pid_1_of_its_own_namespace_and_sees_no_other_process(tmp_path):
    assert shell("echo $$; ls -A /proc | wc -l", tmp_path).split() == ["1", "0"]  # no /proc
    command = Command(("sh", "-c", "echo $$; ls /proc"), timeout_s=60, proc=True)
    pid, *shown = runner(tmp_path, sandboxed=True).execute(command).result.output.split()
    assert pid == "1"
    # a /proc of its own: only the command's processes (itself and ls), not the agent
    assert sorted(int(name) for name in shown if name.isdigit()) == [1, 2]


def test_a_missing_bwrap_stops_grading_with_a_clear_message(monkeypatch):
    monkeypatch.setattr(sandboxing, "BWRAP", "verilogeval-no-such-bwrap")
    sandboxing.ensure_available.cache_clear()
    try:
        with pytest.raises(UserError, match=r"bubblewrap.*--no-sandbox"):
            sandboxing.ensure_available()
    finally:
        sandboxing.ensure_available.cache_clear()


@pytest.mark.icarus
def test_python_started_by_a_relative_path_still_grades_in_the_sandbox(tmp_path):
    """`../.venv/bin/python` from a folder the sandbox does not show (here: one in /tmp,
    a tmpfs inside): Python names itself through that folder, so the sandbox must start
    it by a path that exists inside."""
    here = tmp_path / "here"
    here.mkdir()
    relative = os.path.relpath(sys.executable, here)
    assert relative.startswith("..")
    reference = reference_sample(load_dataset(None, Task.SPEC_TO_RTL).problems[0])
    samples = tmp_path / "samples.jsonl"
    samples.write_text(json.dumps(asdict(reference)) + "\n", encoding="utf-8")
    done = subprocess.run(
        [relative, "-m", "verilogeval", "evaluate", "--samples", str(samples),
         "--out", str(tmp_path / "run"), "--no-cache", "--quiet"],
        capture_output=True, text=True, cwd=here,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1/1 pass" in done.stdout
