"""Command-line entry point: an explicit registry of sub-commands.

Each command is a module with `add_arguments(parser)`, `run(args) -> int` and `EXAMPLES`
(the epilog of its --help). Only the chosen command's module is imported, so `verilogeval
--help` stays instant. The exit codes are those of verilogeval.errors.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import shlex
import signal
import sys
import textwrap
import threading
import traceback
from collections.abc import Iterator
from types import ModuleType
from typing import NoReturn

from verilogeval import __version__
from verilogeval.debug_log import debug_log_path, debug_logging, record_bug
from verilogeval.errors import ExitCode, UserError, error_reason, exit_code

# name -> (module, one-line help). Keep in the order a user meets them.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "verilogeval.cli.commands.run",
        "generate, extract, simulate and classify: the main job",
    ),
    "sweep": ("verilogeval.cli.commands.sweep", "a matrix of runs (models x tasks x shots x ...)"),
    "problems": ("verilogeval.cli.commands.problems", "list the problems of a dataset"),
    "prompt": ("verilogeval.cli.commands.prompt", "show the exact messages sent to a model"),
    "models": (
        "verilogeval.cli.commands.models",
        "list model adapters and the paper's model aliases",
    ),
    "generate": ("verilogeval.cli.commands.generate", "ask a model for samples into a run folder"),
    "extract": ("verilogeval.cli.commands.extract", "extract sample code from saved responses"),
    "evaluate": (
        "verilogeval.cli.commands.evaluate",
        "grade samples with Icarus into a run folder",
    ),
    "check": (
        "verilogeval.cli.commands.check",
        "dataset health: run every reference as the sample",
    ),
    "strict": (
        "verilogeval.cli.commands.strict",
        "differential test of samples vs their references",
    ),
    "report": ("verilogeval.cli.commands.report", "summary of one run: outcomes, pass@k, cost"),
    "leaderboard": ("verilogeval.cli.commands.leaderboard", "compare runs: pass@k with CI, cost"),
    "failures": ("verilogeval.cli.commands.failures", "failure categories across runs, charts"),
    "show": (
        "verilogeval.cli.commands.show",
        "one sample of a run: prompt, answer, code, log, verdict",
    ),
    "compare": ("verilogeval.cli.commands.compare", "two runs problem by problem: what one passes"),
    "import-inspect": (
        "verilogeval.cli.commands.import_inspect",
        "an Inspect AI log of verilogeval's tasks as a run folder",
    ),
    "export-inspect": (
        "verilogeval.cli.commands.export_inspect",
        "a run folder as an Inspect AI log (inspect view)",
    ),
}


def _top_level_help() -> str:
    width = max(len(name) for name in COMMANDS)
    lines = [
        f"usage: verilogeval [--version] COMMAND [ARGS]   (verilogeval {__version__})",
        "",
        "Benchmark LLMs on RTL generation: prompt -> model -> extraction -> simulation",
        "-> classification -> metrics -> reports.",
        "",
        "commands:",
    ]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in COMMANDS.items()]
    lines += ["", "Run 'verilogeval COMMAND --help' for a command's options."]
    return "\n".join(lines)


class CommandParser(argparse.ArgumentParser):
    """A command's parser whose errors take two lines: the error, then a short usage.

    argparse's own usage of `run` lists every one of its options: 35 lines that bury the
    one line saying what is wrong.
    """

    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.BAD_INPUT, f"{self.prog}: error: {message}\n{short_usage(self)}\n")


def short_usage(parser: argparse.ArgumentParser) -> str:
    """`usage: PROG REQUIRED... [options] POSITIONAL...`, and where the rest is."""
    parts = [parser.prog]
    grouped: set[int] = set()
    for group in parser._mutually_exclusive_groups:
        if group.required:
            parts.append(
                "(" + " | ".join(_usage_of(action) for action in group._group_actions) + ")"
            )
        grouped.update(id(action) for action in group._group_actions)
    for action in parser._actions:
        if action.option_strings and action.required and id(action) not in grouped:
            parts.append(_usage_of(action))
    parts.append("[options]")
    parts += [_usage_of(action) for action in parser._actions if not action.option_strings]
    return f"usage: {' '.join(parts)}   (all options: {parser.prog} --help)"


def _usage_of(action: argparse.Action) -> str:
    name = action.metavar or action.dest.upper()
    if not action.option_strings:
        return f"{name}..." if action.nargs in ("+", "*") else str(name)
    return f"{action.option_strings[-1]} {name}"


def build_parser(name: str) -> tuple[argparse.ArgumentParser, ModuleType]:
    """The parser of command `name` (its options, its examples) and the command's module."""
    module_name, help_ = COMMANDS[name]
    command = importlib.import_module(module_name)
    parser = CommandParser(
        prog=f"verilogeval {name}",
        description=help_,
        epilog="examples:\n" + textwrap.indent(command.EXAMPLES.strip("\n"), "  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_arguments(parser)
    return parser, command


def _interrupt_once(signum: int, frame: object) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


@contextlib.contextmanager
def _ctrl_c_once() -> Iterator[None]:
    """The first Ctrl-C stops the command (KeyboardInterrupt); later ones are ignored.

    Stopping takes a moment (workers and sandboxes stopped, scratch removed, what was
    done kept): a second Ctrl-C must not cut that short, leaving processes behind and a
    traceback on the screen. Python's own handler is back afterwards unless Ctrl-C came.
    """
    own = threading.current_thread() is threading.main_thread()
    if not own or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    signal.signal(signal.SIGINT, _interrupt_once)
    try:
        yield
    finally:
        if signal.getsignal(signal.SIGINT) is _interrupt_once:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(_top_level_help())
        return 0 if argv else 2
    if argv[0] == "--version":
        print(f"verilogeval {__version__}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"verilogeval: error: unknown command {name!r}", file=sys.stderr)
        print(_top_level_help(), file=sys.stderr)
        return 2
    parser, command = build_parser(name)
    args = parser.parse_args(rest)
    args.command_line = ["verilogeval", name, *rest]  # what to type again, e.g. to resume
    log = debug_log_path(os.environ)
    try:
        with _ctrl_c_once(), debug_logging(log):
            return command.run(args)
    except UserError as error:
        said, message = "error: ", str(error)
        code = exit_code(error) or ExitCode.BAD_INPUT
    except KeyboardInterrupt:  # a command with a run folder says how to resume it itself
        said, message = "", f"interrupted; start again with: {shlex.join(args.command_line)}"
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader left early (`| head`): not our error. Point stdout at /dev/null so
        # the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.DONE
    except Exception as bug:  # no command expects it: a bug, named in one line
        kept = record_bug(bug, args.command_line, log)
        if not kept:
            traceback.print_exception(bug)
        where = f"its traceback is in {log}" if kept else "its traceback is above"
        said, message = "internal error: ", f"{error_reason(bug)} (a bug in verilogeval; {where})"
        code = ExitCode.BUG
    print(f"verilogeval {name}: {said}{message}", file=sys.stderr)
    if getattr(args, "json", None) is True:  # --json: stdout still holds one object
        print(json.dumps({"command": name, "exit_status": int(code), "error": message}))
    return code
