"""The command-line shell: help, unknown commands, a reader that leaves early."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def test_help_lists_every_registered_command(cli):
    from verilogeval.cli.entry import COMMANDS

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


def _options(parser):
    """Every option a user can type (not --help), with its action."""
    return [action for action in parser._actions if action.option_strings and action.dest != "help"]


def test_every_option_of_every_command_has_help_and_its_default():
    import argparse

    from verilogeval.cli.entry import COMMANDS, build_parser

    missing = []
    for name in COMMANDS:
        parser, _ = build_parser(name)
        assert "examples:\n  verilogeval " + name in parser.format_help(), name
        chosen = {  # one of a required group is required: there is no default
            id(action)
            for group in parser._mutually_exclusive_groups
            if group.required
            for action in group._group_actions
        }
        for action in _options(parser):
            flag = f"{name} {action.option_strings[-1]}"
            if not action.help:
                missing.append(f"{flag}: no help")
            elif not (
                action.required
                or id(action) in chosen
                or isinstance(action, argparse._StoreTrueAction)
                or "default" in action.help
            ):
                missing.append(f"{flag}: help does not state the default")
    assert missing == []


def test_an_argparse_error_is_two_lines_not_the_whole_usage(cli):
    result = cli("run", "--model", "oracle", "--shots", "x")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert lines[0] == "verilogeval run: error: argument --shots: invalid int value: 'x'"
    assert lines[1].startswith("usage: verilogeval run --model MODEL [options]")
    assert len(lines) == 2
    missing = cli("extract")
    assert missing.stderr.splitlines()[1].startswith(
        "usage: verilogeval extract (--jsonl JSONL | --problem PROBLEM) [options]"
    )


def test_siblings_take_the_same_options():
    from verilogeval.cli.entry import build_parser

    def flags(name):
        parser, _ = build_parser(name)
        return {flag for action in parser._actions for flag in action.option_strings}

    strict = {"--no-sandbox", "--quiet", "--scheduler", "--jobs", "--scratch-dir", "--cache-dir"}
    assert strict | {"--no-cache"} <= flags("strict")
    assert "--problems" in flags("evaluate")
    assert {"--plus", "--plus-seeds"} <= flags("check")


def test_counts_read_in_the_singular_for_one():
    from verilogeval.wording import plural

    assert plural(1, "sample") == "1 sample"
    assert plural(2, "shot") == "2 shots"
    assert plural(0, "problem") == "0 problems"
    assert plural(3, "body", "bodies") == "3 bodies"


def test_every_command_with_jobs_refuses_fewer_than_one_as_it_parses(capsys):
    """Old code: --jobs took any int; `strict --jobs 0` read its samples first and `check`
    reached the pool with 0 jobs. Now one argparse type checks every command's --jobs."""
    from verilogeval.cli.entry import build_parser

    for name in ("run", "evaluate", "check", "strict"):  # the commands that grade
        parser, _ = build_parser(name)
        for given, said in (
            ("0", "must be at least 1, got '0'"),
            ("-2", "must be at least 1, got '-2'"),
            ("two", "expected a whole number, got 'two'"),
        ):
            with pytest.raises(SystemExit) as exited:
                parser.parse_args(["--jobs", given])
            assert exited.value.code == 2
            assert f"error: argument --jobs: {said}" in capsys.readouterr().err, name


def test_strict_jobs_zero_is_a_usage_error_before_reading_the_samples(cli, tmp_path):
    result = cli("strict", "--samples", tmp_path / "missing.jsonl", "--jobs", "0")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[0] == (
        "verilogeval strict: error: argument --jobs: must be at least 1, got '0'"
    )


# A command of a test's own that has a bug: registered, then run by the real main().
_BUGGY_COMMAND = """
import sys, types
from verilogeval.cli import entry as cli
module = types.ModuleType("buggy")
module.EXAMPLES = "verilogeval buggy"
module.add_arguments = lambda parser: parser.add_argument("--json", action="store_true")
module.run = lambda args: {}["a key no command has"]
sys.modules["buggy"] = module
cli.COMMANDS["buggy"] = ("buggy", "a command with a bug")
sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("writable", [True, False])
def test_a_bug_is_one_line_and_its_traceback_goes_to_the_debug_log(tmp_path, writable):
    """Old code: a traceback on screen and exit 1, the code of 'done, some samples failed'."""
    cache = tmp_path / "cache"
    if not writable:
        cache.write_text("a file where the cache folder should be")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", _BUGGY_COMMAND, "buggy", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 3
    log = cache / "verilogeval" / "debug.log"
    last = done.stderr.splitlines()[-1]
    assert last.startswith("verilogeval buggy: internal error: KeyError: 'a key no command has'")
    assert json.loads(done.stdout)["exit_status"] == 3  # --json: still one object
    if writable:
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert last.endswith(f"(a bug in verilogeval; its traceback is in {log})")
        text = log.read_text()
        assert "Traceback" in text and "buggy --json" in text and "KeyError" in text
    else:  # nowhere to keep it: the traceback is shown rather than lost
        assert "Traceback" in done.stderr and last.endswith("its traceback is above)")
