"""The command-line shell: help, unknown commands, a reader that leaves early."""

from __future__ import annotations

import subprocess
import sys


def test_help_lists_every_registered_command(cli):
    from verilogeval.cli import COMMANDS

    result = cli("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert f"  {name} " in result.stdout


def test_unknown_command_exits_2(cli):
    result = cli("frobnicate")
    assert result.returncode == 2
    assert "unknown command 'frobnicate'" in result.stderr


def test_closed_pipe_is_not_a_traceback(official_root):
    # `verilogeval problems | head -1`: the reader leaves after one line.
    process = subprocess.Popen(
        [sys.executable, "-m", "verilogeval", "problems", "--dataset", str(official_root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr
