"""`verilogeval sweep CONFIG.toml`: the paper's tables as one matrix of runs.

Every combination of models x tasks x shots x rules x presets becomes one run plan (what
`verilogeval run` would build from the same options) into its own folder under `out`; a
finished folder is skipped and an unfinished one resumed, so a sweep can be stopped and
started again at will: its resume command is the sweep itself.

    out = "runs/paper"                  # parent of the run folders
    models = ["oracle", "gpt-4o"]
    tasks = ["spec-to-rtl", "code-complete-iccad2023"]
    shots = [0, 1]
    rules = [false, true]
    presets = ["greedy"]
    [run]                               # any other `run` option, by its long name
    dataset = "../verilog-eval"
    concurrency = 16
"""

from __future__ import annotations

import argparse
import itertools
import shlex
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verilogeval.commands.options import (
    add_run_options,
    add_scheduler_option,
    run_plan_from_args,
)
from verilogeval.errors import ExitCode, UserError, exit_code
from verilogeval.execution import execute_plan
from verilogeval.plans import RunPlan, model_slug
from verilogeval.progress import BarProgress, QuietProgress
from verilogeval.runfolder.files import RunFolder
from verilogeval.runfolder.manifest import read_manifest

EXAMPLES = """
verilogeval sweep paper.toml --dry-run     # check the file, list the runs and their commands
verilogeval sweep paper.toml               # run them; the same command resumes
"""


_MATRIX_KEYS = ("models", "tasks", "shots", "rules", "presets")
_DEFAULTS: dict[str, list[Any]] = {
    "tasks": ["spec-to-rtl"],
    "shots": [0],
    "rules": [False],
    "presets": ["greedy"],
}
# `run` options that the matrix itself sets; the [run] table may not set them too.
_OWNED = {"model", "task", "shots", "rules", "preset", "out"}


@dataclass(frozen=True)
class Cell:
    """One run of the sweep."""

    model: str
    task: str
    shots: int
    rules: bool
    preset: str

    def folder_name(self) -> str:
        model = model_slug(self.model)
        rules = "_rules" if self.rules else ""
        return f"{model}_{self.task}_{self.shots}shot{rules}_{self.preset}"

    def run_argv(self, out: Path, options: dict[str, Any]) -> list[str]:
        """The `run` options of this cell."""
        argv = ["--model", self.model, "--task", self.task, "--shots", str(self.shots)]
        argv += ["--preset", self.preset, "--out", str(out / self.folder_name())]
        argv += ["--rules"] if self.rules else []
        for key, value in options.items():
            flag = "--" + key.replace("_", "-")
            if value is True:
                argv.append(flag)
            elif value is not False:
                argv += [flag, str(value)]
        return argv


@dataclass(frozen=True)
class SweepConfig:
    path: Path  # the TOML file
    out: Path
    cells: tuple[Cell, ...]
    run_options: dict[str, Any]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", type=Path, help="TOML file: out, models, tasks, shots, ...")
    parser.add_argument("--dry-run", action="store_true", help="list the runs, run nothing")
    parser.add_argument(
        "--plus", action="store_true", help="every run with --plus (as `plus = true` in [run])"
    )
    add_scheduler_option(parser)


def load_sweep(path: Path) -> SweepConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path}: no such sweep file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise UserError(f"{path}: not valid TOML ({error})") from None
    unknown = set(data) - {"out", "run", *_MATRIX_KEYS}
    if unknown:
        raise UserError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    if "out" not in data or "models" not in data:
        raise UserError(f"{path}: fields 'out' and 'models' are required")
    axes: dict[str, Any] = {key: data.get(key, _DEFAULTS.get(key)) for key in _MATRIX_KEYS}
    for key, values in axes.items():
        if not isinstance(values, list) or not values:
            raise UserError(f"{path}: field {key!r} must be a non-empty list")
    options = data.get("run", {})
    clash = _OWNED & {key.replace("-", "_") for key in options}
    if clash:
        raise UserError(f"{path}: [run] may not set {', '.join(sorted(clash))}: the matrix does")
    cells = tuple(
        Cell(model=str(m), task=str(t), shots=int(s), rules=bool(r), preset=str(p))
        for m, t, s, r, p in itertools.product(*(axes[key] for key in _MATRIX_KEYS))
    )
    out = Path(data["out"])
    return SweepConfig(path=path, out=out, cells=cells, run_options=options)


def cell_plan(
    sweep: SweepConfig, cell: Cell, options: dict[str, Any], resume_command: str
) -> RunPlan:
    """The run plan of one cell with these [run] options (the sweep's, with its --scheduler):
    its argv parsed as `run` parses it, never re-entering the CLI. Every `run` option, such
    as formal, plus, reasoning_effort or scheduler, reaches the plan this way."""
    parser = argparse.ArgumentParser(prog="verilogeval run", exit_on_error=False)
    add_run_options(parser)
    argv = cell.run_argv(sweep.out, options)
    try:
        args = parser.parse_args(argv)
    except (argparse.ArgumentError, SystemExit) as error:
        raise UserError(f"{sweep.path}: [run] does not make a valid run ({error})") from None
    return run_plan_from_args(args, resume_command=resume_command)


def run(args: argparse.Namespace) -> int:
    sweep = load_sweep(args.config)
    resume = shlex.join(args.command_line)
    failed: list[str] = []
    for number, cell in enumerate(sweep.cells, start=1):
        folder = sweep.out / cell.folder_name()
        manifest = read_manifest(RunFolder(folder))
        head = f"[{number}/{len(sweep.cells)}] {folder}"
        if manifest is not None and manifest.finished_at:
            print(f"{head}: finished, skipped")
            continue
        options = sweep.run_options | ({"plus": True} if args.plus else {})
        if args.scheduler and "scheduler" not in options:
            options = options | {"scheduler": args.scheduler}
        if args.dry_run:
            argv = cell.run_argv(sweep.out, options)
            print(f"{head}: verilogeval run {shlex.join(argv)}")
            continue
        print(f"{head}: running", flush=True)
        try:
            plan = cell_plan(sweep, cell, options, resume)
            quiet = bool(sweep.run_options.get("quiet"))
            code = execute_plan(plan, QuietProgress() if quiet else BarProgress())
        except UserError as error:  # this cell cannot run; the others still may
            print(f"verilogeval sweep: {folder}: error: {error}", file=sys.stderr)
            code = exit_code(error) or ExitCode.BAD_INPUT
        if code == ExitCode.INTERRUPTED:
            print("sweep interrupted; run the same command again to continue", file=sys.stderr)
            return ExitCode.INTERRUPTED
        if code != ExitCode.DONE:
            failed.append(str(folder))
    if failed:
        print(f"{len(failed)} run(s) failed: {', '.join(failed)}", file=sys.stderr)
        return ExitCode.INCOMPLETE
    return ExitCode.DONE
