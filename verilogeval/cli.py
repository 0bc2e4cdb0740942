"""Command-line entry point: an explicit registry of sub-commands.

Each command is a module with `add_arguments(parser)` and `run(args) -> int`. Only the
chosen command's module is imported, so `verilogeval --help` stays instant. The exit
codes are those of verilogeval.errors.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys

from verilogeval import __version__
from verilogeval.errors import ExitCode, UserError, exit_code

# name -> (module, one-line help). Keep in the order a user meets them.
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("verilogeval.commands.run", "generate, extract, simulate and classify: the main job"),
    "sweep": ("verilogeval.commands.sweep", "a matrix of runs (models x tasks x shots x ...)"),
    "problems": ("verilogeval.commands.problems", "list the problems of a dataset"),
    "prompt": ("verilogeval.commands.prompt", "show the exact messages sent to a model"),
    "models": ("verilogeval.commands.models", "list model adapters and the paper's model aliases"),
    "generate": ("verilogeval.commands.generate", "ask a model for samples into a run folder"),
    "extract": ("verilogeval.commands.extract", "extract sample code from saved responses"),
    "evaluate": ("verilogeval.commands.evaluate", "grade samples with Icarus into a run folder"),
    "check": ("verilogeval.commands.check", "dataset health: run every reference as the sample"),
    "strict": ("verilogeval.commands.strict", "differential test of samples vs their references"),
    "report": ("verilogeval.commands.report", "summary of one run: outcomes, pass@k, cost"),
    "leaderboard": ("verilogeval.commands.leaderboard", "compare runs: pass@k with CI, cost"),
    "failures": ("verilogeval.commands.failures", "failure categories across runs, charts"),
    "show": (
        "verilogeval.commands.show",
        "one sample of a run: prompt, answer, code, log, verdict",
    ),
    "compare": ("verilogeval.commands.compare", "two runs problem by problem: what one passes"),
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
    module_name, help_ = COMMANDS[name]
    command = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"verilogeval {name}", description=help_)
    command.add_arguments(parser)
    args = parser.parse_args(rest)
    args.command_line = ["verilogeval", name, *rest]  # what to type again, e.g. to resume
    try:
        return command.run(args)
    except (UserError, KeyboardInterrupt) as error:
        message = f"error: {error}" if isinstance(error, UserError) else "interrupted"
        print(f"verilogeval {name}: {message}", file=sys.stderr)
        code = exit_code(error) or ExitCode.BAD_INPUT
        if getattr(args, "json", None) is True:  # --json: stdout still holds one object
            print(json.dumps({"command": name, "exit_status": int(code), "error": str(error)}))
        return code
    except BrokenPipeError:
        # The reader left early (`| head`): not our error. Point stdout at /dev/null so
        # the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.DONE
